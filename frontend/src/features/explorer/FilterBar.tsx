import { DateRangeFields } from '../../components/DateRangeFields';
import { SelectField } from '../../components/FormField';
import { MultiSelect } from '../../components/MultiSelect';
import { TimeZoneField } from '../../components/TimeZoneField';
import type { FilterOptionsQuery, UsageDimension } from '../../gql/graphql';
import { activeFilterCount, DIMENSIONS, type ListField, listPatch, type UsageFilterState } from '../../lib/filters';
import { type NameIndex, NO_NAMES, NO_PROJECT, nameOrId } from '../../lib/names';
import { NOT_REPORTED } from '../../lib/usage';

const LIST_FILTERS: readonly { field: ListField; label: string; named?: UsageDimension }[] = [
  { field: 'providers', label: 'Provider' },
  { field: 'projectIds', label: 'Project', named: 'PROJECT' },
  { field: 'apiKeyIds', label: 'API key', named: 'API_KEY' },
  { field: 'userIds', label: 'User', named: 'USER' },
  { field: 'models', label: 'Model' },
  { field: 'serviceTiers', label: 'Tier' },
];

interface FilterBarProps {
  state: UsageFilterState;
  /** Undefined while the choices load; the controls still show the current filter. */
  options: FilterOptionsQuery['filterOptions'] | undefined;
  onChange: (patch: Partial<UsageFilterState>) => void;
  /** Names for project, key and user ids; the ids stay the filter's values. */
  names?: NameIndex;
  /** Hourly buckets are stored, so rows can be local days. */
  hourlyData?: boolean;
}

/** Every field of `UsageFilter`, plus the grouping of the rows. */
export function FilterBar({ state, options, onChange, names = NO_NAMES, hourlyData = false }: FilterBarProps) {
  const active = activeFilterCount(state);
  return (
    <form className="filter-bar" aria-label="Usage filters" onSubmit={(e) => e.preventDefault()}>
      <DateRangeFields from={state.from} to={state.to} onChange={onChange} zone={state.timezone} />
      <TimeZoneField value={state.timezone} available={hourlyData} onChange={(timezone) => onChange({ timezone })} />
      <div className="filter-lists">
        {LIST_FILTERS.map(({ field, label, named }) => (
          <MultiSelect
            key={field}
            label={label}
            display={named ? (value) => nameOrId(names, named, value, named === 'PROJECT' ? NO_PROJECT : NOT_REPORTED) : undefined}
            options={options?.[field] ?? []}
            selected={state[field]}
            onChange={(selected) => onChange(listPatch(field, selected))}
          />
        ))}
        <SelectField
          label="Batch"
          value={state.batch === null ? 'any' : String(state.batch)}
          onChange={(e) => onChange({ batch: e.target.value === 'any' ? null : e.target.value === 'true' })}
        >
          <option value="any">Batch and interactive</option>
          <option value="true">Batch only</option>
          <option value="false">Interactive only</option>
        </SelectField>
      </div>
      <fieldset className="field-group group-by">
        <legend>Group rows by</legend>
        {DIMENSIONS.map((d) => (
          <label key={d.value} className="check chip-check">
            <input
              type="checkbox"
              checked={state.groupBy.includes(d.value)}
              onChange={(e) =>
                onChange({
                  groupBy: e.target.checked
                    ? [...state.groupBy, d.value]
                    : state.groupBy.filter((v: UsageDimension) => v !== d.value),
                })
              }
            />
            <span>{d.label}</span>
          </label>
        ))}
      </fieldset>
      {active > 0 && (
        <button
          type="button"
          className="link-button"
          onClick={() =>
            onChange({
              providers: [],
              projectIds: [],
              apiKeyIds: [],
              userIds: [],
              models: [],
              serviceTiers: [],
              batch: null,
            })
          }
        >
          Clear {active} {active === 1 ? 'filter' : 'filters'}
        </button>
      )}
    </form>
  );
}
