import { type FormEvent, useId, useState } from 'react';
import { useMutation } from 'urql';
import { FormField, InputField } from '../../components/FormField';
import { ErrorNotice } from '../../components/Status';
import type { PriceOverrideInput } from '../../gql/graphql';
import { todayUtc } from '../../lib/dates';
import type { UsageRows } from './inUse';
import { SetPriceOverrideMutation } from './queries';

const DECIMAL = /^\d+(\.\d+)?$/;
const PRICE_FIELDS = [
  { name: 'inputMtok', label: 'Input' },
  { name: 'cachedInputMtok', label: 'Cached input' },
  { name: 'cacheWriteMtok', label: 'Cache write' },
  { name: 'outputMtok', label: 'Output' },
] as const;

/** Admin only: a negotiated price from a day on. */
export function OverrideForm({ models, onSaved }: { models: UsageRows; onSaved: () => void }) {
  const id = useId();
  const [saving, save] = useMutation(SetPriceOverrideMutation);
  const [input, setInput] = useState<PriceOverrideInput>({
    provider: '',
    model: '',
    effectiveFrom: todayUtc(),
    inputMtok: '',
    cachedInputMtok: '',
    cacheWriteMtok: '',
    outputMtok: '',
  });
  const [invalid, setInvalid] = useState<string | null>(null);
  const providers = [...new Set(models.map((m) => m.group.provider ?? '').filter(Boolean))].sort();
  const modelNames = [...new Set(models.filter((m) => m.group.provider === input.provider).map((m) => m.group.model ?? ''))].sort();

  async function submit(event: FormEvent) {
    event.preventDefault();
    const bad = PRICE_FIELDS.find((f) => !DECIMAL.test(input[f.name].trim()));
    if (bad) {
      setInvalid(`${bad.label} must be a decimal number of USD per million tokens, e.g. 2.50.`);
      return;
    }
    setInvalid(null);
    const result = await save({ input });
    if (!result.error) onSaved();
  }

  const set = (patch: Partial<PriceOverrideInput>) => setInput({ ...input, ...patch });
  return (
    <section className="panel" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>Set a price override</h2>
      <p className="muted">Applies to usage from the day on; usage already stored keeps its cost.</p>
      <form className="form-grid" onSubmit={submit}>
        <FormField label="Provider">
          {(control) => (
            <>
              <input
                {...control}
                list={`${id}-providers`}
                required
                value={input.provider}
                onChange={(e) => set({ provider: e.target.value.trim().toLowerCase() })}
              />
              <datalist id={`${id}-providers`}>
                {providers.map((p) => (
                  <option key={p} value={p} />
                ))}
              </datalist>
            </>
          )}
        </FormField>
        <FormField label="Model">
          {(control) => (
            <>
              <input {...control} list={`${id}-models`} required value={input.model} onChange={(e) => set({ model: e.target.value.trim() })} />
              <datalist id={`${id}-models`}>
                {modelNames.map((m) => (
                  <option key={m} value={m} />
                ))}
              </datalist>
            </>
          )}
        </FormField>
        <InputField
          label="Effective from (UTC)"
          type="date"
          required
          value={input.effectiveFrom}
          onChange={(e) => set({ effectiveFrom: e.target.value })}
        />
        {PRICE_FIELDS.map((f) => (
          <InputField
            key={f.name}
            label={`${f.label} (USD / M tokens)`}
            inputMode="decimal"
            required
            value={input[f.name]}
            onChange={(e) => set({ [f.name]: e.target.value })}
          />
        ))}
        <div className="form-actions">
          <button type="submit" className="button button-primary" disabled={saving.fetching}>
            {saving.fetching ? 'Saving…' : 'Save override'}
          </button>
          <span role="status" className="small">
            {saving.data && !saving.error && `Saved: ${saving.data.setPriceOverride.model} from ${saving.data.setPriceOverride.effectiveFrom}.`}
          </span>
        </div>
        {invalid && (
          <p className="field-error" role="alert">
            {invalid}
          </p>
        )}
        {saving.error && <ErrorNotice error={saving.error} />}
      </form>
    </section>
  );
}
