import { useEffect, useState } from 'react';
import { useMutation } from 'urql';
import { ErrorNotice } from '../../components/Status';
import type { ConnectionFieldsFragment } from '../../gql/graphql';
import { SetConnectionHourlyBucketsMutation } from './queries';

/**
 * Admin only: switches a connection's hourly ingestion. The next runs fetch
 * hours as well (or stop); hours already stored stay.
 */
export function HourlyToggle({ connection: c }: { connection: ConnectionFieldsFragment }) {
  const [result, setHourly] = useMutation(SetConnectionHourlyBucketsMutation);
  // The value asked for, shown until the connections are read again with it.
  const [pending, setPending] = useState<boolean | null>(null);
  useEffect(() => {
    if (pending !== null && c.hourlyBuckets === pending) setPending(null);
  }, [c.hourlyBuckets, pending]);
  const checked = pending ?? c.hourlyBuckets;

  async function change(enabled: boolean) {
    setPending(enabled);
    // The answer names a ProviderConnection: the connection list is read again.
    const answer = await setHourly({ name: c.name, enabled });
    if (answer.error) setPending(null);
  }

  return (
    <div className="hourly-toggle" data-testid="hourly-buckets" data-value={String(c.hourlyBuckets)}>
      <label className="check">
        <input
          type="checkbox"
          checked={checked}
          disabled={result.fetching}
          aria-label={`Hourly buckets for ${c.name}`}
          onChange={(e) => void change(e.target.checked)}
        />
        <span>{checked ? 'On' : 'Off'}</span>
      </label>
      {result.error && <ErrorNotice error={result.error} />}
    </div>
  );
}
