import { createColumnHelper } from '@tanstack/react-table';
import { useMemo } from 'react';
import { Link, useParams } from 'react-router';
import { useQuery } from 'urql';
import { ParityReportQuery } from '../api/queries';
import { DataTable, useDataTable } from '../components/DataTable';
import { Identity } from '../components/Identity';
import { PageHeader } from '../components/Layout';
import { StatCard } from '../components/StatCard';
import { Empty, QueryView } from '../components/Status';
import type { ParityReportQuery as Result } from '../gql/graphql';
import { useInventoryNames } from '../hooks/useInventoryNames';
import { formatDateTime } from '../lib/dates';
import { formatCount } from '../lib/format';
import { type NameIndex, nameOrId } from '../lib/names';
import { formatParityDifference, formatParityValue, parityFieldLabel, toleranceLabel } from '../lib/parity';

type Report = Result['parityReport'];
type Day = Report['days'][number];
type Window = Report['missing'][number];
type FieldDiff = Window['fields'][number];

/** One compared field: the export's figure, the stored one and the difference. */
function Diff({ diff }: { diff: FieldDiff | undefined }) {
  if (!diff) return <span className="muted">—</span>;
  return (
    <span
      className={diff.withinTolerance ? undefined : 'warning'}
      title={`CSV ${diff.csv}, stored ${diff.stored}, difference ${diff.difference}`}
      data-difference={diff.difference}
    >
      {formatParityValue(diff.field, diff.stored)}
      <span className="muted small"> vs {formatParityValue(diff.field, diff.csv)}</span>
      {diff.difference !== '0' && !/^0(\.0+)?$/.test(diff.difference) && (
        <span className="small"> ({formatParityDifference(diff.field, diff.difference)})</span>
      )}
    </span>
  );
}

const dayColumn = createColumnHelper<Day>();
function dayColumns(fields: string[]) {
  return [
    dayColumn.accessor('date', { header: 'Day' }),
    dayColumn.accessor('csvWindows', { header: 'CSV windows', meta: { numeric: true } }),
    dayColumn.accessor('storedWindows', { header: 'Stored windows', meta: { numeric: true } }),
    dayColumn.accessor('withinTolerance', {
      header: 'Result',
      cell: ({ getValue }) => (
        <span className={`tag ${getValue() ? 'tag-succeeded' : 'tag-failed'}`}>{getValue() ? 'within' : 'outside'}</span>
      ),
    }),
    ...fields.map((field) =>
      dayColumn.accessor((d) => Number(d.totals.find((t) => t.field === field)?.difference ?? 0), {
        id: field,
        header: `${parityFieldLabel(field)} (stored vs CSV)`,
        cell: ({ row: { original } }) => <Diff diff={original.totals.find((t) => t.field === field)} />,
        meta: { numeric: true },
      }),
    ),
  ];
}

const windowColumn = createColumnHelper<Window>();
function windowColumns(names: NameIndex, fields: string[], cost: boolean) {
  const identity = (key: 'projectId' | 'apiKeyId' | 'userId', dimension: 'PROJECT' | 'API_KEY' | 'USER', header: string) =>
    windowColumn.accessor((w) => nameOrId(names, dimension, w[key], ''), {
      id: key,
      header,
      cell: ({ getValue, row: { original } }) => <Identity label={getValue()} id={original[key]} />,
    });
  return [
    windowColumn.accessor('date', { header: 'Day' }),
    identity('projectId', 'PROJECT', 'Project'),
    ...(cost
      ? [windowColumn.accessor('lineItem', { header: 'Line item' })]
      : [
          identity('apiKeyId', 'API_KEY', 'API key'),
          identity('userId', 'USER', 'User'),
          windowColumn.accessor('model', { header: 'Model' }),
          windowColumn.accessor('batch', { header: 'Batch' }),
          windowColumn.accessor('serviceTier', { header: 'Tier' }),
        ]),
    ...fields.map((field) =>
      windowColumn.accessor((w) => Number(w.fields.find((f) => f.field === field)?.difference ?? 0), {
        id: `field-${field}`,
        header: parityFieldLabel(field),
        cell: ({ row: { original } }) => <Diff diff={original.fields.find((f) => f.field === field)} />,
        meta: { numeric: true },
      }),
    ),
  ];
}

export function ParityReportPage() {
  const { id = '' } = useParams();
  const [result, refetch] = useQuery({ query: ParityReportQuery, variables: { id } });
  return (
    <>
      <PageHeader title={`Parity report #${id}`}>
        <Link to="/reconciliation?view=parity">← All parity reports</Link>
      </PageHeader>
      <QueryView result={result} onRetry={() => refetch({ requestPolicy: 'network-only' })} loadingLabel="Loading report…">
        {(data) => <ReportDetail report={data.parityReport} />}
      </QueryView>
    </>
  );
}

function ReportDetail({ report }: { report: Report }) {
  const names = useInventoryNames();
  const cost = report.kind === 'cost';
  const days = useMemo(() => dayColumns(report.fields), [report.fields]);
  const windows = useMemo(() => windowColumns(names, report.fields, cost), [names, report.fields, cost]);
  const dayTable = useDataTable({ data: report.days, columns: days, pageSize: 62 });
  const stat = (key: 'csvRows' | 'matchedWindows' | 'missingWindows' | 'extraWindows' | 'mismatchedWindows', label: string, detail?: string) => (
    <StatCard
      testId={`parity-${key}`}
      label={label}
      value={formatCount(report[key])}
      exact={String(report[key])}
      detail={detail && <span className="muted">{detail}</span>}
    />
  );

  return (
    <>
      <p>
        <span className={`tag ${report.withinTolerance ? 'tag-succeeded' : 'tag-failed'}`} data-testid="parity-result">
          {report.withinTolerance ? 'within tolerance' : 'differences found'}
        </span>{' '}
        {report.provider} {cost ? 'cost' : 'usage'} export <strong>{report.fileName || '(no file name)'}</strong>,{' '}
        {report.rangeStart} → {report.rangeEnd}
      </p>
      <dl className="stats" aria-label="Parity report counts">
        {stat('csvRows', 'CSV rows', `${formatCount(report.csvWindows)} windows in the export`)}
        {stat('matchedWindows', 'Matched windows', `of ${formatCount(report.storedWindows)} stored`)}
        {stat('missingWindows', 'Missing', 'in the export, not stored')}
        {stat('extraWindows', 'Extra', 'stored, not in the export')}
        {stat('mismatchedWindows', 'Mismatched', 'in both, outside tolerance')}
      </dl>
      <section className="panel" aria-labelledby="parity-meta-title">
        <h2 id="parity-meta-title">About this report</h2>
        <dl className="meta-list">
          <dt>Connection</dt>
          <dd>{report.connection || <span className="muted">—</span>}</dd>
          <dt>Made</dt>
          <dd>
            {formatDateTime(report.createdAt)} by <code>{report.source}</code>
          </dd>
          <dt>Tolerance</dt>
          <dd>{toleranceLabel(report.kind, report.tolerance, report.tolerancePct)}</dd>
          <dt>Fields compared</dt>
          <dd>{report.fields.map(parityFieldLabel).join(', ') || <span className="muted">none</span>}</dd>
          <dt>File hash</dt>
          <dd>
            <code className="break">{report.contentHash}</code>
          </dd>
        </dl>
      </section>
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

function Findings({
  title,
  hint,
  windows,
  columns,
}: {
  title: string;
  hint: string;
  windows: Window[];
  columns: ReturnType<typeof windowColumns>;
}) {
  const table = useDataTable({ data: windows, columns, pageSize: 50 });
  const headingId = `parity-${title.split(' ')[0]?.toLowerCase()}-title`;
  return (
    <section className="panel" aria-labelledby={headingId}>
      <h2 id={headingId}>
        {title} <span className="muted">({formatCount(windows.length)})</span>
      </h2>
      <p className="muted small">{hint}</p>
      {windows.length === 0 ? <Empty>None.</Empty> : <DataTable table={table} caption={title} />}
    </section>
  );
}
