import type { BudgetPeriod, BudgetScope, Provider } from '../../gql/graphql';
import { keysOf, labelOf } from '../../lib/enums';
import { type NameIndex, NO_NAMES, nameOf } from '../../lib/names';

/** The usage dimension of a scope whose value is a provider id the inventory may name. */
function scopeDimension(scope: BudgetScope): 'PROJECT' | 'API_KEY' | 'USER' | null {
  switch (scope) {
    case 'PROJECT':
    case 'API_KEY':
    case 'USER':
      return scope;
    default:
      return null;
  }
}

/** What each scope limits, as the form and the cards say it. */
export const SCOPE_LABELS: Readonly<Record<BudgetScope, string>> = {
  ORG: 'Whole organization',
  PROJECT: 'Project',
  API_KEY: 'API key',
  USER: 'User',
  MODEL: 'Model',
};

/** The form's scope choices, in this order. */
export const SCOPES: readonly BudgetScope[] = keysOf(SCOPE_LABELS);

export const PERIOD_LABELS: Readonly<Record<BudgetPeriod, string>> = {
  MONTHLY: 'Monthly',
  DAILY: 'Daily',
};

/** The form's period choices; monthly first (the default). */
export const PERIODS: readonly BudgetPeriod[] = keysOf(PERIOD_LABELS);

export function scopeName(scope: BudgetScope): string {
  return labelOf(SCOPE_LABELS, scope);
}

export function periodName(period: BudgetPeriod): string {
  return labelOf(PERIOD_LABELS, period);
}

/** What a budget or alert covers, in words, with a named id's name; a null provider is every provider. */
export function scopeLabel(
  b: { scope: BudgetScope; scopeValue: string; provider?: Provider | null },
  names: NameIndex = NO_NAMES,
): string {
  const dimension = scopeDimension(b.scope);
  const name = dimension ? nameOf(names, dimension, b.scopeValue) : null;
  const value = name ? `${name} (${b.scopeValue})` : b.scopeValue;
  const scope = b.scope === 'ORG' ? scopeName('ORG') : `${scopeName(b.scope)} ${value}`;
  return b.provider ? `${scope} · ${b.provider}` : scope;
}
