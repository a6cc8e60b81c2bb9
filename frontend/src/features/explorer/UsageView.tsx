import { useCallback, useMemo } from 'react';
import type { UsageFilterState } from '../../lib/filters';
import type { NameIndex } from '../../lib/names';
import { isUtc } from '../../lib/timezones';
import type { UsageRow } from '../../lib/usage';
import { describeRevision, revisedLines } from '../revisions/revisions';
import type { Revisions } from '../revisions/useRevisions';
import { ExplorerChart } from './ExplorerChart';
import { ExplorerTotals } from './ExplorerTotals';
import { UsageRows } from './UsageRows';

interface UsageViewProps {
  rows: UsageRow[];
  state: UsageFilterState;
  names: NameIndex;
  requestsReported: (row: UsageRow) => boolean;
  revisions: Revisions;
}

/** The explorer's answer: totals, the daily chart, and the rows with their exports. */
export function UsageView({ rows, state, names, requestsReported, revisions }: UsageViewProps) {
  const { byDay, names: connections } = revisions;
  const revisedByDay = useMemo(() => revisedLines(byDay, connections), [byDay, connections]);
  // A row split by provider is marked only for its provider's revisions.
  const revised = useCallback(
    (row: UsageRow) =>
      (byDay.get(row.date) ?? [])
        .filter((r) => !row.group.provider || r.provider === row.group.provider)
        .map((r) => describeRevision(r, connections)),
    [byDay, connections],
  );
  return (
    <>
      {!isUtc(state.timezone) && (
        <p className="muted small" data-testid="local-days-note">
          Rows are local days in {state.timezone}, summed from hourly usage, and the totals add them up. Revision marks refer to
          UTC days.
        </p>
      )}
      <ExplorerTotals rows={rows} requestsReported={requestsReported} />
      <ExplorerChart rows={rows} state={state} names={names} revised={revisedByDay} />
      <UsageRows rows={rows} state={state} names={names} requestsReported={requestsReported} revised={revised} />
    </>
  );
}
