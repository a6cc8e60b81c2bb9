import type { UsageDimension } from '../../gql/graphql';
import { DIMENSIONS, LIST_PARAMS, type ListField, type UsageFilterState, toUsageFilter } from '../../lib/filters';
import { type NameIndex, NO_NAMES, nameOf } from '../../lib/names';
import { timezoneArg } from '../../lib/timezones';
import { GROUP_FIELD, type UsageRow } from '../../lib/usage';

/** The column with the inventory's name, next to the id of each dimension that has names. */
export const NAME_FIELD: Partial<Record<UsageDimension, string>> = {
  PROJECT: 'projectName',
  API_KEY: 'apiKeyName',
  USER: 'userName',
};

/** The measures of a usage row, in the order of the table and the exports. */
export const MEASURES = [
  { field: 'inputTokens', label: 'Input tokens' },
  { field: 'inputCachedTokens', label: 'Cached input' },
  { field: 'inputCacheWriteTokens', label: 'Cache writes' },
  { field: 'outputTokens', label: 'Output tokens' },
  { field: 'inputAudioTokens', label: 'Input audio' },
  { field: 'outputAudioTokens', label: 'Output audio' },
  { field: 'numModelRequests', label: 'Requests' },
  { field: 'costUsd', label: 'Cost (USD)' },
  { field: 'pricedCostUsd', label: 'Priced cost (USD)' },
  { field: 'unpricedBuckets', label: 'Unpriced buckets' },
  { field: 'costEstimated', label: 'Estimated' },
] as const satisfies readonly { field: keyof UsageRow; label: string }[];

type ExportValue = string | number | boolean | null;
export type ExportRecord = Record<string, ExportValue>;

/**
 * One flat record per row: the day, the grouped dimensions (API field names,
 * raw ids, each project, key or user id followed by its inventory name or
 * null), then every measure as the API sent it. Money stays the exact decimal string.
 */
export function toRecords(
  rows: readonly UsageRow[],
  groupBy: readonly UsageDimension[],
  names: NameIndex = NO_NAMES,
): ExportRecord[] {
  const dimensions = DIMENSIONS.filter((d) => groupBy.includes(d.value));
  return rows.map((row) => {
    const record: ExportRecord = { date: row.date };
    for (const d of dimensions) {
      const id = row.group[GROUP_FIELD[d.value]] ?? null;
      record[GROUP_FIELD[d.value]] = id;
      const nameField = NAME_FIELD[d.value];
      if (nameField) record[nameField] = nameOf(names, d.value, id);
    }
    for (const m of MEASURES) record[m.field] = row[m.field];
    return record;
  });
}

/** A plain decimal number: an optional minus, digits, optionally a point and digits. */
const PLAIN_NUMBER = /^-?\d+(\.\d+)?$/;
/** What a spreadsheet reads as the start of a formula. */
const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * A cell a spreadsheet cannot run (OWASP CSV injection): provider-controlled
 * text such as a model or project id that starts with `=`, `+`, `-`, `@`, a
 * tab or a carriage return gets a leading single quote. Only cells that are
 * not plain numbers are touched, so a negative number (a `-0.5` variance,
 * numbers and exact decimal strings alike) stays a number.
 */
export function neutralise(text: string): string {
  return FORMULA_START.test(text) && !PLAIN_NUMBER.test(text) ? `'${text}` : text;
}

function csvCell(value: ExportValue): string {
  if (value === null) return '';
  const text = neutralise(String(value));
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/**
 * RFC 4180 CSV with a header line; an unknown (null) cost is an empty cell,
 * and cells that would run as formulas are neutralised (see `neutralise`).
 */
export function toCsv(records: readonly ExportRecord[], columns: readonly string[]): string {
  const lines = [columns.map(csvCell).join(',')];
  for (const record of records) lines.push(columns.map((c) => csvCell(record[c] ?? null)).join(','));
  return `${lines.join('\r\n')}\r\n`;
}

export function exportColumns(groupBy: readonly UsageDimension[]): string[] {
  return [
    'date',
    ...DIMENSIONS.filter((d) => groupBy.includes(d.value)).flatMap((d) => {
      const nameField = NAME_FIELD[d.value];
      return nameField ? [GROUP_FIELD[d.value], nameField] : [GROUP_FIELD[d.value]];
    }),
    ...MEASURES.map((m) => m.field),
  ];
}

/**
 * The view as JSON: the exact filter (and the zone of its days, when not UTC),
 * so the export can be reproduced, and its rows.
 */
export function toJson(state: UsageFilterState, records: readonly ExportRecord[]): string {
  const timezone = timezoneArg(state.timezone);
  const view = { filter: toUsageFilter(state), groupBy: state.groupBy, ...(timezone ? { timezone } : {}), rows: records };
  return `${JSON.stringify(view, null, 2)}\n`;
}

/** A file-name part: letters, digits, dots and dashes only, so every file system and shell takes it. */
export function fileNamePart(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^A-Za-z0-9.-]+/g, '-')
    .replace(/-{2,}/g, '-')
    .replace(/^[-.]+|-+$/g, '');
}

/** Long filters are cut here; the range and the first filters stay readable. */
const MAX_FILE_NAME = 180;

/**
 * `usage_2026-10-01_2026-10-30_model-gpt-4o.csv`: what the file holds, the
 * range, then each active filter as `param-value+value` (the URL's names),
 * sanitised (see `fileNamePart`).
 */
export function exportFileName(state: UsageFilterState, extension: 'csv' | 'json', what = 'usage'): string {
  const parts = [what, state.from, state.to];
  for (const [field, param] of Object.entries(LIST_PARAMS) as [ListField, string][]) {
    const values = state[field].map(fileNamePart).filter((v) => v !== '');
    if (values.length > 0) parts.push(`${param}-${values.join('+')}`);
  }
  if (state.batch !== null) parts.push(state.batch ? 'batch' : 'interactive');
  // Local days; the raw buckets are UTC whatever the view shows.
  const timezone = timezoneArg(state.timezone);
  if (timezone && what !== 'buckets') parts.push(`tz-${fileNamePart(timezone)}`);
  const stem = parts.join('_');
  const cut = stem.length > MAX_FILE_NAME ? stem.slice(0, MAX_FILE_NAME).replace(/[-+_.]+$/, '') : stem;
  return `${cut}.${extension}`;
}

/** Hands the text to the browser as a file download. */
export function download(fileName: string, mimeType: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: mimeType }));
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  link.click();
  // Revoked on the next tick: the download has taken its copy by then.
  setTimeout(() => URL.revokeObjectURL(url), 0);
}

/**
 * The server's streamed export of the raw buckets behind the current filters
 * (`GET /api/export/buckets`): every bucket of the range, not just the rows
 * on screen, so large ranges never have to be loaded into the page.
 */
export function bucketsExportUrl(state: UsageFilterState, format: 'csv' | 'ndjson'): string {
  const params = new URLSearchParams({ from: state.from, to: state.to });
  const lists = ['providers', 'projectIds', 'apiKeyIds', 'userIds', 'models', 'serviceTiers'] as const;
  for (const field of lists) {
    if (state[field].length > 0) params.set(field, state[field].join(','));
  }
  if (state.batch !== null) params.set('batch', String(state.batch));
  params.set('format', format);
  return `/api/export/buckets?${params.toString()}`;
}
