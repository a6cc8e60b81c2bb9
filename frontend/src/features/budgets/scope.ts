import { type NameIndex, NO_NAMES, nameOf } from '../../lib/names';

/** Budget scopes whose value is a provider id the inventory may name. */
const SCOPE_DIMENSION = { project: 'PROJECT', api_key: 'API_KEY', user: 'USER' } as const;

export const SCOPES = [
  { value: 'org', label: 'Whole organization' },
  { value: 'project', label: 'Project' },
  { value: 'api_key', label: 'API key' },
  { value: 'user', label: 'User' },
  { value: 'model', label: 'Model' },
] as const;

/** What a budget or alert covers, in words, with a named id's name. */
export function scopeLabel(b: { scope: string; scopeValue: string; provider: string }, names: NameIndex = NO_NAMES): string {
  const dimension = SCOPE_DIMENSION[b.scope as keyof typeof SCOPE_DIMENSION];
  const name = dimension ? nameOf(names, dimension, b.scopeValue) : null;
  const value = name ? `${name} (${b.scopeValue})` : b.scopeValue;
  const scope = b.scope === 'org' ? 'Whole organization' : `${b.scope.replace('_', ' ')} ${value}`;
  return b.provider ? `${scope} · ${b.provider}` : scope;
}
