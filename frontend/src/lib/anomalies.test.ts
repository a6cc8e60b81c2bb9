import { describe, expect, it } from 'vitest';
import { anomalyExplorerLink, anomalyKind, formatZScore } from './anomalies';

describe('anomalies', () => {
  it('links to the explorer on that day, filtered to the value and grouped by its dimension', () => {
    expect(anomalyExplorerLink('MODEL', { date: '2026-11-01', value: 'gpt-4o' })).toBe(
      '/explorer?from=2026-11-01&to=2026-11-01&model=gpt-4o&group=model',
    );
    expect(anomalyExplorerLink('PROJECT', { date: '2026-11-02', value: 'proj_1' })).toBe(
      '/explorer?from=2026-11-02&to=2026-11-02&project=proj_1&group=project',
    );
  });

  it('says spike or drop, and a flat baseline has no z-score', () => {
    expect(anomalyKind({ spike: true })).toBe('spike');
    expect(anomalyKind({ spike: false })).toBe('drop');
    expect(formatZScore(null)).toBe('flat baseline');
    expect(formatZScore(12.3456)).toBe('12.35');
  });
});
