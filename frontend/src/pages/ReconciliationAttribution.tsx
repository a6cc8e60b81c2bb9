import { type CellContext, createColumnHelper } from '@tanstack/react-table';
import { useMemo } from 'react';
import { Bar, CartesianGrid, ComposedChart, Legend, Line, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { useQuery } from 'urql';
import { AttributionQuery } from '../api/queries';
import { DataTable, useDataTable } from '../components/DataTable';
import { Identity } from '../components/Identity';
import { StatCard } from '../components/StatCard';
import { Empty, QueryView } from '../components/Status';
import { useInventoryNames } from '../hooks/useInventoryNames';
import {
  type Amount,
  ATTRIBUTION_CATEGORIES,
  type AttributionGroupRow,
  type AttributionLine,
  type AttributionMeasure,
  attributionByGroup,
  dailyAttribution,
  exactAmount,
} from '../lib/attribution';
import { formatDay } from '../lib/dates';
import { formatCompact, formatCount, formatPercent } from '../lib/format';
import { formatUsd } from '../lib/money';
import { type NameIndex, nameOf } from '../lib/names';
import { reconciliationProject } from '../lib/reconciliation';
import { NOT_REPORTED } from '../lib/usage';

interface AttributionViewProps {
  from: string;
  to: string;
  measure: AttributionMeasure;
  byKey: boolean;
}

/** Per day, provider, project and key: the chart sums the groups, the table folds the days. */
const GROUP_BY = ['PROVIDER', 'PROJECT', 'API_KEY'] as const;

export function AttributionView({ from, to, measure, byKey }: AttributionViewProps) {
  const names = useInventoryNames();
  const [result, refetch] = useQuery({ query: AttributionQuery, variables: { from, to, groupBy: [...GROUP_BY] } });
  return (
    <QueryView
      result={result}
      onRetry={() => refetch({ requestPolicy: 'network-only' })}
      loadingLabel="Matching app-reported usage with provider usage…"
    >
      {(data) => (
        <Attribution
          rows={data.attribution.rows}
          totals={data.attribution.totals}
          names={names}
          range={{ from, to }}
          measure={measure}
          byKey={byKey}
        />
      )}
    </QueryView>
  );
}

function show(amount: { tokens: number; costUsd: string | Amount['costUsd'] }, measure: AttributionMeasure): string {
  return measure === 'tokens' ? formatCount(amount.tokens) : formatUsd(amount.costUsd);
}

/** For cards: "1.1B" tokens (the exact count is in the title). */
function showShort(amount: { tokens: number; costUsd: string | Amount['costUsd'] }, measure: AttributionMeasure): string {
  return measure === 'tokens' ? formatCompact(amount.tokens) : formatUsd(amount.costUsd);
}

function other(amount: { tokens: number; costUsd: string | Amount['costUsd'] }, measure: AttributionMeasure): string {
  return measure === 'tokens' ? formatUsd(amount.costUsd) : `${formatCount(amount.tokens)} tokens`;
}

function Attribution({
  rows,
  totals,
  names,
  range,
  measure,
  byKey,
}: {
  rows: AttributionLine[];
  totals: AttributionLine;
  names: NameIndex;
  range: { from: string; to: string };
  measure: AttributionMeasure;
  byKey: boolean;
}) {
  const points = useMemo(() => dailyAttribution(rows, measure), [rows, measure]);
  const groups = useMemo(() => attributionByGroup(rows, byKey), [rows, byKey]);
  const columns = useMemo(() => attributionColumns(names, measure, byKey), [names, measure, byKey]);
  const table = useDataTable({ data: groups, columns, pageSize: 50 });
  const unit = measure === 'tokens' ? 'tokens' : 'cost';
  const title = `Matched, provider-only and app-only ${unit} per day, ${range.from} to ${range.to}`;
  const hasUsage = totals.provider.tokens > 0 || totals.app.tokens > 0;

  return (
    <>
      <dl className="stats" aria-label="Attribution totals">
        <StatCard
          testId="attr-coverage"
          label="Coverage"
          value={totals.coveragePercent === null || totals.coveragePercent === undefined ? '—' : formatPercent(totals.coveragePercent, 2)}
          exact={totals.coveragePercent == null ? '' : String(totals.coveragePercent)}
          detail={<span className="muted">of provider tokens reported by apps</span>}
        />
        <StatCard
          testId="attr-provider"
          label={`Provider ${unit}`}
          value={showShort(totals.provider, measure)}
          exact={exactAmount(totals.provider, measure)}
          detail={<span className="muted">{other(totals.provider, measure)}</span>}
        />
        {ATTRIBUTION_CATEGORIES.map((c) => (
          <StatCard
            key={c.key}
            testId={`attr-${c.key}`}
            label={c.label}
            value={showShort(totals[c.key], measure)}
            exact={exactAmount(totals[c.key], measure)}
            detail={<span className="muted">{other(totals[c.key], measure)}</span>}
          />
        ))}
        <StatCard
          testId="attr-mismatched"
          label="Mismatched keys"
          value={formatCount(totals.mismatchedKeys)}
          exact={String(totals.mismatchedKeys)}
          detail={<span className="muted">grain keys both sides report differently</span>}
        />
      </dl>

      <section className="panel" aria-labelledby="attr-chart-title">
        <h2 id="attr-chart-title">Attribution per day</h2>
        {!hasUsage ? (
          <Empty>
            No provider or app-reported usage between {formatDay(range.from)} and {formatDay(range.to)}.
          </Empty>
        ) : (
          <figure className="chart" aria-label={title}>
            <div className="chart-canvas" aria-hidden="true">
              <ResponsiveContainer width="100%" height="100%">
                <ComposedChart data={points} margin={{ top: 8, right: 8, bottom: 0, left: 8 }}>
                  <CartesianGrid vertical={false} stroke="#e5e7eb" />
                  <XAxis dataKey="date" tickFormatter={formatDay} tick={{ fontSize: 12 }} minTickGap={16} />
                  <YAxis
                    yAxisId="amount"
                    tick={{ fontSize: 12 }}
                    width={64}
                    tickFormatter={(v: number) => (measure === 'cost' ? `$${formatCompact(v)}` : formatCompact(v))}
                  />
                  <YAxis
                    yAxisId="coverage"
                    orientation="right"
                    tick={{ fontSize: 12 }}
                    width={48}
                    domain={[0, (max: number) => Math.max(1, Math.ceil(max))]}
                    tickFormatter={(v: number) => `${v}%`}
                  />
                  <Tooltip
                    labelFormatter={(label) => formatDay(String(label))}
                    formatter={(value, name) =>
                      name === 'Coverage'
                        ? formatPercent(Number(value), 2)
                        : measure === 'cost'
                          ? formatUsd(String(value))
                          : formatCount(Number(value))
                    }
                  />
                  <Legend wrapperStyle={{ fontSize: 12 }} />
                  {ATTRIBUTION_CATEGORIES.map((c) => (
                    <Bar
                      key={c.key}
                      yAxisId="amount"
                      dataKey={c.key}
                      name={c.label}
                      stackId="attribution"
                      fill={c.color}
                      isAnimationActive={false}
                    />
                  ))}
                  <Line
                    yAxisId="coverage"
                    dataKey="coverage"
                    name="Coverage"
                    stroke="#1d4ed8"
                    strokeWidth={2}
                    dot={false}
                    connectNulls
                    isAnimationActive={false}
                  />
                </ComposedChart>
              </ResponsiveContainer>
            </div>
            <figcaption className="visually-hidden">
              {title}.{' '}
              {ATTRIBUTION_CATEGORIES.map((c) => `${c.label}: ${show(totals[c.key], measure)}`).join('; ')}. The line is
              each day's coverage, on the right axis.
            </figcaption>
          </figure>
        )}
        <dl className="plain-list small">
          <div>
            <dt>
              <span className="swatch" style={{ background: '#1d4ed8' }} aria-hidden="true" /> <strong>Coverage</strong>
            </dt>
            <dd className="muted">Matched tokens as a share of the provider's, per day (right axis).</dd>
          </div>
          {ATTRIBUTION_CATEGORIES.map((c) => (
            <div key={c.key}>
              <dt>
                <span className="swatch" style={{ background: c.color }} aria-hidden="true" /> <strong>{c.label}</strong>
              </dt>
              <dd className="muted">{c.hint}</dd>
            </div>
          ))}
        </dl>
      </section>

      <section className="panel" aria-labelledby="attr-table-title">
        <h2 id="attr-table-title">{byKey ? 'Per project and API key' : 'Per project'}</h2>
        <p className="muted small">
          Interactions match provider usage by provider, day, project, API key, model (the provider's exact id) and
          service tier; an app that reports another project or key than the provider shows as app-only here.
        </p>
        {groups.length === 0 ? (
          <Empty>No usage in this range.</Empty>
        ) : (
          <DataTable table={table} caption={byKey ? 'Attribution per project and API key' : 'Attribution per project'} />
        )}
      </section>
    </>
  );
}

const column = createColumnHelper<AttributionGroupRow>();

function attributionColumns(names: NameIndex, measure: AttributionMeasure, byKey: boolean) {
  const amount = (key: 'provider' | 'app' | 'matched' | 'providerOnly' | 'appOnly', header: string) =>
    column.accessor((r) => (measure === 'tokens' ? r[key].tokens : r[key].costUsd.toNumber()), {
      id: key,
      header,
      cell: ({ row: { original } }: CellContext<AttributionGroupRow, number>) => (
        <span title={exactAmount(original[key], measure)}>{show(original[key], measure)}</span>
      ),
      meta: { numeric: true },
    });
  return [
    column.accessor((r) => r.group.provider, { id: 'provider-name', header: 'Provider' }),
    column.accessor((r) => reconciliationProject(r.group, names), {
      id: 'project',
      header: 'Project',
      cell: ({ getValue, row: { original } }) => <Identity label={getValue()} id={original.group.projectId} />,
    }),
    ...(byKey
      ? [
          column.accessor((r) => nameOf(names, 'API_KEY', r.group.apiKeyId) ?? (r.group.apiKeyId || NOT_REPORTED), {
            id: 'apiKey',
            header: 'API key',
            cell: ({ getValue, row: { original } }) => <Identity label={getValue()} id={original.group.apiKeyId ?? ''} />,
          }),
        ]
      : []),
    amount('provider', 'Provider'),
    amount('app', 'Apps'),
    amount('matched', 'Matched'),
    amount('providerOnly', 'Provider only'),
    amount('appOnly', 'App only'),
    column.accessor((r) => r.coveragePercent ?? -1, {
      id: 'coverage',
      header: 'Coverage',
      cell: ({ row: { original } }) =>
        original.coveragePercent === null ? (
          <span className="muted" title="No provider usage">
            —
          </span>
        ) : (
          formatPercent(original.coveragePercent, 2)
        ),
      meta: { numeric: true },
    }),
    column.accessor('mismatchedKeys', {
      header: 'Mismatched keys',
      cell: ({ getValue }) => (getValue() > 0 ? <span className="warning">{formatCount(getValue())}</span> : '0'),
      meta: { numeric: true },
    }),
  ];
}
