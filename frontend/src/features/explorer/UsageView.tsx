import type { UsageFilterState } from '../../lib/filters';
import type { NameIndex } from '../../lib/names';
import type { UsageRow } from '../../lib/usage';
import { ExplorerChart } from './ExplorerChart';
import { ExplorerTotals } from './ExplorerTotals';
import { UsageRows } from './UsageRows';

interface UsageViewProps {
  rows: UsageRow[];
  state: UsageFilterState;
  names: NameIndex;
  requestsReported: (row: UsageRow) => boolean;
}

/** The explorer's answer: totals, the daily chart, and the rows with their exports. */
export function UsageView({ rows, state, names, requestsReported }: UsageViewProps) {
  return (
    <>
      <ExplorerTotals rows={rows} requestsReported={requestsReported} />
      <ExplorerChart rows={rows} state={state} names={names} />
      <UsageRows rows={rows} state={state} names={names} requestsReported={requestsReported} />
    </>
  );
}
