import { type FormEvent, useId, useState } from 'react';
import { useMutation } from 'urql';
import { InputField, SelectField } from '../../components/FormField';
import { ProviderSelect } from '../../components/ProviderSelect';
import { ErrorNotice } from '../../components/Status';
import type { BudgetInput, BudgetPeriod, BudgetScope, Provider } from '../../gql/graphql';
import { oneOf } from '../../lib/enums';
import { CreateBudgetMutation } from './queries';
import { PERIODS, periodName, SCOPES, scopeName } from './scope';

interface BudgetFormState {
  name: string;
  scope: BudgetScope;
  scopeValue: string;
  /** Null: every provider. */
  provider: Provider | null;
  period: BudgetPeriod;
  amountUsd: string;
  thresholds: string;
}

/** Admin only. Thresholds are typed as "50, 80, 100". */
export function BudgetForm({ onCreated }: { onCreated: () => void }) {
  const id = useId();
  const [state, create] = useMutation(CreateBudgetMutation);
  const [form, setForm] = useState<BudgetFormState>({
    name: '',
    scope: 'ORG',
    scopeValue: '',
    provider: null,
    period: 'MONTHLY',
    amountUsd: '',
    thresholds: '50, 80, 100',
  });
  const [invalid, setInvalid] = useState<string | null>(null);
  const set = (patch: Partial<BudgetFormState>) => setForm({ ...form, ...patch });

  async function submit(event: FormEvent) {
    event.preventDefault();
    const thresholds = form.thresholds.split(',').map((t) => Number(t.trim()));
    if (!/^\d+(\.\d+)?$/.test(form.amountUsd.trim())) return setInvalid('The amount must be a decimal number of USD.');
    if (thresholds.some((t) => !Number.isInteger(t) || t < 1 || t > 1000)) {
      return setInvalid('Thresholds are whole percents from 1 to 1000, separated by commas.');
    }
    setInvalid(null);
    const input: BudgetInput = {
      name: form.name.trim(),
      scope: form.scope,
      scopeValue: form.scope === 'ORG' ? null : form.scopeValue.trim(),
      provider: form.provider,
      period: form.period,
      amountUsd: form.amountUsd.trim(),
      thresholds: [...new Set(thresholds)].sort((a, b) => a - b),
    };
    const result = await create({ input });
    if (!result.error) {
      set({ name: '', scopeValue: '', amountUsd: '' });
      onCreated();
    }
  }

  return (
    <section className="panel" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>New budget</h2>
      <form className="form-grid" onSubmit={submit}>
        <InputField label="Name" required value={form.name} onChange={(e) => set({ name: e.target.value })} />
        <SelectField label="Scope" value={form.scope} onChange={(e) => set({ scope: oneOf(SCOPES, e.target.value) ?? 'ORG' })}>
          {SCOPES.map((scope) => (
            <option key={scope} value={scope}>
              {scopeName(scope)}
            </option>
          ))}
        </SelectField>
        {form.scope !== 'ORG' && (
          <InputField
            label={`${scopeName(form.scope)} id`}
            required
            value={form.scopeValue}
            onChange={(e) => set({ scopeValue: e.target.value })}
          />
        )}
        <ProviderSelect value={form.provider ?? null} onChange={(provider) => set({ provider })} />
        <SelectField
          label="Period (UTC)"
          value={form.period}
          onChange={(e) => set({ period: oneOf(PERIODS, e.target.value) ?? 'MONTHLY' })}
        >
          {PERIODS.map((period) => (
            <option key={period} value={period}>
              {periodName(period)}
            </option>
          ))}
        </SelectField>
        <InputField label="Amount (USD)" inputMode="decimal" required value={form.amountUsd} onChange={(e) => set({ amountUsd: e.target.value })} />
        <InputField label="Alert at (% of amount)" value={form.thresholds} onChange={(e) => set({ thresholds: e.target.value })} />
        <div className="form-actions">
          <button type="submit" className="button button-primary" disabled={state.fetching}>
            {state.fetching ? 'Creating…' : 'Create budget'}
          </button>
        </div>
        {invalid && (
          <p className="field-error" role="alert">
            {invalid}
          </p>
        )}
        {state.error && <ErrorNotice error={state.error} />}
      </form>
    </section>
  );
}
