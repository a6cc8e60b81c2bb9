import type { AnomalyDimension, UsageAnomaliesQuery } from '../gql/graphql';
import { LIST_PARAMS, type ListField } from './filters';

export type Anomaly = UsageAnomaliesQuery['usageAnomalies'][number];

const FIELD: Readonly<Record<AnomalyDimension, { list: ListField; group: string }>> = {
  MODEL: { list: 'models', group: 'model' },
  PROJECT: { list: 'projectIds', group: 'project' },
  API_KEY: { list: 'apiKeyIds', group: 'key' },
};

/** The explorer on that one day, filtered to the value and grouped by its dimension. */
export function anomalyExplorerLink(dimension: AnomalyDimension, anomaly: Pick<Anomaly, 'date' | 'value'>): string {
  const { list, group } = FIELD[dimension];
  const params = new URLSearchParams({ from: anomaly.date, to: anomaly.date });
  params.append(LIST_PARAMS[list], anomaly.value);
  params.append('group', group);
  return `/explorer?${params}`;
}

/** "spike" or "drop", as the panels and the chart's labels say it. */
export function anomalyKind(anomaly: Pick<Anomaly, 'spike'>): 'spike' | 'drop' {
  return anomaly.spike ? 'spike' : 'drop';
}

/** The z-score with two decimals; null (a flat baseline) reads "flat baseline". */
export function formatZScore(z: number | null): string {
  return z === null ? 'flat baseline' : z.toFixed(2);
}
