import { describe, expect, it } from 'vitest';
import { buildNameIndex } from '../../lib/names';
import { PERIODS, periodName, SCOPES, scopeLabel } from './scope';

describe('budget scope', () => {
  const names = buildNameIndex([
    { provider: 'openai', kind: 'project', externalId: 'proj_1', name: 'Support Bot', status: 'active' },
  ]);

  it('offers every scope and period, the defaults first', () => {
    expect(SCOPES).toEqual(['ORG', 'PROJECT', 'API_KEY', 'USER', 'MODEL']);
    expect(PERIODS).toEqual(['MONTHLY', 'DAILY']);
    expect(periodName('DAILY')).toBe('Daily');
  });

  it('says what a budget covers, with names and its provider', () => {
    expect(scopeLabel({ scope: 'ORG', scopeValue: '', provider: null })).toBe('Whole organization');
    expect(scopeLabel({ scope: 'PROJECT', scopeValue: 'proj_1', provider: 'openai' }, names)).toBe(
      'Project Support Bot (proj_1) · openai',
    );
    expect(scopeLabel({ scope: 'API_KEY', scopeValue: 'key_9' })).toBe('API key key_9');
    expect(scopeLabel({ scope: 'MODEL', scopeValue: 'gpt-4o', provider: 'anthropic' })).toBe('Model gpt-4o · anthropic');
  });
});
