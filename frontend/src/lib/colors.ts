/**
 * A series' colour comes from its name, not its position: the same model,
 * project or API key has the same colour on every chart and legend, whatever
 * else is plotted beside it. Two names can share a colour (the palette is
 * finite); a colour never moves because another series appeared.
 */

/**
 * Distinct hues, each at least 3:1 against white (WCAG non-text contrast), so
 * a bar reads on the white panel without its outline.
 */
export const SERIES_PALETTE = [
  '#2563eb',
  '#c2410c',
  '#047857',
  '#b91c1c',
  '#7c3aed',
  '#0e7490',
  '#be185d',
  '#4d7c0f',
  '#a16207',
  '#4338ca',
  '#0f766e',
  '#86198f',
] as const;

/** The folded "Other" series: grey, which no named series gets. */
export const OTHER_COLOR = '#64748b';

/** 32-bit FNV-1a over the UTF-16 code units: small, fast and well spread for short names. */
export function hashName(name: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) {
    hash ^= name.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** The colour of a series named `key` (a model, a project or key id, or a combination of them). */
export function seriesColor(key: string, other = false): string {
  if (other) return OTHER_COLOR;
  return SERIES_PALETTE[hashName(key) % SERIES_PALETTE.length] ?? OTHER_COLOR;
}
