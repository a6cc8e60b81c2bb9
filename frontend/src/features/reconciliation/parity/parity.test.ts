import { describe, expect, it } from 'vitest';
import { formatParityDifference, formatParityValue, parityFieldLabel, toleranceLabel } from './parity';

describe('parity report figures', () => {
  it('names CSV columns', () => {
    expect(parityFieldLabel('input_cached_tokens')).toBe('Input cached tokens');
    expect(parityFieldLabel('num_model_requests')).toBe('Model requests');
    expect(parityFieldLabel('amount_usd')).toBe('Amount USD');
  });

  it('shows counts with separators, amounts as USD, and signed differences', () => {
    expect(formatParityValue('input_tokens', '16679517')).toBe('16,679,517');
    expect(formatParityValue('amount_usd', '12.5')).toBe('$12.50');
    expect(formatParityDifference('input_tokens', '-5889174')).toBe('−5,889,174');
    expect(formatParityDifference('input_tokens', '0')).toBe('0');
    expect(formatParityDifference('amount_usd', '0.25')).toBe('+$0.25');
  });

  it('describes the tolerance', () => {
    expect(toleranceLabel('USAGE', '0', '0')).toBe('exact match');
    expect(toleranceLabel('USAGE', '10', '0.5')).toBe('within 10 units or 0.5%');
    expect(toleranceLabel('COST', '0.01', '0')).toBe('within $0.01');
  });
});
