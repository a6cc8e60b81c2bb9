import { createColumnHelper } from '@tanstack/react-table';
import Decimal from 'decimal.js';
import { useId, useMemo, useState } from 'react';
import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { useQuery } from 'urql';
import { Link } from 'react-router';
import { CostReconciliationQuery, ReconciliationReportsQuery } from '../api/queries';
import { CursorPager } from '../components/CursorPager';
import { DataTable, useDataTable } from '../components/DataTable';
import { DateRangeFields } from '../components/DateRangeFields';
import { PageHeader } from '../components/Layout';
import { StatCard } from '../components/StatCard';
import { Empty, QueryView } from '../components/Status';
import type { ReconciliationReportsQuery as ReportsResult } from '../gql/graphql';
import { useCursorPaging } from '../hooks/useCursorPages';
import { useInventoryNames } from '../hooks/useInventoryNames';
import { useSearchState } from '../hooks/useSearchState';
import { formatDateTime, formatDay } from '../lib/dates';
import {
  parseReconciliation,
  RECONCILIATION_PROVIDERS,
  type ReconciliationState,
  type ReconciliationView,
  reconciliationToParams,
} from '../lib/filters';
import { formatCompact, formatCount } from '../lib/format';
import { formatSignedUsd, formatUsd } from '../lib/money';
import type { NameIndex } from '../lib/names';
import {
  causeLabel,
  dailyBilledVsComputed,
  LIKELY_CAUSES,
  reconciliationProject,
  type ReconciliationRow,
  reconciliationTotals,
} from '../lib/reconciliation';
import { AttributionView } from './ReconciliationAttribution';
import { ParityView } from './ReconciliationParity';

const PAGE_SIZE = 20;

const VIEWS: readonly { view: ReconciliationView; label: string }[] = [
  { view: 'cost', label: 'Billed vs computed' },
  { view: 'attribution', label: 'Attribution' },
  { view: 'parity', label: 'CSV parity' },
];

export function ReconciliationPage() {
  const [state, update] = useSearchState(parseReconciliation, reconciliationToParams);
  const providerId = useId();

  return (
    <>
      <PageHeader title="Reconciliation" />
      <nav className="tabs" aria-label="Reconciliation views">
        <ul>
          {VIEWS.map(({ view, label }) => (
            <li key={view}>
              <Link to={`?${reconciliationToParams({ ...state, view })}`} aria-current={state.view === view ? 'page' : undefined}>
                {label}
              </Link>
            </li>
          ))}
        </ul>
      </nav>
      {state.view === 'cost' && (
        <p className="muted">
          What the providers billed (their costs API) against what CogniTrack computed from usage and the price book, per
          UTC day and project. A row is within tolerance when the two differ by at most $0.01 or 1&nbsp;% of the bill.
        </p>
      )}
      {state.view === 'attribution' && (
        <p className="muted">
          How much of the providers' usage the applications reported as interactions: matched usage is attributed to
          sessions and users; the provider-only remainder is not.
        </p>
      )}
      {state.view !== 'parity' && (
        <form className="toolbar" onSubmit={(e) => e.preventDefault()} aria-label="Reconciliation options">
          <DateRangeFields from={state.from} to={state.to} onChange={update} />
          {state.view === 'cost' && (
            <div className="field">
              <label htmlFor={providerId}>Provider</label>
              <select
                id={providerId}
                value={state.providers[0] ?? ''}
                onChange={(e) => update({ providers: e.target.value ? [e.target.value] : [] })}
              >
                <option value="">Every provider</option>
                {RECONCILIATION_PROVIDERS.map((p) => (
                  <option key={p} value={p}>
                    {p}
                  </option>
                ))}
              </select>
            </div>
          )}
          {state.view === 'attribution' && (
            <>
              <div className="segmented" role="group" aria-label="Attribution measure">
                {(['tokens', 'cost'] as const).map((measure) => (
                  <button
                    key={measure}
                    type="button"
                    className="chip"
                    aria-pressed={state.measure === measure}
                    onClick={() => update({ measure })}
                  >
                    {measure === 'cost' ? 'Cost' : 'Tokens'}
                  </button>
                ))}
              </div>
              <label className="check">
                <input type="checkbox" checked={state.byKey} onChange={(e) => update({ byKey: e.target.checked })} />
                <span>Split projects by API key</span>
              </label>
            </>
          )}
        </form>
      )}
      {state.view === 'cost' && <CostView state={state} />}
      {state.view === 'attribution' && (
        <AttributionView from={state.from} to={state.to} measure={state.measure} byKey={state.byKey} />
      )}
      {state.view === 'parity' && <ParityView />}
    </>
  );
}

function CostView({ state }: { state: ReconciliationState }) {
  const names = useInventoryNames();
  const [result, refetch] = useQuery({
    query: CostReconciliationQuery,
    variables: { from: state.from, to: state.to, providers: state.providers.length > 0 ? state.providers : null },
  });
  return (
    <>
      <QueryView
        result={result}
        onRetry={() => refetch({ requestPolicy: 'network-only' })}
        loadingLabel="Reconciling billed and computed costs…"
      >
        {(data) => <CostReconciliation rows={data.costReconciliation} names={names} range={state} />}
      </QueryView>
      <RecordedReports />
    </>
  );
}

function CostReconciliation({
  rows,
  names,
  range,
}: {
  rows: ReconciliationRow[];
  names: NameIndex;
  range: { from: string; to: string };
}) {
  const totals = reconciliationTotals(rows);
  const points = dailyBilledVsComputed(rows);
  const [onlyOutside, setOnlyOutside] = useState(false);
  const shown = useMemo(() => (onlyOutside ? rows.filter((r) => !r.withinTolerance) : rows), [rows, onlyOutside]);
  const columns = useMemo(() => reconciliationColumns(names), [names]);
  const table = useDataTable({ data: shown, columns, pageSize: 50, initialSorting: [{ id: 'date', desc: true }] });
  const title = `Billed and computed cost per day, ${range.from} to ${range.to}`;

  return (
    <>
      <dl className="stats" aria-label="Reconciliation totals">
        <StatCard testId="recon-billed" label="Billed" value={formatUsd(totals.billedUsd)} exact={totals.billedUsd.toFixed()} />
        <StatCard
          testId="recon-computed"
          label="Computed"
          value={formatUsd(totals.computedUsd)}
          exact={totals.computedUsd.toFixed()}
          detail={
            totals.unpricedBuckets > 0 ? (
              <span className="warning">{formatCount(totals.unpricedBuckets)} unpriced buckets not included</span>
            ) : undefined
          }
        />
        <StatCard
          testId="recon-variance"
          label="Variance (computed − billed)"
          value={formatSignedUsd(totals.varianceUsd)}
          exact={totals.varianceUsd.toFixed()}
          detail={
            totals.variancePercent === null ? (
              <span className="muted">nothing billed</span>
            ) : (
              <span className="muted">{signedPercent(totals.variancePercent)} of the bill</span>
            )
          }
        />
        <StatCard
          testId="recon-outside"
          label="Rows outside tolerance"
          value={formatCount(totals.outsideTolerance)}
          exact={String(totals.outsideTolerance)}
          detail={<span className="muted">of {formatCount(totals.rows)} day × project rows</span>}
        />
      </dl>

      <section className="panel" aria-labelledby="recon-chart-title">
        <h2 id="recon-chart-title">Billed vs computed per day</h2>
        {points.length === 0 ? (
          <Empty>
            Nothing billed or computed between {formatDay(range.from)} and {formatDay(range.to)}.
          </Empty>
        ) : (
          <figure className="chart" aria-label={title}>
            <div className="chart-canvas" aria-hidden="true">
              <ResponsiveContainer width="100%" height="100%">
                <BarChart data={points} margin={{ top: 8, right: 8, bottom: 0, left: 8 }} barGap={1}>
                  <CartesianGrid vertical={false} stroke="#e5e7eb" />
                  <XAxis dataKey="date" tickFormatter={formatDay} tick={{ fontSize: 12 }} minTickGap={16} />
                  <YAxis tick={{ fontSize: 12 }} width={64} tickFormatter={(v: number) => `$${formatCompact(v)}`} />
                  <Tooltip
                    labelFormatter={(label) => formatDay(String(label))}
                    formatter={(value) => formatUsd(String(value))}
                  />
                  <Legend wrapperStyle={{ fontSize: 12 }} />
                  <Bar dataKey="billed" name="Billed" fill="#64748b" isAnimationActive={false} />
                  <Bar dataKey="computed" name="Computed" fill="#2563eb" isAnimationActive={false} />
                </BarChart>
              </ResponsiveContainer>
            </div>
            <figcaption className="visually-hidden">
              {title}. Billed {formatUsd(totals.billedUsd)}, computed {formatUsd(totals.computedUsd)};{' '}
              {points.filter((p) => p.outside > 0).length} days have rows outside tolerance.
            </figcaption>
          </figure>
        )}
      </section>

      <section className="panel" aria-labelledby="recon-table-title">
        <div className="panel-header">
          <h2 id="recon-table-title">Per day and project</h2>
          <label className="check">
            <input type="checkbox" checked={onlyOutside} onChange={(e) => setOnlyOutside(e.target.checked)} />
            <span>Only rows outside tolerance</span>
          </label>
        </div>
        {shown.length === 0 ? (
          <Empty>{onlyOutside ? 'Every row is within tolerance.' : 'No rows in this range.'}</Empty>
        ) : (
          <DataTable table={table} caption="Billed and computed cost per day and project" />
        )}
        <details className="small">
          <summary>What the likely causes mean</summary>
          <dl className="plain-list">
            {Object.entries(LIKELY_CAUSES).map(([key, cause]) => (
              <div key={key}>
                <dt>
                  <strong>{cause.label}</strong> <code>{key}</code>
                </dt>
                <dd className="muted">{cause.hint}</dd>
              </div>
            ))}
          </dl>
        </details>
      </section>
    </>
  );
}

function signedPercent(value: Decimal | string): string {
  const d = new Decimal(value);
  const sign = d.isZero() ? '±' : d.isNegative() ? '−' : '+';
  return `${sign}${d.abs().toFixed(2)}%`;
}

const rowColumn = createColumnHelper<ReconciliationRow>();
const money = (field: 'billedUsd' | 'computedUsd', header: string) =>
  rowColumn.accessor((r) => Number(r[field]), {
    id: field,
    header,
    cell: ({ row: { original } }) => <span title={original[field]}>{formatUsd(original[field])}</span>,
    meta: { numeric: true },
  });

function reconciliationColumns(names: NameIndex) {
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
      cell: ({ row: { original } }) => <span title={original.varianceUsd}>{formatSignedUsd(new Decimal(original.varianceUsd))}</span>,
      meta: { numeric: true },
    }),
    rowColumn.accessor((r) => (r.variancePercent === null ? Number.NEGATIVE_INFINITY : Number(r.variancePercent)), {
      id: 'variancePercent',
      header: 'Variance %',
      cell: ({ row: { original } }) =>
        original.variancePercent === null ? <span className="muted">not billed</span> : signedPercent(original.variancePercent),
      meta: { numeric: true },
    }),
    rowColumn.accessor((r) => (r.withinTolerance ? '' : causeLabel(r.likelyCause) || 'outside'), {
      id: 'status',
      header: 'Status',
      cell: ({ row: { original } }) =>
        original.withinTolerance ? (
          <span className="tag tag-succeeded">within tolerance</span>
        ) : (
          <span className="tag tag-failed" title={LIKELY_CAUSES[original.likelyCause ?? '']?.hint}>
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

/** What the daily job recorded. */
function RecordedReports() {
  const paging = useCursorPaging();
  const [result, refetch] = useQuery({
    query: ReconciliationReportsQuery,
    variables: { first: PAGE_SIZE, after: paging.after },
  });
  return (
    <section className="panel" aria-labelledby="recorded-title">
      <h2 id="recorded-title">Recorded reconciliations</h2>
      <p className="muted small">The daily job records one per run; each keeps the rows that were outside tolerance.</p>
      <QueryView result={result} onRetry={() => refetch({ requestPolicy: 'network-only' })} loadingLabel="Loading reports…">
        {(data) => (
          <>
            <ReportTable reports={data.reconciliationReports.nodes} />
            <CursorPager
              label="Recorded reconciliation pages"
              hasPrevious={paging.hasPrevious}
              hasNext={data.reconciliationReports.pageInfo.hasNextPage}
              onPrevious={paging.previous}
              onNext={() => paging.next(data.reconciliationReports.pageInfo.endCursor)}
            />
          </>
        )}
      </QueryView>
    </section>
  );
}

function ReportTable({ reports }: { reports: Report[] }) {
  const table = useDataTable({ data: reports, columns: reportColumns });
  if (reports.length === 0) return <Empty>No reconciliation recorded yet: the daily job has not run.</Empty>;
  return <DataTable table={table} caption="Recorded reconciliations, newest first" />;
}
