import { createColumnHelper } from '@tanstack/react-table';
import Decimal from 'decimal.js';
import type { NameIndex } from '../../../lib/names';
import { causeHint, causeLabel, reconciliationProject, type ReconciliationRow } from '../reconciliation';
import { formatVarianceUsd, formatUsd, formatSignedPercent } from '../../../lib/format';

const rowColumn = createColumnHelper<ReconciliationRow>();
const money = (field: 'billedUsd' | 'computedUsd', header: string) =>
  rowColumn.accessor((r) => Number(r[field]), {
    id: field,
    header,
    cell: ({ row: { original } }) => <span title={original[field]}>{formatUsd(original[field])}</span>,
    meta: { numeric: true },
  });

/** A row per day, provider and project; the project by name, its id in the tooltip. */
export function costColumns(names: NameIndex) {
  return [
    rowColumn.accessor('date', { header: 'Day' }),
    rowColumn.accessor('provider', { header: 'Provider' }),
    rowColumn.accessor((r) => reconciliationProject(r, names), {
      id: 'project',
      header: 'Project',
      cell: ({ getValue, row: { original } }) =>
        original.projectId && getValue() !== original.projectId ? (
          <span title={original.projectId} data-id={original.projectId}>
            {getValue()}
          </span>
        ) : (
          getValue()
        ),
    }),
    money('billedUsd', 'Billed'),
    money('computedUsd', 'Computed'),
    rowColumn.accessor((r) => Number(r.varianceUsd), {
      id: 'varianceUsd',
      header: 'Variance',
      cell: ({ row: { original } }) => <span title={original.varianceUsd}>{formatVarianceUsd(new Decimal(original.varianceUsd))}</span>,
      meta: { numeric: true },
    }),
    rowColumn.accessor((r) => (r.variancePercent === null ? Number.NEGATIVE_INFINITY : Number(r.variancePercent)), {
      id: 'variancePercent',
      header: 'Variance %',
      cell: ({ row: { original } }) =>
        original.variancePercent === null ? <span className="muted">not billed</span> : formatSignedPercent(original.variancePercent, 2),
      meta: { numeric: true },
    }),
    rowColumn.accessor((r) => (r.withinTolerance ? '' : causeLabel(r.likelyCause) || 'outside'), {
      id: 'status',
      header: 'Status',
      cell: ({ row: { original } }) =>
        original.withinTolerance ? (
          <span className="tag tag-succeeded">within tolerance</span>
        ) : (
          <span className="tag tag-failed" title={causeHint(original.likelyCause)}>
            {causeLabel(original.likelyCause) || 'outside tolerance'}
          </span>
        ),
    }),
    rowColumn.accessor('billedLines', { header: 'Bill lines', meta: { numeric: true } }),
    rowColumn.accessor('usageBuckets', { header: 'Usage buckets', meta: { numeric: true } }),
    rowColumn.accessor('unpricedBuckets', {
      header: 'Unpriced',
      cell: ({ getValue }) => (getValue() > 0 ? <span className="warning">{getValue()}</span> : '0'),
      meta: { numeric: true },
    }),
  ];
}
