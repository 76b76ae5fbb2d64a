/**
 * The lines of a movement form as the user edits them (text as typed), and what a scan does to
 * them. Pure: no React, no API, so the rules are tested by jest (test/web/movement-lines.test.ts).
 */
import { parseQuantityInput } from '../lib/quantity-input.js';
import { addQuantities, formatQuantity } from '../lib/quantity.js';

/** One line as typed. Every field is text; a form uses the ones its kind has. */
export interface LineDraft {
  readonly id: number;
  readonly sku: string;
  readonly quantity: string;
  readonly location: string;
  readonly from: string;
  readonly to: string;
  readonly lot: string;
  readonly expiresOn: string;
  readonly serials: string;
}

/** The fields of a line that name a location. */
export type LocationField = 'location' | 'from' | 'to';

/** What a scan named, once looked up: an article (with what the GS1 code carried) or a location. */
export type ScanTarget =
  | { readonly kind: 'article'; readonly sku?: string; readonly lot?: string; readonly expiresOn?: string; readonly serial?: string }
  | { readonly kind: 'location'; readonly code: string };

let nextId = 1;

/** An empty line; `carry` keeps the locations of the line before, so a put-away keeps its target. */
export function emptyLine(carry: Partial<Pick<LineDraft, LocationField>> = {}): LineDraft {
  nextId += 1;
  return { id: nextId, sku: '', quantity: '', location: '', from: '', to: '', lot: '', expiresOn: '', serials: '', ...carry };
}

/** The location fields of a line, to carry into the next one. */
export function locationsOf(line: LineDraft | undefined): Pick<LineDraft, LocationField> {
  return { location: line?.location ?? '', from: line?.from ?? '', to: line?.to ?? '' };
}

/**
 * `quantity` + 1, written as the locale writes it (so the next scan and the submission read it
 * back), when it reads as a quantity; left as typed otherwise: a repeated scan counts one more.
 */
function plusOne(quantity: string, locale: string | undefined): string {
  if (quantity.trim() === '') return '1';
  try {
    return formatQuantity(addQuantities(parseQuantityInput(quantity, locale, 'any'), '1'), locale);
  } catch {
    return quantity;
  }
}

/**
 * The lines after a scan. A location sets `locationField` of the last line and of the lines
 * scanned after it (`current` is what the form keeps as the scanned location). An article fills
 * the last line when it has no SKU yet; the same article, lot and location scanned again adds one
 * (a serial is added to the line's serials); anything else starts a new line with quantity 1.
 */
export function applyScan(lines: readonly LineDraft[], target: ScanTarget, locationField: LocationField, current: string, locale?: string): LineDraft[] {
  const last = lines.at(-1);
  const before = lines.slice(0, -1);
  if (target.kind === 'location') {
    if (!last) return [{ ...emptyLine(), [locationField]: target.code }];
    if (last.sku === '') return [...before, { ...last, [locationField]: target.code }];
    return [...lines];
  }
  const fill = (line: LineDraft): LineDraft => ({
    ...line,
    ...(target.sku === undefined ? {} : { sku: target.sku }),
    ...(target.lot === undefined ? {} : { lot: target.lot }),
    ...(target.expiresOn === undefined ? {} : { expiresOn: target.expiresOn }),
    ...(target.serial === undefined ? {} : { serials: line.serials === '' ? target.serial : `${line.serials}, ${target.serial}` }),
    [locationField]: line[locationField] === '' ? current : line[locationField],
  });
  if (!last) return [{ ...fill(emptyLine()), quantity: '1' }];
  if (last.sku === '' || target.sku === undefined) return [...before, { ...fill(last), quantity: last.quantity === '' ? '1' : last.quantity }];
  const same = last.sku === target.sku && (target.lot === undefined || target.lot === last.lot) && (current === '' || last[locationField] === current);
  if (same) return [...before, { ...fill(last), quantity: plusOne(last.quantity, locale) }];
  return [...lines, { ...fill(emptyLine({ ...locationsOf(last), [locationField]: current || last[locationField] })), quantity: '1' }];
}

/** Serials as typed ("SN1, SN2" or one a line) as a list; empty when none. */
export function serialList(text: string): string[] {
  return text
    .split(/[\s,;]+/)
    .map((serial) => serial.trim())
    .filter((serial) => serial !== '');
}
