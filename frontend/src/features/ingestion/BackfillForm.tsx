import { type FormEvent, useId, useState } from 'react';
import { useMutation } from 'urql';
import { InputField, SelectField } from '../../components/FormField';
import { ErrorNotice } from '../../components/Status';
import type { ConnectionFieldsFragment, Provider } from '../../gql/graphql';
import { addDays, todayUtc } from '../../lib/dates';
import { oneOf } from '../../lib/enums';
import { formatCount, formatDuration } from '../../lib/format';
import { runStatusLabel } from './labels';
import { RunIngestionMutation } from './queries';

/** Admin only: backfill a day range for one provider (or one connection). */
export function BackfillForm({ connections, onDone }: { connections: ConnectionFieldsFragment[]; onDone: () => void }) {
  const id = useId();
  const [state, start] = useMutation(RunIngestionMutation);
  const providers = [...new Set(connections.map((c) => c.provider))].sort();
  const yesterday = addDays(todayUtc(), -1);
  const [form, setForm] = useState<{
    /** Null (or a provider no longer connected): the first provider with a connection. */
    provider: Provider | null;
    connection: string;
    from: string;
    to: string;
    dryRun: boolean;
    chunkDays: string;
  }>({
    provider: null,
    connection: '',
    from: addDays(yesterday, -6),
    to: yesterday,
    dryRun: false,
    chunkDays: '',
  });
  const set = (patch: Partial<typeof form>) => setForm({ ...form, ...patch });
  // Until a connection exists there is no provider to backfill.
  const provider = oneOf(providers, form.provider) ?? providers[0] ?? null;

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (provider === null) return;
    const result = await start({
      provider,
      from: form.from,
      to: form.to,
      connection: form.connection || null,
      dryRun: form.dryRun,
      chunkDays: form.chunkDays ? Number(form.chunkDays) : null,
    });
    if (!result.error) onDone();
  }

  const done = state.data?.runIngestion;
  return (
    <section className="panel" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>Backfill</h2>
      <p className="muted">Fetches provider usage for the days again; running a range twice changes nothing.</p>
      <form className="form-grid" onSubmit={submit}>
        <SelectField
          label="Provider"
          value={provider ?? ''}
          required
          onChange={(e) => set({ provider: oneOf(providers, e.target.value) ?? null, connection: '' })}
        >
          {providers.map((p) => (
            <option key={p} value={p}>
              {p}
            </option>
          ))}
        </SelectField>
        <SelectField label="Connection" value={form.connection} onChange={(e) => set({ connection: e.target.value })}>
          <option value="">All of the provider</option>
          {connections
            .filter((c) => c.provider === provider)
            .map((c) => (
              <option key={c.id} value={c.name}>
                {c.name}
              </option>
            ))}
        </SelectField>
        <InputField label="From (UTC)" type="date" required max={form.to} value={form.from} onChange={(e) => set({ from: e.target.value })} />
        <InputField label="To (UTC)" type="date" required min={form.from} value={form.to} onChange={(e) => set({ to: e.target.value })} />
        <InputField
          label="Days per request"
          type="number"
          min={1}
          placeholder="default"
          value={form.chunkDays}
          onChange={(e) => set({ chunkDays: e.target.value })}
        />
        <label className="check">
          <input type="checkbox" checked={form.dryRun} onChange={(e) => set({ dryRun: e.target.checked })} />
          <span>Dry run (fetch, do not store)</span>
        </label>
        <div className="form-actions">
          <button type="submit" className="button button-primary" disabled={state.fetching || provider === null}>
            {state.fetching ? 'Running…' : 'Run backfill'}
          </button>
          <span role="status" className="small">
            {done &&
              !state.error &&
              `Run ${done.id} ${runStatusLabel(done.status).toLowerCase()}: ${formatCount(done.rowsInserted)} inserted, ${formatCount(done.rowsUpdated)} updated in ${formatDuration(done.durationMs)}.`}
          </span>
        </div>
        {state.error && <ErrorNotice error={state.error} />}
      </form>
    </section>
  );
}
