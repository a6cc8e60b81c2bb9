import { createColumnHelper } from '@tanstack/react-table';
import { DataTable, useDataTable } from '../../../components/DataTable';
import { Empty } from '../../../components/Status';
import type { ReconciliationReportsQuery as ReportsResult } from '../../../gql/graphql';
import { formatDateTime } from '../../../lib/dates';
import { formatUsd } from '../../../lib/money';

type Report = ReportsResult['reconciliationReports']['nodes'][number];
const reportColumn = createColumnHelper<Report>();
const reportColumns = [
  reportColumn.accessor('createdAt', { header: 'Recorded', cell: ({ getValue }) => formatDateTime(getValue()) }),
  reportColumn.accessor((r) => `${r.rangeStart} → ${r.rangeEnd}`, { id: 'range', header: 'Days' }),
  reportColumn.accessor((r) => Number(r.billedUsd), {
    id: 'billedUsd',
    header: 'Billed',
    cell: ({ row: { original } }) => <span title={original.billedUsd}>{formatUsd(original.billedUsd)}</span>,
    meta: { numeric: true },
  }),
  reportColumn.accessor((r) => Number(r.computedUsd), {
    id: 'computedUsd',
    header: 'Computed',
    cell: ({ row: { original } }) => <span title={original.computedUsd}>{formatUsd(original.computedUsd)}</span>,
    meta: { numeric: true },
  }),
  reportColumn.accessor('withinTolerance', {
    header: 'Result',
    cell: ({ getValue }) => (
      <span className={`tag ${getValue() ? 'tag-succeeded' : 'tag-failed'}`}>
        {getValue() ? 'within tolerance' : 'differences found'}
      </span>
    ),
  }),
  reportColumn.accessor((r) => (Array.isArray(r.findings) ? r.findings.length : 0), {
    id: 'findings',
    header: 'Findings',
    cell: ({ row: { original } }) => {
      const count = Array.isArray(original.findings) ? original.findings.length : 0;
      return count === 0 ? (
        '0'
      ) : (
        <details>
          <summary>{count}</summary>
          <pre className="json">{JSON.stringify(original.findings, null, 2)}</pre>
        </details>
      );
    },
    meta: { numeric: true },
  }),
];

export function RecordedReportTable({ reports }: { reports: Report[] }) {
  const table = useDataTable({ data: reports, columns: reportColumns });
  if (reports.length === 0) return <Empty>No reconciliation recorded yet: the daily job has not run.</Empty>;
  return <DataTable table={table} caption="Recorded reconciliations, newest first" />;
}
