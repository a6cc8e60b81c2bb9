import type { UsageDimension } from '../gql/graphql';

/**
 * Provider ids (projects, keys, users) read as names from the connections'
 * inventory. The raw id stays in URLs, filters and exports; only what is shown
 * changes, and an id the inventory does not know is shown as it is.
 */

/** The fields of an `InventoryItem` the lookup needs. */
export interface InventoryEntry {
  provider: string;
  kind: string;
  externalId: string;
  name: string;
  status: string;
}

/** The usage dimension whose ids each inventory kind names. */
const KIND_DIMENSION: Record<string, UsageDimension> = {
  project: 'PROJECT',
  // Anthropic reports its workspace as the usage row's project.
  workspace: 'PROJECT',
  api_key: 'API_KEY',
  user: 'USER',
  // OpenAI reports a service account's usage under its id as the user.
  service_account: 'USER',
};

/**
 * Usage, costs and interactions outside any project (OpenAI's default
 * project, Anthropic's default workspace, or none reported): one name on
 * every page.
 */
export const NO_PROJECT = '(no project)';

/** Dimensions whose values the inventory can name. */
export const NAMED_DIMENSIONS = ['PROJECT', 'API_KEY', 'USER'] as const satisfies readonly UsageDimension[];

export interface NamedEntry {
  name: string;
  kind: string;
  provider: string;
  status: string;
}

/** Keyed by dimension and id; build it with `buildNameIndex`. */
export type NameIndex = ReadonlyMap<string, NamedEntry>;

export const NO_NAMES: NameIndex = new Map();

const indexKey = (dimension: UsageDimension, id: string) => `${dimension}\u0000${id}`;

/**
 * The lookup of every named item. An item without a name is left out (its id
 * is the best label). Should two connections name one id differently, the
 * first listed wins, so the label does not depend on a later refresh order.
 */
export function buildNameIndex(items: readonly InventoryEntry[]): NameIndex {
  const index = new Map<string, NamedEntry>();
  for (const item of items) {
    const dimension = KIND_DIMENSION[item.kind];
    const name = item.name.trim();
    if (dimension === undefined || name === '' || item.externalId === '') continue;
    const key = indexKey(dimension, item.externalId);
    if (!index.has(key)) index.set(key, { name, kind: item.kind, provider: item.provider, status: item.status });
  }
  return index;
}

/** The inventory's entry for an id of a dimension, if it has one. */
export function lookupName(index: NameIndex, dimension: UsageDimension, id: string | null | undefined): NamedEntry | null {
  if (!id) return null;
  return index.get(indexKey(dimension, id)) ?? null;
}

/** The name of an id, or null when the inventory does not name it. */
export function nameOf(index: NameIndex, dimension: UsageDimension, id: string | null | undefined): string | null {
  return lookupName(index, dimension, id)?.name ?? null;
}

/** The name when known, else the id itself (a missing id gets `fallback`). */
export function nameOrId(index: NameIndex, dimension: UsageDimension, id: string, fallback = id): string {
  return nameOf(index, dimension, id) ?? (id === '' ? fallback : id);
}

/**
 * Distinct labels for a set of ids: a name two ids share gets the id appended,
 * so a legend or list never shows two entries that read the same.
 */
export function distinctLabels(labels: ReadonlyMap<string, string>): Map<string, string> {
  const counts = new Map<string, number>();
  for (const label of labels.values()) counts.set(label, (counts.get(label) ?? 0) + 1);
  return new Map(
    [...labels].map(([id, label]) => [id, (counts.get(label) ?? 0) > 1 && label !== id ? `${label} (${id})` : label]),
  );
}
