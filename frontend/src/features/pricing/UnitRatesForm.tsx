import { type FormEvent, useState } from 'react';
import { useMutation } from 'urql';
import { InputField } from '../../components/FormField';
import { ErrorNotice } from '../../components/Status';
import type { UnitRateFieldsFragment } from '../../gql/graphql';
import { todayUtc } from '../../lib/dates';
import { SetUnitRatesMutation } from './queries';

const INTEGER = /^\d+$/;
const RATE_FIELDS = [
  { name: 'dbOpNanos', label: 'Database op (nano-USD each)' },
  { name: 'apiCallMicros', label: 'API call (micro-USD each)' },
  { name: 'computeSecondMicros', label: 'Compute (micro-USD per second)' },
] as const;

export function UnitRatesForm({ current, onSaved }: { current: UnitRateFieldsFragment | undefined; onSaved: () => void }) {
  const [saving, save] = useMutation(SetUnitRatesMutation);
  const [form, setForm] = useState({
    effectiveFrom: todayUtc(),
    dbOpNanos: String(current?.dbOpNanos ?? ''),
    apiCallMicros: String(current?.apiCallMicros ?? ''),
    computeSecondMicros: String(current?.computeSecondMicros ?? ''),
  });
  const [invalid, setInvalid] = useState<string | null>(null);

  async function submit(event: FormEvent) {
    event.preventDefault();
    const bad = RATE_FIELDS.find((f) => !INTEGER.test(form[f.name].trim()));
    if (bad) {
      setInvalid(`${bad.label} must be a whole number.`);
      return;
    }
    setInvalid(null);
    const result = await save({
      input: {
        effectiveFrom: form.effectiveFrom,
        dbOpNanos: Number(form.dbOpNanos),
        apiCallMicros: Number(form.apiCallMicros),
        computeSecondMicros: Number(form.computeSecondMicros),
      },
    });
    if (!result.error) onSaved();
  }

  const saved = saving.data?.setUnitRates;
  return (
    <form className="form-grid form-after-table" onSubmit={submit} aria-label="Set unit rates">
      <h3 className="form-title">New rates</h3>
      <InputField
        label="Effective from (UTC)"
        type="date"
        required
        value={form.effectiveFrom}
        onChange={(e) => setForm({ ...form, effectiveFrom: e.target.value })}
      />
      {RATE_FIELDS.map((f) => (
        <InputField
          key={f.name}
          label={f.label}
          inputMode="numeric"
          required
          value={form[f.name]}
          onChange={(e) => setForm({ ...form, [f.name]: e.target.value })}
        />
      ))}
      <div className="form-actions">
        <button type="submit" className="button button-primary" disabled={saving.fetching}>
          {saving.fetching ? 'Saving…' : 'Set unit rates'}
        </button>
        <span role="status" className="small">
          {saved && !saving.error && `Saved: new rates from ${saved.effectiveFrom}.`}
        </span>
      </div>
      {invalid && (
        <p className="field-error" role="alert">
          {invalid}
        </p>
      )}
      {saving.error && <ErrorNotice error={saving.error} />}
    </form>
  );
}
