import { useState } from 'react';
import { useQuery } from 'urql';
import { SelectField } from '../../components/FormField';
import { Empty } from '../../components/Status';
import { UsageChart } from '../../components/UsageChart';
import type { UsageFilterState } from '../../lib/filters';
import type { NameIndex } from '../../lib/names';
import { isUtc, todayIn } from '../../lib/timezones';
import { type Metric, METRICS, pivotSeries, type UsageRow } from '../../lib/usage';
import { UsageAnomaliesQuery } from '../shared/queries';
import { anomalyDimension, chartAnomalies } from './chartAnomalies';
import { ChartAnomalyList, describeAnomaly } from './ChartAnomalyList';

interface ExplorerChartProps {
  rows: UsageRow[];
  state: UsageFilterState;
  names: NameIndex;
  /** Restated days → what changed, marked on the chart. */
  revised?: ReadonlyMap<string, readonly string[]>;
}

/** The rows per day, stacked by the grouping, in the measure picked here. */
export function ExplorerChart({ rows, state, names, revised }: ExplorerChartProps) {
  const [metric, setMetric] = useState<Metric>('cost');
  const { points, series } = pivotSeries(rows, state.groupBy, metric, 8, names);
  const local = !isUtc(state.timezone);
  // Unusual days are judged on UTC days: not outlined on local days, which they would only roughly match.
  const dimension = local ? null : anomalyDimension(state.groupBy);
  const [anomalies] = useQuery({
    query: UsageAnomaliesQuery,
    variables: { from: state.from, to: state.to, dimension: dimension ?? 'MODEL' },
    pause: dimension === null,
  });
  const flagged =
    dimension && anomalies.data
      ? chartAnomalies(anomalies.data.usageAnomalies, dimension, series, new Set(points.map((p) => p.date)))
      : [];
  const flags = {
    keys: new Set(flagged.map((f) => `${f.anomaly.date}|${f.series.key}`)),
    description: `Unusual days, outlined: ${flagged.map(describeAnomaly).join('; ')}.`,
  };
  return (
    <section className="panel" aria-labelledby="explorer-chart-title">
      <div className="panel-header">
        <h2 id="explorer-chart-title">Per day</h2>
        <SelectField
          label="Measure"
          className="field-inline"
          value={metric}
          onChange={(e) => setMetric(e.target.value as Metric)}
        >
          {METRICS.map((m) => (
            <option key={m.value} value={m.value}>
              {m.label}
            </option>
          ))}
        </SelectField>
      </div>
      <p className="muted small chart-subtitle" data-testid="chart-days">
        {local
          ? `Local days in ${state.timezone}, summed from hourly usage. Unusual days are judged on UTC days and are not outlined here; revised marks refer to UTC days.`
          : 'UTC days.'}
      </p>
      {series.length === 0 ? (
        <Empty>No usage matches these filters.</Empty>
      ) : (
        <UsageChart
          points={points}
          series={series}
          metric={metric}
          title={`Daily ${METRICS.find((m) => m.value === metric)?.label.toLowerCase()}, ${state.from} to ${state.to}${local ? ` (local days in ${state.timezone})` : ''}`}
          today={todayIn(state.timezone)}
          flags={flags}
          revised={revised}
        />
      )}
      {dimension && anomalies.data && series.length > 0 && <ChartAnomalyList items={flagged} dimension={dimension} />}
    </section>
  );
}
