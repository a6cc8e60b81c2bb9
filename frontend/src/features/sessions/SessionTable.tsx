import { createColumnHelper, type SortingState } from '@tanstack/react-table';
import { useMemo } from 'react';
import { Link } from 'react-router';
import { DataTable, useDataTable } from '../../components/DataTable';
import { Empty } from '../../components/Status';
import type { SessionsQuery as Result } from '../../gql/graphql';
import type { SessionSort } from '../../lib/filters';
import { formatCount, formatDateTime, formatDuration, formatUsd } from '../../lib/format';
import { type NameIndex, nameOrId } from '../../lib/names';
import { useInventoryNames } from '../shared/useInventoryNames';

type SessionRow = Result['sessions']['nodes'][number];
const column = createColumnHelper<SessionRow>();
/** The columns the server sorts by, and the field each sends as `orderBy`. */
const SORT_COLUMNS: Readonly<Record<SessionSort, string>> = { STARTED_AT: 'startedAt', COST: 'totalCostUsd', TOKENS: 'totalTokens' };
const unsortable = { enableSorting: false } as const;

/**
 * Application user ids are the app's own; one a provider also reports (e.g. its user id) reads by name.
 * Only started, cost and tokens sort, and the server sorts them (every page, not just this one).
 */
const sessionColumns = (names: NameIndex, sortable: boolean) => [
  column.accessor('startedAt', {
    enableSorting: sortable,
    header: 'Started',
    cell: ({ row: { original } }) => (
      <Link to={`/sessions/${encodeURIComponent(original.id)}`}>{formatDateTime(original.startedAt)}</Link>
    ),
  }),
  column.accessor((s) => nameOrId(names, 'USER', s.userId), {
    ...unsortable,
    id: 'userId',
    header: 'User',
    cell: ({ getValue, row: { original } }) =>
      getValue() === original.userId ? getValue() : <span title={original.userId}>{getValue()}</span>,
  }),
  column.accessor((s) => s.externalId ?? '', { ...unsortable, id: 'externalId', header: 'External id' }),
  column.accessor((s) => (s.endedAt ? Date.parse(s.endedAt) - Date.parse(s.startedAt) : -1), {
    ...unsortable,
    id: 'duration',
    header: 'Duration',
    cell: ({ getValue }) => (getValue() < 0 ? <span className="muted">open</span> : formatDuration(getValue())),
    meta: { numeric: true },
  }),
  column.accessor('interactionCount', {
    ...unsortable,
    header: 'Interactions',
    cell: ({ getValue }) => formatCount(getValue()),
    meta: { numeric: true },
  }),
  column.accessor((s) => Number(s.totalCostUsd), {
    enableSorting: sortable,
    id: 'totalCostUsd',
    header: 'Cost',
    cell: ({ row: { original } }) => <span title={original.totalCostUsd}>{formatUsd(original.totalCostUsd)}</span>,
    meta: { numeric: true },
  }),
  column.accessor((s) => Number(s.totalTokens), {
    enableSorting: sortable,
    id: 'totalTokens',
    header: 'Tokens',
    cell: ({ row: { original } }) => formatCount(Number(original.totalTokens)),
    meta: { numeric: true },
  }),
];

interface SessionTableProps {
  sessions: SessionRow[];
  sort: SessionSort;
  descending: boolean;
  /** Absent: the order is fixed (the most expensive view). */
  onSort?: (sort: SessionSort, descending: boolean) => void;
  caption: string;
}

export function SessionTable({ sessions, sort, descending, onSort, caption }: SessionTableProps) {
  const names = useInventoryNames();
  const sortable = onSort !== undefined;
  const columns = useMemo(() => sessionColumns(names, sortable), [names, sortable]);
  const sorting: SortingState = [{ id: SORT_COLUMNS[sort], desc: descending }];
  const table = useDataTable({
    data: sessions,
    columns,
    serverSorting: {
      sorting,
      onChange: (next) => {
        const [first] = next;
        const field = (Object.keys(SORT_COLUMNS) as SessionSort[]).find((f) => SORT_COLUMNS[f] === first?.id);
        if (field && onSort) onSort(field, first?.desc ?? true);
      },
    },
  });
  if (sessions.length === 0) return <Empty>No sessions match these filters.</Empty>;
  return <DataTable table={table} caption={caption} />;
}
