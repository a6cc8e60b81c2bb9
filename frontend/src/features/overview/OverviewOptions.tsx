import { DateRangeFields } from '../../components/DateRangeFields';
import { SelectField } from '../../components/FormField';
import { TimeZoneField } from '../../components/TimeZoneField';
import { DIMENSIONS, type OverviewState, STACK_OPTIONS, type StackBy } from '../../lib/filters';

interface OverviewOptionsProps {
  state: OverviewState;
  onChange: (patch: Partial<OverviewState>) => void;
  /** Hourly buckets are stored, so the chart can show local days. */
  hourlyData: boolean;
}

/** The overview's range, the zone of the chart's days, what the chart stacks by, and what it measures. */
export function OverviewOptions({ state, onChange, hourlyData }: OverviewOptionsProps) {
  return (
    <form className="toolbar" onSubmit={(e) => e.preventDefault()} aria-label="Overview options">
      <DateRangeFields from={state.from} to={state.to} onChange={onChange} zone={state.timezone} />
      <TimeZoneField value={state.timezone} available={hourlyData} onChange={(timezone) => onChange({ timezone })} />
      <SelectField label="Stack by" value={state.stack} onChange={(e) => onChange({ stack: e.target.value as StackBy })}>
        {STACK_OPTIONS.map((option) => (
          <option key={option} value={option}>
            {DIMENSIONS.find((d) => d.value === option)?.label}
          </option>
        ))}
      </SelectField>
      <div className="segmented" role="group" aria-label="Chart measure">
        {(['cost', 'tokens'] as const).map((metric) => (
          <button
            key={metric}
            type="button"
            className="chip"
            aria-pressed={state.metric === metric}
            onClick={() => onChange({ metric })}
          >
            {metric === 'cost' ? 'Spend' : 'Tokens'}
          </button>
        ))}
      </div>
    </form>
  );
}
