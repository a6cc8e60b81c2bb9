import Decimal from 'decimal.js';
import { describe, expect, it } from 'vitest';
import type { Anomaly } from '../../lib/anomalies';
import type { Series } from '../../lib/usage';
import { anomalyDimension, chartAnomalies } from './chartAnomalies';

const anomaly = (value: string, date: string): Anomaly => ({
  date,
  value,
  costUsd: '30',
  baselineUsd: '10',
  baselineDeviationUsd: '1',
  zScore: 13.49,
  spike: true,
  baselineDays: 20,
});
const series = (colorKey: string, key: string, other = false): Series => ({
  key,
  label: colorKey,
  colorKey,
  total: new Decimal(1),
  ...(other ? { other: true as const } : {}),
});

describe('anomalies on the explorer chart', () => {
  it('judges a grouping by model alone or project alone', () => {
    expect(anomalyDimension(['MODEL'])).toBe('MODEL');
    expect(anomalyDimension(['PROJECT'])).toBe('PROJECT');
    expect(anomalyDimension(['PROJECT', 'MODEL'])).toBeNull();
    expect(anomalyDimension(['PROVIDER'])).toBeNull();
  });

  it('keeps the anomalies of shown series on shown days, "(no project)" included', () => {
    const shown = [series('gpt-4o', 's0'), series('(no project)', 's1'), series('Other', 's2', true)];
    const found = chartAnomalies(
      [anomaly('gpt-4o', '2026-11-01'), anomaly('gpt-4o', '2026-10-01'), anomaly('folded', '2026-11-01')],
      'MODEL',
      shown,
      new Set(['2026-11-01']),
    );
    expect(found.map((f) => [f.anomaly.value, f.series.key])).toEqual([['gpt-4o', 's0']]);
    expect(chartAnomalies([anomaly('', '2026-11-01')], 'PROJECT', shown, new Set(['2026-11-01']))[0]?.series.key).toBe('s1');
  });
});
