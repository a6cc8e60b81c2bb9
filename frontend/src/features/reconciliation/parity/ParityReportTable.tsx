import { createColumnHelper } from '@tanstack/react-table';
import { Link } from 'react-router';
import { DataTable, useDataTable } from '../../../components/DataTable';
import { Empty } from '../../../components/Status';
import type { ParityReportSummaryFieldsFragment as Report } from '../../../gql/graphql';
import { formatCount, formatDateTime } from '../../../lib/format';
import { exportKindLabel } from './parity';

const column = createColumnHelper<Report>();
const count = (key: 'csvRows' | 'matchedWindows' | 'missingWindows' | 'extraWindows' | 'mismatchedWindows', header: string) =>
  column.accessor(key, {
    header,
    cell: ({ getValue }) => <span data-field={key}>{formatCount(getValue())}</span>,
    meta: { numeric: true },
  });

const reportColumns = [
  column.accessor((r) => Number(r.id), {
    id: 'id',
    header: 'Report',
    cell: ({ row: { original } }) => (
      <Link to={`/reconciliation/parity/${encodeURIComponent(original.id)}`} aria-label={`View parity report #${original.id}`}>
        #{original.id}
      </Link>
    ),
  }),
  column.accessor('createdAt', { header: 'Made', cell: ({ getValue }) => formatDateTime(getValue()) }),
  column.accessor('provider', { header: 'Provider' }),
  column.accessor((r) => exportKindLabel(r.kind), { id: 'kind', header: 'Export' }),
  column.accessor((r) => r.fileName || r.source, {
    id: 'file',
    header: 'File',
    cell: ({ row: { original } }) => (
      <span title={`source: ${original.source}`}>{original.fileName || <span className="muted">{original.source}</span>}</span>
    ),
  }),
  column.accessor((r) => `${r.rangeStart} → ${r.rangeEnd}`, { id: 'range', header: 'Days' }),
  count('csvRows', 'CSV rows'),
  count('matchedWindows', 'Matched'),
  count('missingWindows', 'Missing'),
  count('extraWindows', 'Extra'),
  count('mismatchedWindows', 'Mismatched'),
  column.accessor('withinTolerance', {
    header: 'Result',
    cell: ({ getValue }) => (
      <span className={`tag ${getValue() ? 'tag-succeeded' : 'tag-failed'}`}>
        {getValue() ? 'within tolerance' : 'differences found'}
      </span>
    ),
  }),
];

export function ParityReportTable({ reports }: { reports: Report[] }) {
  const table = useDataTable({ data: reports, columns: reportColumns });
  if (reports.length === 0) return <Empty>No parity reports yet.</Empty>;
  return <DataTable table={table} caption="CSV parity reports, newest first" />;
}
