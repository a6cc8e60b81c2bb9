import type { Provider, SessionSortField, UsageDimension, UsageFilter } from '../gql/graphql';
import { isIsoDay, lastDays } from './dates';
import { PROVIDERS, toProviders } from './enums';
import { parseTimeZone, setTimeZoneParam } from './timezones';

/**
 * Filter state of the usage pages, kept in the URL so a view is a shareable
 * link and the back button undoes a filter change.
 */
export interface UsageFilterState {
  from: string;
  to: string;
  /** Only known providers: an unknown one in a link is dropped. */
  providers: Provider[];
  projectIds: string[];
  apiKeyIds: string[];
  userIds: string[];
  models: string[];
  serviceTiers: string[];
  /** null: batch and non-batch traffic alike. */
  batch: boolean | null;
  groupBy: UsageDimension[];
  /** The zone whose calendar days the rows are (`UTC`: the providers' own UTC days); see lib/timezones. */
  timezone: string;
}

export type ListField = 'providers' | 'projectIds' | 'apiKeyIds' | 'userIds' | 'models' | 'serviceTiers';

/** URL parameter of each list filter; short words keep links readable. */
export const LIST_PARAMS: Record<ListField, string> = {
  providers: 'provider',
  projectIds: 'project',
  apiKeyIds: 'key',
  userIds: 'user',
  models: 'model',
  serviceTiers: 'tier',
};

export const DIMENSIONS: readonly { value: UsageDimension; param: string; label: string }[] = [
  { value: 'PROVIDER', param: 'provider', label: 'Provider' },
  { value: 'PROJECT', param: 'project', label: 'Project' },
  { value: 'API_KEY', param: 'key', label: 'API key' },
  { value: 'USER', param: 'user', label: 'User' },
  { value: 'MODEL', param: 'model', label: 'Model' },
  { value: 'SERVICE_TIER', param: 'tier', label: 'Service tier' },
  { value: 'BATCH', param: 'batch', label: 'Batch' },
];

export const DEFAULT_RANGE_DAYS = 30;

export function defaultRange(now?: Date): { from: string; to: string } {
  return lastDays(DEFAULT_RANGE_DAYS, now);
}

/** Reads a day range, falling back to the default for missing or malformed days. */
export function parseRange(params: URLSearchParams, now?: Date): { from: string; to: string } {
  const fallback = defaultRange(now);
  const from = params.get('from') ?? '';
  const to = params.get('to') ?? '';
  if (!isIsoDay(from) || !isIsoDay(to) || from > to) return fallback;
  return { from, to };
}

function distinct(values: string[]): string[] {
  return [...new Set(values.filter((value) => value !== ''))];
}

export function parseUsageFilter(params: URLSearchParams, now?: Date): UsageFilterState {
  const batch = params.get('batch');
  const groupParams = new Set(params.getAll('group'));
  const state: UsageFilterState = {
    ...parseRange(params, now),
    providers: [],
    projectIds: [],
    apiKeyIds: [],
    userIds: [],
    models: [],
    serviceTiers: [],
    batch: batch === 'true' ? true : batch === 'false' ? false : null,
    // Canonical order, whatever order the link lists them in.
    groupBy: DIMENSIONS.filter((d) => groupParams.has(d.param)).map((d) => d.value),
    timezone: parseTimeZone(params),
  };
  for (const [field, param] of Object.entries(LIST_PARAMS) as [ListField, string][]) {
    Object.assign(state, listPatch(field, distinct(params.getAll(param))));
  }
  return state;
}

/** The state change that sets one list filter; provider values are narrowed to the known providers. */
export function listPatch(field: ListField, values: readonly string[]): Partial<UsageFilterState> {
  if (field === 'providers') return { providers: toProviders(values) };
  return { [field]: [...values] };
}

export function usageFilterToParams(state: UsageFilterState): URLSearchParams {
  const params = new URLSearchParams({ from: state.from, to: state.to });
  for (const [field, param] of Object.entries(LIST_PARAMS) as [ListField, string][]) {
    for (const value of state[field]) params.append(param, value);
  }
  if (state.batch !== null) params.set('batch', String(state.batch));
  for (const dimension of DIMENSIONS) {
    if (state.groupBy.includes(dimension.value)) params.append('group', dimension.param);
  }
  return setTimeZoneParam(params, state.timezone);
}

/** The GraphQL `UsageFilter`; an empty list means "no restriction" and is left out. */
export function toUsageFilter(state: UsageFilterState): UsageFilter {
  const filter: UsageFilter = { from: state.from, to: state.to };
  if (state.providers.length > 0) filter.providers = state.providers;
  for (const field of ['projectIds', 'apiKeyIds', 'userIds', 'models', 'serviceTiers'] as const) {
    if (state[field].length > 0) filter[field] = state[field];
  }
  if (state.batch !== null) filter.batch = state.batch;
  return filter;
}

export function activeFilterCount(state: UsageFilterState): number {
  const lists = (Object.keys(LIST_PARAMS) as ListField[]).filter((f) => state[f].length > 0).length;
  return lists + (state.batch === null ? 0 : 1);
}

/** What the overview chart stacks by. */
export const STACK_OPTIONS = ['MODEL', 'PROJECT', 'PROVIDER'] as const satisfies readonly UsageDimension[];
export type StackBy = (typeof STACK_OPTIONS)[number];

export interface OverviewState {
  from: string;
  to: string;
  stack: StackBy;
  metric: 'cost' | 'tokens';
  /** The zone whose calendar days the chart shows (see lib/timezones). */
  timezone: string;
}

export function parseOverview(params: URLSearchParams, now?: Date): OverviewState {
  const stack = DIMENSIONS.find((d) => d.param === params.get('stack'))?.value;
  return {
    ...parseRange(params, now),
    stack: STACK_OPTIONS.find((s) => s === stack) ?? 'MODEL',
    metric: params.get('metric') === 'tokens' ? 'tokens' : 'cost',
    timezone: parseTimeZone(params),
  };
}

export function overviewToParams(state: OverviewState): URLSearchParams {
  const stack = DIMENSIONS.find((d) => d.value === state.stack)?.param ?? 'model';
  return setTimeZoneParam(new URLSearchParams({ from: state.from, to: state.to, stack, metric: state.metric }), state.timezone);
}

export const SESSION_SORT_FIELDS = ['STARTED_AT', 'COST', 'TOKENS'] as const satisfies readonly SessionSortField[];
export type SessionSort = (typeof SESSION_SORT_FIELDS)[number];

export interface SessionListState {
  userId: string;
  /** Both days or neither: the API needs a closed range. */
  from: string;
  to: string;
  /** Cursor of the page shown; empty for the first page. */
  after: string;
  /** 1-based number of the page shown (the cursor alone cannot tell). */
  page: number;
  /** The server's order: newest, costliest or most tokens first unless `descending` is false. */
  sort: SessionSort;
  descending: boolean;
  /** `expensive`: the range's most expensive sessions (cost, descending), over the default range when none is set. */
  view: 'all' | 'expensive';
}

export function parseSessionList(params: URLSearchParams): SessionListState {
  const from = params.get('from') ?? '';
  const to = params.get('to') ?? '';
  const validRange = isIsoDay(from) && isIsoDay(to) && from <= to;
  const after = params.get('after') ?? '';
  const page = Number(params.get('page'));
  return {
    userId: params.get('user')?.trim() ?? '',
    from: validRange ? from : '',
    to: validRange ? to : '',
    after,
    page: after !== '' && Number.isInteger(page) && page > 1 ? page : after !== '' ? 2 : 1,
    sort: SESSION_SORT_FIELDS.find((f) => f.toLowerCase() === params.get('sort')) ?? 'STARTED_AT',
    descending: params.get('order') !== 'asc',
    view: params.get('view') === 'expensive' ? 'expensive' : 'all',
  };
}

export function sessionListToParams(state: SessionListState): URLSearchParams {
  const params = new URLSearchParams();
  if (state.view === 'expensive') params.set('view', 'expensive');
  if (state.userId !== '') params.set('user', state.userId);
  if (state.from !== '' && state.to !== '') {
    params.set('from', state.from);
    params.set('to', state.to);
  }
  if (state.view === 'all' && state.sort !== 'STARTED_AT') params.set('sort', state.sort.toLowerCase());
  if (state.view === 'all' && !state.descending) params.set('order', 'asc');
  if (state.after !== '') {
    params.set('after', state.after);
    params.set('page', String(state.page));
  }
  return params;
}

export const RECONCILIATION_VIEWS = ['cost', 'attribution', 'parity'] as const;
export type ReconciliationView = (typeof RECONCILIATION_VIEWS)[number];

export interface ReconciliationState {
  from: string;
  to: string;
  /** Empty: every provider. */
  providers: Provider[];
  /** The tab shown; `cost` (billed vs computed) when absent. */
  view: ReconciliationView;
  /** What the attribution chart stacks. */
  measure: 'tokens' | 'cost';
  /** Attribution table: one row per project and API key, not per project. */
  byKey: boolean;
}

export const RECONCILIATION_PROVIDERS = PROVIDERS;

export function parseReconciliation(params: URLSearchParams, now?: Date): ReconciliationState {
  return {
    ...parseRange(params, now),
    providers: toProviders(params.getAll('provider')),
    view: RECONCILIATION_VIEWS.find((v) => v === params.get('view')) ?? 'cost',
    measure: params.get('measure') === 'cost' ? 'cost' : 'tokens',
    byKey: params.get('by') === 'key',
  };
}

/** Defaults are left out, so the plain page keeps a short link. */
export function reconciliationToParams(state: ReconciliationState): URLSearchParams {
  const params = new URLSearchParams({ from: state.from, to: state.to });
  for (const provider of state.providers) params.append('provider', provider);
  if (state.view !== 'cost') params.set('view', state.view);
  if (state.measure !== 'tokens') params.set('measure', state.measure);
  if (state.byKey) params.set('by', 'key');
  return params;
}
