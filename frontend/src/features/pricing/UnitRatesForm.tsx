import { type FormEvent, useState } from 'react';
import { useMutation } from 'urql';
import { InputField } from '../../components/FormField';
import { ErrorNotice } from '../../components/Status';
import type { UnitRateFieldsFragment } from '../../gql/graphql';
import { todayUtc } from '../../lib/dates';
import { SetUnitRatesMutation } from './queries';
import { UNIT_RATE_FIELDS, type UnitRatesUsd, unitRatesFromUsd, unitRateUsd } from './unitRates';


export function UnitRatesForm({ current, onSaved }: { current: UnitRateFieldsFragment | undefined; onSaved: () => void }) {
  const [saving, save] = useMutation(SetUnitRatesMutation);
  // In the table's units (USD per million ops, per 1K calls, per hour); converted to the API's integers on submit.
  const [form, setForm] = useState<UnitRatesUsd & { effectiveFrom: string }>({
    effectiveFrom: todayUtc(),
    ...(current ? unitRateUsd(current) : { dbOpsPerMillion: '', apiCallsPerThousand: '', computePerHour: '' }),
  });
  const [invalid, setInvalid] = useState<{ field: keyof UnitRatesUsd; message: string } | null>(null);

  async function submit(event: FormEvent) {
    event.preventDefault();
    const parsed = unitRatesFromUsd(form);
    if (!parsed.ok) {
      setInvalid(parsed);
      return;
    }
    setInvalid(null);
    const result = await save({ input: { effectiveFrom: form.effectiveFrom, ...parsed.rates } });
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
      {UNIT_RATE_FIELDS.map((f) => (
        <InputField
          key={f.name}
          label={f.label}
          inputMode="decimal"
          required
          value={form[f.name]}
          error={invalid?.field === f.name ? invalid.message : undefined}
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
      {saving.error && <ErrorNotice error={saving.error} />}
    </form>
  );
}
