import { describe, expect, it } from 'vitest';
import {
  describeDays,
  isTimeZone,
  parseTimeZone,
  setTimeZoneParam,
  timeZoneOptions,
  timezoneArg,
  todayIn,
  UTC,
} from './timezones';

describe('time zones', () => {
  it('reads a known zone from a link, and UTC for a missing, unknown or UTC one', () => {
    expect(parseTimeZone(new URLSearchParams('tz=Europe/Berlin'))).toBe('Europe/Berlin');
    expect(parseTimeZone(new URLSearchParams())).toBe(UTC);
    expect(parseTimeZone(new URLSearchParams('tz=Mars/Olympus'))).toBe(UTC);
    expect(parseTimeZone(new URLSearchParams('tz=Etc/UTC'))).toBe(UTC);
    expect(isTimeZone('')).toBe(false);
  });

  it('leaves UTC out of links and out of the query', () => {
    expect(setTimeZoneParam(new URLSearchParams('from=2026-10-01'), UTC).toString()).toBe('from=2026-10-01');
    expect(setTimeZoneParam(new URLSearchParams(), 'Asia/Tokyo').get('tz')).toBe('Asia/Tokyo');
    expect(timezoneArg(UTC)).toBeNull();
    expect(timezoneArg('America/New_York')).toBe('America/New_York');
  });

  it('offers UTC, the browser zone, the common zones and the current one, each once', () => {
    const values = timeZoneOptions('Australia/Sydney', 'Europe/Berlin').map((o) => o.value);
    expect(values[0]).toBe(UTC);
    expect(values[1]).toBe('Europe/Berlin');
    expect(values.filter((v) => v === 'Europe/Berlin')).toHaveLength(1);
    expect(values).toContain('Asia/Tokyo');
    expect(values.at(-1)).toBe('Australia/Sydney');
    expect(timeZoneOptions(UTC, UTC).filter((o) => o.value === UTC)).toHaveLength(1);
    expect(timeZoneOptions(UTC, 'Europe/Paris')[1]).toEqual({ value: 'Europe/Paris', label: 'Europe/Paris (this browser)' });
  });

  it("gives the zone's calendar day", () => {
    const lateUtc = new Date('2026-10-24T23:30:00Z');
    expect(todayIn(UTC, lateUtc)).toBe('2026-10-24');
    expect(todayIn('Europe/Berlin', lateUtc)).toBe('2026-10-25');
    expect(todayIn('America/Los_Angeles', lateUtc)).toBe('2026-10-24');
    expect(describeDays('Asia/Tokyo')).toBe('local days in Asia/Tokyo');
  });
});
