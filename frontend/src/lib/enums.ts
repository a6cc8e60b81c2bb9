import type { Provider } from '../gql/graphql';

/**
 * Helpers for the schema's enums. The generated types are string unions
 * (`enumsAsTypes`), so a value read from a form or a URL is narrowed here
 * rather than cast, and a value shown on screen goes through a label map.
 */

/** The value if it is one of `values`, else undefined. */
export function oneOf<T extends string>(values: readonly T[], value: string | null | undefined): T | undefined {
  return values.find((v) => v === value);
}

/** `SERVER_ERROR` → "Server error": the fallback for a value no label map knows yet. */
export function humanize(value: string): string {
  const words = value.toLowerCase().replaceAll('_', ' ').trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/**
 * The label of an enum value. The map covers every value the schema has; a
 * newer server may send one it does not know yet, which is shown humanized.
 */
export function labelOf<T extends string>(labels: Readonly<Record<T, string>>, value: T): string {
  const label: string | undefined = labels[value];
  return label ?? humanize(value);
}

/**
 * The keys of a map over every value of an enum, in the map's order. With a
 * `Record<Enum, …>` the compiler rejects a map that misses a value, so a list
 * made this way follows the schema.
 */
export function keysOf<T extends string>(record: Readonly<Record<T, unknown>>): T[] {
  return Object.keys(record) as T[];
}

/** The providers whose admin API is ingested; the wire values are these lowercase ids. */
export const PROVIDERS: readonly Provider[] = keysOf<Provider>({ openai: true, anthropic: true });

export function isProvider(value: string): value is Provider {
  return oneOf(PROVIDERS, value) !== undefined;
}

/** The known providers among `values`, each once, in their order. */
export function toProviders(values: readonly string[]): Provider[] {
  return [...new Set(values.filter(isProvider))];
}
