/**
 * Time zones the usage pages can count days in. UTC days come from the
 * daily buckets; any other zone's days are summed from hourly buckets by the
 * server (`dailyUsage(timezone:)`, docs/local-time.md).
 */

export const UTC = 'UTC';

/** Offered besides UTC and the browser's own zone. */
export const COMMON_ZONES = ['Europe/Berlin', 'Europe/London', 'America/New_York', 'America/Los_Angeles', 'Asia/Tokyo'] as const;

/** URL parameter of the zone; absent for UTC, so plain links stay short. */
export const TIMEZONE_PARAM = 'tz';

/** A zone name the browser knows (IANA names such as `Europe/Berlin`). */
export function isTimeZone(name: string): boolean {
  if (name === '') return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

export function isUtc(zone: string): boolean {
  return zone === UTC || zone === 'Etc/UTC' || zone === 'Etc/GMT' || zone === 'GMT';
}

/** The zone a link asks for; UTC when absent or unknown. */
export function parseTimeZone(params: URLSearchParams): string {
  const zone = params.get(TIMEZONE_PARAM)?.trim() ?? '';
  return isTimeZone(zone) && !isUtc(zone) ? zone : UTC;
}

/** Sets (or, for UTC, leaves out) the zone parameter. */
export function setTimeZoneParam(params: URLSearchParams, zone: string): URLSearchParams {
  if (!isUtc(zone)) params.set(TIMEZONE_PARAM, zone);
  return params;
}

/** The `timezone` argument of `dailyUsage`: null for UTC, so UTC questions stay the plain daily ones. */
export function timezoneArg(zone: string): string | null {
  return isUtc(zone) ? null : zone;
}

/** The browser's own zone, UTC when it cannot tell. */
export function browserTimeZone(): string {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || UTC;
  } catch {
    return UTC;
  }
}

export interface ZoneOption {
  value: string;
  label: string;
}

/**
 * UTC first, then the browser's zone (unless it is UTC), the common zones,
 * and the zone shown if a link asked for another: each once.
 */
export function timeZoneOptions(current: string, browser: string = browserTimeZone()): ZoneOption[] {
  const options: ZoneOption[] = [{ value: UTC, label: 'UTC' }];
  const add = (value: string, label = value) => {
    if (!isUtc(value) && !options.some((o) => o.value === value)) options.push({ value, label });
  };
  if (isTimeZone(browser)) add(browser, `${browser} (this browser)`);
  for (const zone of COMMON_ZONES) add(zone);
  add(current);
  return options;
}

/** Today's calendar day in `zone`, `YYYY-MM-DD`. */
export function todayIn(zone: string, now: Date = new Date()): string {
  if (isUtc(zone)) return now.toISOString().slice(0, 10);
  const parts = new Intl.DateTimeFormat('en-US', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit' }).formatToParts(now);
  const part = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return `${part('year')}-${part('month')}-${part('day')}`;
}

/** What the days of a chart or table are, in words. */
export function describeDays(zone: string): string {
  return isUtc(zone) ? 'UTC days' : `local days in ${zone}`;
}
