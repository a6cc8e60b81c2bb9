import { createColumnHelper, type ColumnDef } from '@tanstack/react-table';
import { useId, useMemo, useState } from 'react';
import { useQuery } from 'urql';
import { DailyUsageQuery, FilterOptionsQuery } from '../api/queries';
import { DataTable, useDataTable } from '../components/DataTable';
import { FilterBar } from '../components/FilterBar';
import { PageHeader } from '../components/Layout';
import { StatCard } from '../components/StatCard';
import { Empty, QueryView } from '../components/Status';
import { UsageChart } from '../components/UsageChart';
import type { UsageDimension } from '../gql/graphql';
import { useInventoryNames } from '../hooks/useInventoryNames';
import { useSearchState } from '../hooks/useSearchState';
import { DIMENSIONS, type UsageFilterState, parseUsageFilter, toUsageFilter, usageFilterToParams } from '../lib/filters';
import { useIdentity } from '../auth/AuthContext';
import {
  bucketsExportUrl,
  download,
  exportColumns,
  exportFileName,
  MEASURES,
  toCsv,
  toJson,
  toRecords,
} from '../lib/export';
import { formatCompact, formatCount } from '../lib/format';
import { formatUsd } from '../lib/money';
import type { NameIndex } from '../lib/names';
import { GROUP_FIELD, groupValue, type Metric, METRICS, pivotSeries, type UsageRow, usageTotals } from '../lib/usage';

const column = createColumnHelper<UsageRow>();

function usageColumns(groupBy: readonly UsageDimension[], names: NameIndex): ColumnDef<UsageRow, never>[] {
  return [
    column.accessor('date', { header: 'Day' }),
    ...DIMENSIONS.filter((d) => groupBy.includes(d.value)).map((d) =>
      column.accessor((row) => groupValue(row, d.value, names), {
        id: d.value,
        header: d.label,
        // Sorted and shown by name; the raw id in the tooltip.
        cell: ({ getValue, row: { original } }) => {
          const id = original.group[GROUP_FIELD[d.value]] ?? '';
          const label = getValue();
          return label === id ? label : <span title={id || undefined}>{label}</span>;
        },
      }),
    ),
    ...MEASURES.filter((m) => m.field !== 'costUsd' && m.field !== 'costEstimated').map((m) =>
      m.field === 'pricedCostUsd'
        ? column.accessor((row) => Number(row.pricedCostUsd), {
            id: m.field,
            header: 'Cost',
            // Sorted by value, shown from the exact string.
            cell: ({ row: { original } }) => (
              <span title={original.pricedCostUsd}>
                {formatUsd(original.pricedCostUsd)}
                {original.costUsd === null && (
                  <abbr className="warning" title="Some usage in this row has no price and is not included">
                    {' '}
                    +?
                  </abbr>
                )}
                {original.costEstimated && <abbr title="Includes an estimated tiered price">*</abbr>}
              </span>
            ),
            meta: { numeric: true },
          })
        : column.accessor(m.field, {
            header: m.label,
            cell: ({ getValue }) => formatCount(Number(getValue())),
            meta: { numeric: true },
          }),
    ),
  ] as ColumnDef<UsageRow, never>[];
}

export function ExplorerPage() {
  const [state, update] = useSearchState(parseUsageFilter, usageFilterToParams);
  const names = useInventoryNames();
  const [options] = useQuery({ query: FilterOptionsQuery, variables: { from: state.from, to: state.to } });
  const [usage, refetch] = useQuery({
    query: DailyUsageQuery,
    variables: { filter: toUsageFilter(state), groupBy: state.groupBy },
  });

  return (
    <>
      <PageHeader title="Usage explorer" />
      <FilterBar state={state} options={options.data?.filterOptions} onChange={update} names={names} />
      <QueryView result={usage} onRetry={() => refetch({ requestPolicy: 'network-only' })} loadingLabel="Loading usage…">
        {(data) => <UsageView rows={data.dailyUsage} state={state} names={names} />}
      </QueryView>
    </>
  );
}

function UsageView({ rows, state, names }: { rows: UsageRow[]; state: UsageFilterState; names: NameIndex }) {
  const [metric, setMetric] = useState<Metric>('cost');
  const columns = useMemo(() => usageColumns(state.groupBy, names), [state.groupBy, names]);
  const table = useDataTable({ data: rows, columns, pageSize: 50 });
  const totals = usageTotals(rows);
  const { points, series } = pivotSeries(rows, state.groupBy, metric, 8, names);
  const metricId = useId();

  const identity = useIdentity();

  function exportView(format: 'csv' | 'json') {
    // The rows in the order the table is sorted, every page.
    const records = toRecords(
      table.getSortedRowModel().rows.map((r) => r.original),
      state.groupBy,
      names,
    );
    if (format === 'csv') download(exportFileName(state, 'csv'), 'text/csv', toCsv(records, exportColumns(state.groupBy)));
    else download(exportFileName(state, 'json'), 'application/json', toJson(state, records));
  }

  async function exportBuckets() {
    const response = await fetch(bucketsExportUrl(state, 'csv'), { headers: { authorization: `Bearer ${identity.token}` } });
    if (!response.ok) {
      window.alert(`The export failed: ${await response.text()}`);
      return;
    }
    download(`cognitrack-buckets-${state.from}-to-${state.to}.csv`, 'text/csv', await response.text());
  }

  return (
    <>
      <dl className="stats" aria-label="Totals for the current filter">
        <StatCard
          testId="total-cost"
          label="Spend"
          value={formatUsd(totals.pricedCostUsd)}
          exact={totals.pricedCostUsd.toFixed()}
          detail={
            totals.unpricedBuckets > 0 ? (
              <span className="warning">{formatCount(totals.unpricedBuckets)} unpriced buckets not included</span>
            ) : undefined
          }
        />
        <StatCard testId="total-tokens" label="Tokens" value={formatCompact(totals.tokens)} exact={String(totals.tokens)} />
        <StatCard
          testId="total-input"
          label="Input (cached)"
          value={`${formatCompact(totals.inputTokens)} (${formatCompact(totals.inputCachedTokens)})`}
          exact={String(totals.inputTokens)}
        />
        <StatCard testId="total-output" label="Output" value={formatCompact(totals.outputTokens)} exact={String(totals.outputTokens)} />
        <StatCard
          testId="total-requests"
          label="Requests"
          value={formatCompact(totals.requests)}
          exact={String(totals.requests)}
        />
      </dl>

      <section className="panel" aria-labelledby="explorer-chart-title">
        <div className="panel-header">
          <h2 id="explorer-chart-title">Per day</h2>
          <div className="field field-inline">
            <label htmlFor={metricId}>Measure</label>
            <select id={metricId} value={metric} onChange={(e) => setMetric(e.target.value as Metric)}>
              {METRICS.map((m) => (
                <option key={m.value} value={m.value}>
                  {m.label}
                </option>
              ))}
            </select>
          </div>
        </div>
        {series.length === 0 ? (
          <Empty>No usage matches these filters.</Empty>
        ) : (
          <UsageChart
            points={points}
            series={series}
            metric={metric}
            title={`Daily ${METRICS.find((m) => m.value === metric)?.label.toLowerCase()}, ${state.from} to ${state.to}`}
          />
        )}
      </section>

      <section className="panel" aria-labelledby="explorer-table-title">
        <div className="panel-header">
          <h2 id="explorer-table-title">Rows</h2>
          <div className="actions">
            <button type="button" className="button" onClick={() => exportView('csv')}>
              Export CSV
            </button>
            <button type="button" className="button" onClick={() => exportView('json')}>
              Export JSON
            </button>
            <button type="button" className="button" onClick={() => void exportBuckets()}>
              Raw buckets (CSV)
            </button>
          </div>
        </div>
        {rows.length === 0 ? (
          <Empty>No rows.</Empty>
        ) : (
          <DataTable table={table} caption="Daily usage rows for the current filter" />
        )}
      </section>
    </>
  );
}
