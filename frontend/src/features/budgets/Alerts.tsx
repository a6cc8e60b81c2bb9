import { createColumnHelper } from '@tanstack/react-table';
import { DataTable, useDataTable } from '../../components/DataTable';
import { Empty } from '../../components/Status';
import type { BudgetsQuery as Result } from '../../gql/graphql';
import { periodName, scopeLabel } from './scope';
import { formatDateTime, formatUsd } from '../../lib/format';

type AlertRow = Result['alerts']['nodes'][number];
const column = createColumnHelper<AlertRow>();
const alertColumns = [
  column.accessor('createdAt', { header: 'Raised', cell: ({ getValue }) => formatDateTime(getValue()) }),
  column.accessor('budgetName', { header: 'Budget' }),
  column.accessor((a) => scopeLabel(a), { id: 'scope', header: 'Scope' }),
  column.accessor((a) => periodName(a.period), { id: 'period', header: 'Period' }),
  column.accessor('periodStart', { header: 'Period from' }),
  column.accessor('thresholdPct', { header: 'Threshold', cell: ({ getValue }) => `${getValue()}%`, meta: { numeric: true } }),
  column.accessor((a) => Number(a.spendUsd), {
    id: 'spend',
    header: 'Spend',
    cell: ({ row: { original } }) => `${formatUsd(original.spendUsd)} of ${formatUsd(original.amountUsd)}`,
    meta: { numeric: true },
  }),
  column.accessor('status', {
    header: 'Delivery',
    cell: ({ row: { original } }) => (
      <span title={original.lastError ?? undefined} className={`tag tag-${original.status.toLowerCase()}`}>
        {original.status.toLowerCase().replace('_', ' ')}
        {original.attempts > 1 && ` (${original.attempts} attempts)`}
      </span>
    ),
  }),
];

export function Alerts({ alerts }: { alerts: AlertRow[] }) {
  const table = useDataTable({ data: alerts, columns: alertColumns });
  if (alerts.length === 0) return <Empty>No alerts raised yet.</Empty>;
  return <DataTable table={table} caption="Budget alerts, newest first" />;
}
