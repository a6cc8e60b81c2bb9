import { createColumnHelper } from '@tanstack/react-table';
import type { RepriceDiffRow } from './reprice';

const diffColumn = createColumnHelper<RepriceDiffRow>();

export const repriceColumns = [
  diffColumn.accessor('date', { header: 'Day' }),
  diffColumn.accessor('provider', { header: 'Provider' }),
  diffColumn.accessor('bucketsChanged', { header: 'Buckets changed', meta: { numeric: true } }),
  diffColumn.accessor((r) => Number(r.oldCostUsd), {
    id: 'old',
    header: 'Old cost',
    cell: ({ row: { original } }) => <span title={original.oldCostUsd}>{original.old}</span>,
    meta: { numeric: true },
  }),
  diffColumn.accessor((r) => Number(r.newCostUsd), {
    id: 'new',
    header: 'New cost',
    cell: ({ row: { original } }) => <span title={original.newCostUsd}>{original.new}</span>,
    meta: { numeric: true },
  }),
  diffColumn.accessor((r) => Number(r.deltaUsd), {
    id: 'delta',
    header: 'Delta',
    cell: ({ row: { original } }) => (
      <span title={original.deltaUsd} data-value={original.deltaUsd}>
        {original.delta}
      </span>
    ),
    meta: { numeric: true },
  }),
  diffColumn.accessor('pricing', { header: 'Pricing', cell: ({ getValue }) => getValue() || <span className="muted">—</span> }),
];
