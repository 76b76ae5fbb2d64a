/**
 * The GS1 mod-10 check digit shared by GTIN-8, GTIN-12 (UPC-A), GTIN-13 (EAN-13), GTIN-14 and the
 * SSCC (GS1 General Specifications 7.9.1): from the right, the digits before the check digit are
 * weighted 3, 1, 3, 1, ...; the check digit brings the weighted sum up to a multiple of ten.
 */

/** The check digit for `digits` (the number without its check digit). Digits only. */
export function gs1CheckDigit(digits: string): number {
  let sum = 0;
  for (let index = 0; index < digits.length; index += 1) {
    const digit = digits.charCodeAt(digits.length - 1 - index) - 48;
    sum += index % 2 === 0 ? digit * 3 : digit;
  }
  return (10 - (sum % 10)) % 10;
}

/** Whether the last digit of `number` is the right check digit for the digits before it. */
export function hasValidCheckDigit(number: string): boolean {
  if (!/^\d{2,}$/.test(number)) return false;
  return gs1CheckDigit(number.slice(0, -1)) === Number(number.slice(-1));
}

/** Whether `code` has the shape of a GTIN: 8, 12, 13 or 14 digits (check digit not checked). */
export function looksLikeGtin(code: string): boolean {
  return /^(\d{8}|\d{12,14})$/.test(code);
}

/** A GTIN-8/12/13 written as the 14 digits GS1 element strings carry (left-padded with zeros). */
export function toGtin14(gtin: string): string {
  return gtin.padStart(14, '0');
}
