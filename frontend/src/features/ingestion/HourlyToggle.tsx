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
  return (
    <div className="hourly-toggle" data-testid="hourly-buckets" data-value={String(c.hourlyBuckets)}>
      <label className="check">
        <input
          type="checkbox"
          checked={c.hourlyBuckets}
          disabled={result.fetching}
          aria-label={`Hourly buckets for ${c.name}`}
          // The answer carries the connection: the cache updates the row, and pages asking filterOptions read again.
          onChange={(e) =>
            void setHourly({ name: c.name, enabled: e.target.checked }, { additionalTypenames: ['FilterOptions'] })
          }
        />
        <span>{c.hourlyBuckets ? 'On' : 'Off'}</span>
      </label>
      {result.error && <ErrorNotice error={result.error} />}
    </div>
  );
}
