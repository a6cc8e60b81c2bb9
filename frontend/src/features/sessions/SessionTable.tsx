import { createColumnHelper } from '@tanstack/react-table';
import { useMemo } from 'react';
import { Link } from 'react-router';
import { DataTable, useDataTable } from '../../components/DataTable';
import { Empty } from '../../components/Status';
import type { SessionsQuery as Result } from '../../gql/graphql';
import { formatCount, formatDateTime, formatDuration, formatUsd } from '../../lib/format';
import { type NameIndex, nameOrId } from '../../lib/names';
import { useInventoryNames } from '../shared/useInventoryNames';

type SessionRow = Result['sessions']['nodes'][number];
const column = createColumnHelper<SessionRow>();
/** Application user ids are the app's own; one a provider also reports (e.g. its user id) reads by name. */
const sessionColumns = (names: NameIndex) => [
  column.accessor('startedAt', {
    header: 'Started',
    cell: ({ row: { original } }) => (
      <Link to={`/sessions/${encodeURIComponent(original.id)}`}>{formatDateTime(original.startedAt)}</Link>
    ),
  }),
  column.accessor((s) => nameOrId(names, 'USER', s.userId), {
    id: 'userId',
    header: 'User',
    cell: ({ getValue, row: { original } }) =>
      getValue() === original.userId ? getValue() : <span title={original.userId}>{getValue()}</span>,
  }),
  column.accessor((s) => s.externalId ?? '', { id: 'externalId', header: 'External id' }),
  column.accessor((s) => (s.endedAt ? Date.parse(s.endedAt) - Date.parse(s.startedAt) : -1), {
    id: 'duration',
    header: 'Duration',
    cell: ({ getValue }) => (getValue() < 0 ? <span className="muted">open</span> : formatDuration(getValue())),
    meta: { numeric: true },
  }),
  column.accessor('interactionCount', {
    header: 'Interactions',
    cell: ({ getValue }) => formatCount(getValue()),
    meta: { numeric: true },
  }),
  column.accessor((s) => Number(s.totalCostUsd), {
    id: 'totalCostUsd',
    header: 'Cost',
    cell: ({ row: { original } }) => <span title={original.totalCostUsd}>{formatUsd(original.totalCostUsd)}</span>,
    meta: { numeric: true },
  }),
];

export function SessionTable({ sessions }: { sessions: SessionRow[] }) {
  const names = useInventoryNames();
  const columns = useMemo(() => sessionColumns(names), [names]);
  const table = useDataTable({ data: sessions, columns });
  if (sessions.length === 0) return <Empty>No sessions match these filters.</Empty>;
  return <DataTable table={table} caption="Sessions, newest first" />;
}
