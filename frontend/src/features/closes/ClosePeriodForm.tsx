import { type FormEvent, useId, useState } from 'react';
import { useMutation } from 'urql';
import { InputField } from '../../components/FormField';
import { ProviderSelect } from '../../components/ProviderSelect';
import { ErrorNotice } from '../../components/Status';
import type { Provider } from '../../gql/graphql';
import { todayUtc } from '../../lib/dates';
import { ClosePeriodMutation } from './queries';

/** The month before `today`'s, `YYYY-MM`: the one usually closed next. */
export function previousMonth(today: string): string {
  const year = Number(today.slice(0, 4));
  const month = Number(today.slice(5, 7));
  return month === 1 ? `${year - 1}-12` : `${year}-${String(month - 1).padStart(2, '0')}`;
}

/** Admin only: closes a complete month for one provider or all. The server refuses a month not over or already closed. */
export function ClosePeriodForm({ onClosed }: { onClosed: () => void }) {
  const id = useId();
  const [state, close] = useMutation(ClosePeriodMutation);
  const [period, setPeriod] = useState(() => previousMonth(todayUtc()));
  const [provider, setProvider] = useState<Provider | null>(null);
  const [done, setDone] = useState<string | null>(null);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setDone(null);
    const result = await close({ period, provider });
    if (!result.error && result.data) {
      setDone(`Closed ${result.data.closePeriod.period} for ${result.data.closePeriod.provider ?? 'every provider'}.`);
      onClosed();
    }
  }

  return (
    <section className="panel" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>Close a month</h2>
      <form className="form-grid" onSubmit={submit}>
        <InputField
          label="Month (UTC)"
          type="month"
          required
          pattern="\d{4}-\d{2}"
          value={period}
          onChange={(e) => setPeriod(e.target.value)}
          hint="Only a month that is over can be closed."
        />
        <ProviderSelect value={provider} onChange={setProvider} />
        <div className="form-actions">
          <button type="submit" className="button button-primary" disabled={state.fetching}>
            {state.fetching ? 'Closing…' : 'Close period'}
          </button>
        </div>
        {state.error && <ErrorNotice error={state.error} />}
        {done && !state.error && (
          <p className="ok" role="status">
            {done}
          </p>
        )}
      </form>
    </section>
  );
}
