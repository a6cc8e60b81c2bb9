import { Link } from 'react-router';
import type { AnomalyDimension } from '../../gql/graphql';
import { anomalyExplorerLink, anomalyKind, formatZScore } from '../../lib/anomalies';
import { formatDay, formatUsd } from '../../lib/format';
import type { ChartAnomaly } from './chartAnomalies';

/** A sentence per outlined bar. */
export function describeAnomaly({ anomaly, series }: ChartAnomaly): string {
  return `${formatDay(anomaly.date)}, ${series.label}: ${anomalyKind(anomaly)}, ${formatUsd(anomaly.costUsd)} against a baseline of ${formatUsd(anomaly.baselineUsd)} (z-score ${formatZScore(anomaly.zScore)})`;
}

/** The unusual days outlined on the chart, listed under it. */
export function ChartAnomalyList({ items, dimension }: { items: readonly ChartAnomaly[]; dimension: AnomalyDimension }) {
  if (items.length === 0) return <p className="muted small">No unusual day for the values shown.</p>;
  return (
    <div>
      <h3>Unusual days (outlined in black)</h3>
      <ul className="anomaly-list" data-testid="chart-anomalies">
        {items.map((item) => (
          <li key={`${item.anomaly.date}|${item.anomaly.value}`} data-date={item.anomaly.date} data-value={item.anomaly.value}>
            <Link to={anomalyExplorerLink(dimension, item.anomaly)}>{describeAnomaly(item)}</Link>
          </li>
        ))}
      </ul>
    </div>
  );
}
