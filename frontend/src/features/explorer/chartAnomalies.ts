import type { AnomalyDimension, UsageDimension } from '../../gql/graphql';
import type { Anomaly } from '../../lib/anomalies';
import { displayGroupValue, type Series } from '../../lib/usage';

/** The dimension the explorer can judge: grouped by model alone or by project alone. */
export function anomalyDimension(groupBy: readonly UsageDimension[]): AnomalyDimension | null {
  if (groupBy.length !== 1) return null;
  return groupBy[0] === 'MODEL' || groupBy[0] === 'PROJECT' ? groupBy[0] : null;
}

export interface ChartAnomaly {
  anomaly: Anomaly;
  series: Series;
}

/** The anomalies of the values the chart shows as their own series (not folded into "Other"), on days it draws. */
export function chartAnomalies(
  anomalies: readonly Anomaly[],
  dimension: AnomalyDimension,
  series: readonly Series[],
  days: ReadonlySet<string>,
): ChartAnomaly[] {
  const byRaw = new Map(series.filter((s) => !s.other).map((s) => [s.colorKey, s]));
  return anomalies.flatMap((anomaly) => {
    const found = byRaw.get(displayGroupValue(dimension, anomaly.value));
    return found && days.has(anomaly.date) ? [{ anomaly, series: found }] : [];
  });
}
