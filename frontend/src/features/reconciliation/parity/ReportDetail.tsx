import { useMemo } from 'react';
import { DataTable, useDataTable } from '../../../components/DataTable';
import { Empty } from '../../../components/Status';
import { useInventoryNames } from '../../shared/useInventoryNames';
import { Findings } from './Findings';
import { dayColumns, windowColumns } from './parityColumns';
import type { Report } from './report';
import { ReportAbout } from './ReportAbout';
import { ReportCounts } from './ReportCounts';

export function ReportDetail({ report }: { report: Report }) {
  const names = useInventoryNames();
  const cost = report.kind === 'COST';
  const days = useMemo(() => dayColumns(report.fields), [report.fields]);
  const windows = useMemo(() => windowColumns(names, report.fields, cost), [names, report.fields, cost]);
  const dayTable = useDataTable({ data: report.days, columns: days, pageSize: 62 });

  return (
    <>
      <p>
        <span className={`tag ${report.withinTolerance ? 'tag-succeeded' : 'tag-failed'}`} data-testid="parity-result">
          {report.withinTolerance ? 'within tolerance' : 'differences found'}
        </span>{' '}
        {report.provider} {cost ? 'cost' : 'usage'} export <strong>{report.fileName || '(no file name)'}</strong>,{' '}
        {report.rangeStart} → {report.rangeEnd}
      </p>
      <ReportCounts report={report} />
      <ReportAbout report={report} />
      <section className="panel" aria-labelledby="parity-days-title">
        <h2 id="parity-days-title">Per day</h2>
        {report.days.length === 0 ? (
          <Empty>This report has no per-day totals (it was stored before they existed).</Empty>
        ) : (
          <DataTable table={dayTable} caption="Per-day totals, stored vs CSV" />
        )}
      </section>
      {report.truncated && (
        <p className="notice" role="note">
          Only the first 200 findings of each kind are kept; the counts above are complete.
        </p>
      )}
      <Findings title="Mismatched windows" hint="In both, some field outside tolerance." windows={report.mismatched} columns={windows} />
      <Findings title="Missing windows" hint="In the export, not stored: usage not ingested (yet)." windows={report.missing} columns={windows} />
      <Findings title="Extra windows" hint="Stored, not in the export." windows={report.extra} columns={windows} />
    </>
  );
}
