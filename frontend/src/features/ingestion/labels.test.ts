import { describe, expect, it } from 'vitest';
import { issueLabel, keySourceLabel, runStatusLabel } from './labels';

describe('ingestion labels', () => {
  it('reads run statuses, issue codes and key sources as words', () => {
    expect(runStatusLabel('SUCCEEDED')).toBe('Succeeded');
    expect(runStatusLabel('PARTIAL')).toBe('Partial');
    expect(issueLabel('UNPRICED_MODEL')).toBe('Unpriced model');
    expect(issueLabel('AUTH')).toBe('Key refused');
    expect(issueLabel('HOURLY_MISMATCH')).toBe('Hours disagree with the day');
    expect(keySourceLabel('STORED')).toBe('stored (sealed)');
  });
});
