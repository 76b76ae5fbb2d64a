import { describe, expect, it } from '@jest/globals';
import { calendarDate, daysUntil, expiryStatus, formatDate, formatDateTime, formatRelative } from '../../web/src/lib/format.js';

// ICU puts (narrow) no-break spaces in some patterns; compare with plain spaces.
const plain = (text: string): string => text.replace(/\s/gu, ' ');

describe('formatDate', () => {
  it.each([
    ['de-DE', '01.05.2027'],
    ['en-US', 'May 1, 2027'],
    ['en-GB', '1 May 2027'],
  ])('shows a calendar date in %s', (locale, shown) => {
    expect(plain(formatDate('2027-05-01', locale))).toBe(shown);
  });

  it('never shifts a calendar date by a time zone (the same day in every locale)', () => {
    expect(formatDate('2027-01-01', 'en-US', 'short')).toBe('1/1/27');
    expect(formatDate('2026-12-31', ['de-DE', 'en-US'])).toBe('31.12.2026');
  });

  it.each(['2027-02-30', '2027-13-01', '1.5.2027', ''])('refuses %j', (date) => {
    expect(() => formatDate(date, 'en-US')).toThrow(RangeError);
  });
});

describe('formatDateTime', () => {
  it('shows a moment in the locale and the time zone asked for', () => {
    expect(plain(formatDateTime('2026-12-04T21:30:00Z', 'en-GB', 'Europe/Berlin'))).toBe('4 Dec 2026, 22:30');
    expect(plain(formatDateTime('2026-12-04T21:30:00+00:00', 'en-US', 'America/New_York'))).toBe('Dec 4, 2026, 4:30 PM');
    expect(plain(formatDateTime(new Date('2026-12-04T23:30:00Z'), 'de-DE', 'Europe/Berlin'))).toBe('05.12.2026, 00:30');
  });

  it('refuses text that is no timestamp', () => {
    expect(() => formatDateTime('yesterday', 'en-US')).toThrow(RangeError);
  });
});

describe('formatRelative', () => {
  const now = new Date('2026-12-04T12:00:00Z');
  it.each([
    ['2026-12-04T11:59:55Z', 'en', 'now'],
    ['2026-12-04T11:59:30Z', 'en', '30 seconds ago'],
    ['2026-12-04T11:55:00Z', 'en', '5 minutes ago'],
    ['2026-12-04T11:55:00Z', 'de', 'vor 5 Minuten'],
    ['2026-12-04T09:00:00Z', 'en', '3 hours ago'],
    ['2026-12-03T10:00:00Z', 'en', 'yesterday'],
    ['2026-12-04T14:00:00Z', 'en', 'in 2 hours'],
    ['2026-11-20T12:00:00Z', 'en', '2 weeks ago'],
    ['2025-11-04T12:00:00Z', 'en', 'last year'],
  ])('shows %s as %j in %s', (timestamp, locale, shown) => {
    expect(formatRelative(timestamp, now, locale)).toBe(shown);
  });
});

describe('days until expiry', () => {
  it('counts calendar days, 0 on the day itself, negative once past', () => {
    expect(daysUntil('2026-12-04', '2026-12-04')).toBe(0);
    expect(daysUntil('2027-01-03', '2026-12-04')).toBe(30);
    expect(daysUntil('2026-12-03', '2026-12-04')).toBe(-1);
    expect(daysUntil('2028-03-01', '2028-02-28')).toBe(2); // leap day
    expect(daysUntil('2026-03-30', '2026-03-28')).toBe(2); // across a daylight-saving change
  });

  it('tells expired, expiring within 30 days and ok apart (expired means before today, as the ship rule)', () => {
    expect(expiryStatus('2026-12-03', '2026-12-04')).toBe('expired');
    expect(expiryStatus('2026-12-04', '2026-12-04')).toBe('expiring');
    expect(expiryStatus('2027-01-03', '2026-12-04')).toBe('expiring');
    expect(expiryStatus('2027-01-04', '2026-12-04')).toBe('ok');
    expect(expiryStatus('2026-12-11', '2026-12-04', 7)).toBe('expiring');
  });

  it('takes "today" in the time zone of the floor, not UTC', () => {
    const lateEvening = new Date('2026-12-04T23:30:00Z');
    expect(calendarDate(lateEvening, 'UTC')).toBe('2026-12-04');
    expect(calendarDate(lateEvening, 'Europe/Berlin')).toBe('2026-12-05');
    expect(calendarDate(lateEvening, 'America/Los_Angeles')).toBe('2026-12-04');
  });
});
