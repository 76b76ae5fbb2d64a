/**
 * Dates and times as the user reads them, with Intl in the browser's locale (passed in, so the
 * same functions serve tests and every screen). "Now" is always an argument: no hidden clock.
 */

/** A locale argument as Intl takes it (`navigator.languages` fits). */
export type Locales = string | readonly string[] | undefined;

const isoDate = /^(\d{4})-(\d{2})-(\d{2})$/;
const dayMs = 86_400_000;

function locales(locale: Locales): string | string[] | undefined {
  return typeof locale === 'string' || locale === undefined ? locale : [...locale];
}

/** Days since 1970-01-01 of a calendar date "YYYY-MM-DD"; throws for anything else. */
function dayNumber(date: string): number {
  const match = isoDate.exec(date);
  if (!match) throw new RangeError(`Not a calendar date: ${JSON.stringify(date)}`);
  const [, year, month, day] = match.map(Number) as [number, number, number, number];
  const time = Date.UTC(year, month - 1, day);
  // Date.UTC rolls 2027-02-30 over into March and month 13 into the next year: refuse those.
  if (new Date(time).getUTCDate() !== day || new Date(time).getUTCMonth() !== month - 1) throw new RangeError(`Not a calendar date: ${JSON.stringify(date)}`);
  return time / dayMs;
}

/**
 * A calendar date ("2027-05-01", an expiry or a count date) in the locale. A calendar date has no
 * time zone: it is shown as the same day everywhere, never shifted by the browser's offset.
 */
export function formatDate(date: string, locale: Locales, style: 'short' | 'medium' | 'long' = 'medium'): string {
  return new Intl.DateTimeFormat(locales(locale), { dateStyle: style, timeZone: 'UTC' }).format(dayNumber(date) * dayMs);
}

/** A moment (an ISO timestamp with offset) as date and time in the locale and time zone (the browser's by default). */
export function formatDateTime(timestamp: string | Date, locale: Locales, timeZone?: string): string {
  const time = typeof timestamp === 'string' ? Date.parse(timestamp) : timestamp.getTime();
  if (Number.isNaN(time)) throw new RangeError(`Not a timestamp: ${JSON.stringify(timestamp)}`);
  return new Intl.DateTimeFormat(locales(locale), { dateStyle: 'medium', timeStyle: 'short', ...(timeZone ? { timeZone } : {}) }).format(time);
}

const units: readonly [Intl.RelativeTimeFormatUnit, number][] = [
  ['year', 365 * dayMs],
  ['month', 30 * dayMs],
  ['week', 7 * dayMs],
  ['day', dayMs],
  ['hour', 3_600_000],
  ['minute', 60_000],
  ['second', 1000],
];

/**
 * How long ago (or how far ahead) a moment is from `now`, in words: "5 minutes ago", "yesterday",
 * "in 2 hours". The largest unit that fits is used; under 10 seconds reads as "now".
 */
export function formatRelative(timestamp: string | Date, now: Date, locale: Locales): string {
  const time = typeof timestamp === 'string' ? Date.parse(timestamp) : timestamp.getTime();
  if (Number.isNaN(time)) throw new RangeError(`Not a timestamp: ${JSON.stringify(timestamp)}`);
  const elapsed = time - now.getTime();
  const format = new Intl.RelativeTimeFormat(locales(locale), { numeric: 'auto' });
  if (Math.abs(elapsed) < 10_000) return format.format(0, 'second');
  for (const [unit, size] of units) {
    if (Math.abs(elapsed) >= size) return format.format(Math.trunc(elapsed / size), unit);
  }
  return format.format(Math.trunc(elapsed / 1000), 'second');
}

/** Today's calendar date ("YYYY-MM-DD") in a time zone (the browser's by default): what "today" means on the floor. */
export function calendarDate(now: Date, timeZone?: string): string {
  const parts = new Intl.DateTimeFormat('en-CA', { year: 'numeric', month: '2-digit', day: '2-digit', ...(timeZone ? { timeZone } : {}) }).formatToParts(now);
  const part = (type: string): string => parts.find((candidate) => candidate.type === type)?.value ?? '';
  return `${part('year')}-${part('month')}-${part('day')}`;
}

/**
 * Whole days from `today` to an expiry date, both calendar dates: 0 when it expires today,
 * negative once expired. Counted on calendar days, so daylight-saving changes do not matter.
 */
export function daysUntil(expiresOn: string, today: string): number {
  return dayNumber(expiresOn) - dayNumber(today);
}

/** Where an expiry stands: `expired` before today, `expiring` within `withinDays` (30, as the Overview lists), else `ok`. */
export function expiryStatus(expiresOn: string, today: string, withinDays = 30): 'expired' | 'expiring' | 'ok' {
  const days = daysUntil(expiresOn, today);
  if (days < 0) return 'expired';
  return days <= withinDays ? 'expiring' : 'ok';
}
