/**
 * GS1 YYMMDD dates (AIs 11 to 17): which century a two-digit year falls in, and what a day of
 * "00" means.
 */

/**
 * The four-digit year for a two-digit GS1 year, by the sliding window of the GS1 General
 * Specifications 7.12: a year 51 to 99 ahead of the current one is taken from the previous
 * century, one 50 to 99 behind it from the next, any other from the current century.
 */
export function gs1Year(twoDigitYear: number, currentYear: number): number {
  const century = currentYear - (currentYear % 100);
  const difference = twoDigitYear - (currentYear % 100);
  if (difference >= 51) return century - 100 + twoDigitYear;
  if (difference <= -50) return century + 100 + twoDigitYear;
  return century + twoDigitYear;
}

/** How many days the month has (month 1 to 12), leap years included. */
export function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/**
 * The ISO date (YYYY-MM-DD) of a GS1 YYMMDD date, or undefined when it names no real day. A day
 * of "00" means the month only is given: GS1 reads it as the last day of that month.
 */
export function gs1DateToIso(yymmdd: string, currentYear: number): string | undefined {
  if (!/^\d{6}$/.test(yymmdd)) return undefined;
  const year = gs1Year(Number(yymmdd.slice(0, 2)), currentYear);
  const month = Number(yymmdd.slice(2, 4));
  let day = Number(yymmdd.slice(4, 6));
  if (month < 1 || month > 12) return undefined;
  const lastDay = daysInMonth(year, month);
  if (day === 0) day = lastDay;
  if (day > lastDay) return undefined;
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}
