import { createColumnHelper } from '@tanstack/react-table';
import { useMemo } from 'react';
import { Link } from 'react-router';
import { useQuery } from 'urql';
import { DataTable, useDataTable } from '../../components/DataTable';
import { Empty, QueryView } from '../../components/Status';
import type { AnomalyDimension } from '../../gql/graphql';
import { type Anomaly, anomalyExplorerLink, anomalyKind, formatZScore } from '../../lib/anomalies';
import { formatDay, formatSignedUsd, formatUsd } from '../../lib/format';
import type { NameIndex } from '../../lib/names';
import { displayGroupValue } from '../../lib/usage';
import { UsageAnomaliesQuery } from '../shared/queries';
import { useInventoryNames } from '../shared/useInventoryNames';

type Row = Anomaly & { dimension: AnomalyDimension };
const column = createColumnHelper<Row>();
const DIMENSION_LABEL = { MODEL: 'Model', PROJECT: 'Project', API_KEY: 'API key' } as const;

const anomalyColumns = (names: NameIndex) => [
  column.accessor('date', {
    header: 'Day',
    cell: ({ row: { original } }) => (
      <Link to={anomalyExplorerLink(original.dimension, original)} data-testid="anomaly-link">
        {formatDay(original.date)}
      </Link>
    ),
  }),
  column.accessor((a) => DIMENSION_LABEL[a.dimension], { id: 'dimension', header: 'Per' }),
  column.accessor((a) => displayGroupValue(a.dimension, a.value, names), {
    id: 'value',
    header: 'Value',
    cell: ({ getValue, row: { original } }) => <span title={original.value} data-value={original.value}>{getValue()}</span>,
  }),
  column.accessor((a) => anomalyKind(a), { id: 'kind', header: 'Kind' }),
  column.accessor((a) => Number(a.costUsd), {
    id: 'cost',
    header: 'Spend',
    cell: ({ row: { original } }) => <span title={original.costUsd}>{formatUsd(original.costUsd)}</span>,
    meta: { numeric: true },
  }),
  column.accessor((a) => Number(a.baselineUsd), {
    id: 'baseline',
    header: 'Baseline (median)',
    cell: ({ row: { original } }) => <span title={original.baselineUsd}>{formatUsd(original.baselineUsd)}</span>,
    meta: { numeric: true },
  }),
  column.accessor((a) => Number(a.costUsd) - Number(a.baselineUsd), {
    id: 'change',
    header: 'vs baseline',
    cell: ({ row: { original } }) => formatSignedUsd(Number(original.costUsd) - Number(original.baselineUsd)),
    meta: { numeric: true },
  }),
  column.accessor((a) => a.zScore ?? 0, {
    id: 'z',
    header: 'z-score',
    cell: ({ row: { original } }) => formatZScore(original.zScore),
    meta: { numeric: true },
  }),
];

function AnomalyTable({ rows }: { rows: Row[] }) {
  const names = useInventoryNames();
  const columns = useMemo(() => anomalyColumns(names), [names]);
  const table = useDataTable({ data: rows, columns, initialSorting: [{ id: 'date', desc: true }] });
  if (rows.length === 0) return <Empty>No unusual day in this range.</Empty>;
  return <DataTable table={table} caption="Unusual days per model and project" />;
}

/** Days of the range whose spend for a model or project departs from its own baseline, each a link to the explorer on that day. */
export function UnusualDays({ from, to }: { from: string; to: string }) {
  const [byModel, refetchModel] = useQuery({ query: UsageAnomaliesQuery, variables: { from, to, dimension: 'MODEL' } });
  const [byProject, refetchProject] = useQuery({ query: UsageAnomaliesQuery, variables: { from, to, dimension: 'PROJECT' } });
  return (
    <section className="panel" aria-labelledby="unusual-title">
      <h2 id="unusual-title">Unusual days</h2>
      <p className="muted small">
        Spend against the same value's 28 days before (weekdays with weekdays, weekends with weekends); today is not judged.
      </p>
      <QueryView result={byModel} onRetry={() => refetchModel({ requestPolicy: 'network-only' })}>
        {(models) => (
          <QueryView result={byProject} onRetry={() => refetchProject({ requestPolicy: 'network-only' })}>
            {(projects) => (
              <AnomalyTable
                rows={[
                  ...models.usageAnomalies.map((a) => ({ ...a, dimension: 'MODEL' as const })),
                  ...projects.usageAnomalies.map((a) => ({ ...a, dimension: 'PROJECT' as const })),
                ]}
              />
            )}
          </QueryView>
        )}
      </QueryView>
    </section>
  );
}
