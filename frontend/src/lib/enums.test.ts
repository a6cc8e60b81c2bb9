import { describe, expect, it } from 'vitest';
import type { RunStatus } from '../gql/graphql';
import { humanize, isProvider, keysOf, labelOf, oneOf, PROVIDERS, toProviders } from './enums';

describe('schema enums', () => {
  it('lists the providers by their lowercase wire values', () => {
    expect(PROVIDERS).toEqual(['openai', 'anthropic']);
    expect(isProvider('openai')).toBe(true);
    expect(isProvider('OpenAI')).toBe(false);
    expect(toProviders(['anthropic', 'x', 'anthropic', '', 'openai'])).toEqual(['anthropic', 'openai']);
  });

  it('narrows a form or URL value to one of a list', () => {
    expect(oneOf(['DAILY', 'MONTHLY'], 'DAILY')).toBe('DAILY');
    expect(oneOf(['DAILY', 'MONTHLY'], 'daily')).toBeUndefined();
    expect(oneOf(['DAILY', 'MONTHLY'], null)).toBeUndefined();
  });

  it('keeps the order of a label map', () => {
    expect(keysOf({ B: 1, A: 2 })).toEqual(['B', 'A']);
  });

  it('labels a value, and humanizes one newer than the map', () => {
    const labels: Record<RunStatus, string> = { RUNNING: 'Running', SUCCEEDED: 'Succeeded', PARTIAL: 'Partial', FAILED: 'Failed', ABANDONED: 'Abandoned' };
    expect(labelOf(labels, 'SUCCEEDED')).toBe('Succeeded');
    const newer: string = 'CANCELLED_BY_ADMIN';
    expect(labelOf(labels, newer as RunStatus)).toBe('Cancelled by admin');
    expect(humanize('SERVER_ERROR')).toBe('Server error');
  });
});
