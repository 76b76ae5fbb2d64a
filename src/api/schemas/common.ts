import { z } from 'zod';
import { toThousandths } from '../../domain/quantity.js';

/** Printable text: no control characters (they have no business in names, lots or references; PostgreSQL refuses NUL). */
export function isPrintable(text: string): boolean {
  for (let index = 0; index < text.length; index += 1) {
    const code = text.charCodeAt(index);
    if (code < 0x20 || code === 0x7f) return false;
  }
  return true;
}
const noControl = 'must not contain control characters';

/** A lone UTF-16 surrogate: with the `u` flag a well-formed pair is one code point, not `Cs`. */
const loneSurrogate = /\p{Cs}/u;

/**
 * Whether a string is text the API can keep as it was given: well-formed Unicode (no lone
 * surrogate, which UTF-8 cannot hold: PostgreSQL refuses it in JSON, and elsewhere it would be
 * stored as U+FFFD) and no NUL (PostgreSQL refuses it in text).
 */
export function isStorableText(text: string): boolean {
  return !text.includes('\u0000') && !loneSurrogate.test(text);
}

/**
 * Every string the API accepts starts here (body, path and query fields alike): one rule, so a
 * new field gets it by construction. A lone surrogate or a NUL is refused at the field, before
 * any other check of it (`abort`), with one message.
 */
export const stringSchema = () => z.string().refine(isStorableText, { message: 'must be valid Unicode text without NUL or lone surrogates', abort: true });

/** A stock-keeping unit: 1 to 64 of `[A-Za-z0-9._/-]` (API.md). */
export const skuSchema = stringSchema().regex(/^[A-Za-z0-9._/-]{1,64}$/, 'must be 1 to 64 of A-Z, a-z, 0-9, ".", "_", "/", "-"');
/** A location code: 1 to 32 of `[A-Z0-9._-]` (API.md). */
export const locationCodeSchema = stringSchema().regex(/^[A-Z0-9._-]{1,32}$/, 'must be 1 to 32 of A-Z, 0-9, ".", "_", "-"');
/** A lot number. */
export const lotSchema = stringSchema().min(1).max(64).refine(isPrintable, noControl);
/** Serial numbers of a serial-tracked article's line. */
export const serialsSchema = z.array(stringSchema().min(1).max(64).refine(isPrintable, noControl)).min(1).max(10_000);
/** A business reference: order, delivery note, ... */
export const referenceSchema = stringSchema().trim().min(1).max(100).refine(isPrintable, noControl);
/** Free text of a person (names, notes, reasons). */
export const textSchema = (max: number) => stringSchema().trim().min(1).max(max).refine(isPrintable, noControl);
/**
 * The `Idempotency-Key` header, which is stored: 1 to 200 printable ASCII characters. Node reads
 * header bytes as Latin-1, so anything beyond ASCII would be stored as a guess at what was meant.
 */
export const idempotencyKeySchema = stringSchema().regex(/^[\x20-\x7e]{1,200}$/, 'must be 1 to 200 printable ASCII characters');
/** A calendar date, YYYY-MM-DD. */
export const dateSchema = z.iso.date();
/** A timestamp, ISO 8601 with offset. */
export const timestampSchema = z.iso.datetime({ offset: true });

/** How far in the future a business time may lie (API.md: 5 minutes). */
const futureToleranceMs = 5 * 60_000;

/** Business time of a movement: ISO 8601 with offset, at most 5 minutes ahead; defaults to now (in the handler). */
export const occurredAtSchema = timestampSchema.refine((at) => Date.parse(at) <= Date.now() + futureToleranceMs, 'may not be more than 5 minutes in the future');

const quantityMessage = 'must be a finite number with at most 3 decimals and at most 1e9';

/** A JSON number checked by `range`, then turned into exact integer thousandths (at most 3 decimals). */
const exactQuantity = (range: z.ZodNumber | z.ZodType<number, number>) =>
  range.transform((value, context) => {
    const thousandths = toThousandths(value);
    if (thousandths === undefined) {
      context.addIssue({ code: 'custom', message: quantityMessage });
      return z.NEVER;
    }
    return thousandths;
  });

/** A quantity > 0 (API.md), as a JSON number; validated exactly and turned into integer thousandths. */
export const quantitySchema = exactQuantity(z.number().positive('must be greater than 0').max(1e9, 'must be at most 1e9'));

/** A signed, non-zero quantity (adjustment deltas). */
export const deltaSchema = exactQuantity(
  z
    .number()
    .min(-1e9, 'must be at least -1e9')
    .max(1e9, 'must be at most 1e9')
    .refine((value) => value !== 0, 'must not be 0'),
);

/** A quantity ≥ 0 (counted stock). */
export const countedSchema = exactQuantity(z.number().min(0, 'must be 0 or more').max(1e9, 'must be at most 1e9'));

/** A non-negative whole number (reorder points, shelf life...). */
export const wholeNumberSchema = (max: number) => z.number().int('must be a whole number').min(0).max(max);

/** `?limit=&cursor=` of every list (API.md: default 50, max 500). */
export const paginationSchema = {
  limit: z.coerce.number().int('must be a whole number').min(1).max(500).default(50),
  cursor: stringSchema().max(500).optional(),
};

/** A query-string boolean: `true` / `false` (default false). */
export const flagSchema = z.enum(['true', 'false']).default('false').transform((value) => value === 'true');

/** Lines of a movement: at least one, at most 1,000. */
export const linesSchema = <T extends z.ZodType>(line: T) => z.array(line).min(1, 'needs at least one line').max(1000, 'at most 1,000 lines');
