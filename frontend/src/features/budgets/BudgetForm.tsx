import { type FormEvent, useId, useState } from 'react';
import { useMutation } from 'urql';
import { InputField, SelectField } from '../../components/FormField';
import { ErrorNotice } from '../../components/Status';
import type { BudgetInput } from '../../gql/graphql';
import { CreateBudgetMutation } from './queries';
import { SCOPES } from './scope';

/** Admin only. Thresholds are typed as "50, 80, 100". */
export function BudgetForm({ onCreated }: { onCreated: () => void }) {
  const id = useId();
  const [state, create] = useMutation(CreateBudgetMutation);
  const [form, setForm] = useState({
    name: '',
    scope: 'org',
    scopeValue: '',
    provider: '',
    period: 'monthly',
    amountUsd: '',
    thresholds: '50, 80, 100',
  });
  const [invalid, setInvalid] = useState<string | null>(null);
  const set = (patch: Partial<typeof form>) => setForm({ ...form, ...patch });

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
      scopeValue: form.scope === 'org' ? null : form.scopeValue.trim(),
      provider: form.provider || null,
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
        <SelectField label="Scope" value={form.scope} onChange={(e) => set({ scope: e.target.value })}>
          {SCOPES.map((s) => (
            <option key={s.value} value={s.value}>
              {s.label}
            </option>
          ))}
        </SelectField>
        {form.scope !== 'org' && (
          <InputField
            label={`${SCOPES.find((s) => s.value === form.scope)?.label ?? ''} id`}
            required
            value={form.scopeValue}
            onChange={(e) => set({ scopeValue: e.target.value })}
          />
        )}
        <SelectField label="Provider" value={form.provider} onChange={(e) => set({ provider: e.target.value })}>
          <option value="">Every provider</option>
          <option value="openai">openai</option>
          <option value="anthropic">anthropic</option>
        </SelectField>
        <SelectField label="Period (UTC)" value={form.period} onChange={(e) => set({ period: e.target.value })}>
          <option value="monthly">Monthly</option>
          <option value="daily">Daily</option>
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
