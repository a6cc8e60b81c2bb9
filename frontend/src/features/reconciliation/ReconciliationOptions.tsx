import { DateRangeFields } from '../../components/DateRangeFields';
import { ProviderSelect } from '../../components/ProviderSelect';
import { RECONCILIATION_PROVIDERS, type ReconciliationState } from '../../lib/filters';

interface ReconciliationOptionsProps {
  state: ReconciliationState;
  onChange: (patch: Partial<ReconciliationState>) => void;
}

/** The range of the cost and attribution views, and the options of each. */
export function ReconciliationOptions({ state, onChange }: ReconciliationOptionsProps) {
  return (
    <form className="toolbar" onSubmit={(e) => e.preventDefault()} aria-label="Reconciliation options">
      <DateRangeFields from={state.from} to={state.to} onChange={onChange} />
      {state.view === 'cost' && (
        <ProviderSelect
          value={state.providers[0] ?? null}
          onChange={(provider) => onChange({ providers: provider ? [provider] : [] })}
          options={RECONCILIATION_PROVIDERS}
        />
      )}
      {state.view === 'attribution' && (
        <>
          <div className="segmented" role="group" aria-label="Attribution measure">
            {(['tokens', 'cost'] as const).map((measure) => (
              <button
                key={measure}
                type="button"
                className="chip"
                aria-pressed={state.measure === measure}
                onClick={() => onChange({ measure })}
              >
                {measure === 'cost' ? 'Cost' : 'Tokens'}
              </button>
            ))}
          </div>
          <label className="check">
            <input type="checkbox" checked={state.byKey} onChange={(e) => onChange({ byKey: e.target.checked })} />
            <span>Split projects by API key</span>
          </label>
        </>
      )}
    </form>
  );
}
