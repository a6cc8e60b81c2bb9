import { Empty, ErrorNotice, Loading } from '../../components/Status';
import { formatRange, formatSignedUsd } from '../../lib/format';
import { costDelta } from './revisions';
import { RevisionTable } from './RevisionTable';
import type { Revisions } from './useRevisions';

/**
 * The days of the range a provider restated after the ledger stored them,
 * newest first, each with what changed and when. The chart marks the same
 * days.
 */
export function RevisedDays({ revisions, from, to }: { revisions: Revisions; from: string; to: string }) {
  const days = [...revisions.byDay.entries()].sort(([a], [b]) => (a < b ? 1 : -1));
  return (
    <section className="panel" aria-labelledby="revised-days-title" data-testid="revised-days">
      <h2 id="revised-days-title">Revised days</h2>
      <p className="muted small">
        Days a provider restated after they were stored: the change is new minus old. Earlier figures stay answerable as of
        any past moment.
      </p>
      {revisions.error ? (
        <ErrorNotice error={revisions.error} onRetry={revisions.refetch} />
      ) : revisions.fetching && days.length === 0 ? (
        <Loading label="Loading revisions…" />
      ) : days.length === 0 ? (
        <Empty>No day between {formatRange(from, to)} was revised.</Empty>
      ) : (
        <ul className="revised-day-list">
          {days.map(([date, list]) => (
            <li key={date} className="revised-day" data-testid="revised-day" data-date={date}>
              <h3>
                <span className="tag tag-revised">Revised</span> {date}{' '}
                <span className="muted small" data-testid="revised-day-cost" data-value={costDelta(list).toFixed()}>
                  cost {formatSignedUsd(costDelta(list))}
                </span>
              </h3>
              <RevisionTable revisions={list} names={revisions.names} caption={`Revisions of ${date}`} />
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
