import { createColumnHelper } from '@tanstack/react-table';
import { useMemo } from 'react';
import { DataTable, useDataTable } from '../../../components/DataTable';
import { Empty } from '../../../components/Status';
import type { ReconciliationReportsQuery as ReportsResult } from '../../../gql/graphql';
import type { NameIndex } from '../../../lib/names';
import { causeHint, causeLabel, reconciliationProject } from '../reconciliation';
import { formatDateTime, formatVarianceUsd, formatUsd } from '../../../lib/format';

type Report = ReportsResult['reconciliationReports']['nodes'][number];
type Finding = Report['findings'][number];

/** The rows a report kept outside tolerance: day, provider and project, the amounts, and the likely cause. */
function FindingList({ findings, names }: { findings: readonly Finding[]; names: NameIndex }) {
  return (
    <ul className="finding-list">
      {findings.map((f) => (
        <li key={`${f.date}/${f.provider}/${f.projectId ?? ''}`}>
          {f.date} · {f.provider} · {reconciliationProject(f, names)}: billed{' '}
          <span title={f.billedUsd}>{formatUsd(f.billedUsd)}</span>, computed{' '}
          <span title={f.computedUsd}>{formatUsd(f.computedUsd)}</span> (
          <span title={f.varianceUsd}>{formatVarianceUsd(f.varianceUsd)}</span>){' '}
          <span className="tag tag-failed" title={causeHint(f.likelyCause)}>
            {causeLabel(f.likelyCause)}
          </span>
        </li>
      ))}
    </ul>
  );
}

const reportColumn = createColumnHelper<Report>();

function reportColumns(names: NameIndex) {
  return [
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
    reportColumn.accessor((r) => r.findings.length, {
      id: 'findings',
      header: 'Findings',
      cell: ({ row: { original } }) =>
        original.findings.length === 0 ? (
          '0'
        ) : (
          <details>
            <summary>{original.findings.length}</summary>
            <FindingList findings={original.findings} names={names} />
          </details>
        ),
      // Not right-aligned: the count opens into sentences, which read from the left.
    }),
  ];
}

export function RecordedReportTable({ reports, names }: { reports: Report[]; names: NameIndex }) {
  const columns = useMemo(() => reportColumns(names), [names]);
  const table = useDataTable({ data: reports, columns });
  if (reports.length === 0) return <Empty>No reconciliation recorded yet: the daily job has not run.</Empty>;
  return <DataTable table={table} caption="Recorded reconciliations, newest first" />;
}
