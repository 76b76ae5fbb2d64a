/**
 * The one pagination module: every paginated GET's cursor is made and read here. A cursor is
 * opaque to clients: base64url of a small JSON object `{ "l": <list>, "k": [<key>] }`. The list
 * name makes a cursor of one list useless on another. Two kinds of page use it:
 * - keyset pages of the read schemas' lists ({@link pageOf}): the key is the last item's, so the
 *   next page starts right after it with an index range scan, however deep the client has paged
 *   (no OFFSET);
 * - pages of a list computed whole ({@link pageOfList}: stock lines, reports, users, tokens): the
 *   key is the offset and the last item's key.
 * It lives with the projections because the keyset queries (`*.queries.ts`) are its main users and
 * sit below the API; the API imports it for the lists it computes itself.
 */

/** A page of a list, as every paginated GET answers it. */
export interface Page<T> {
  readonly items: readonly T[];
  readonly nextCursor: string | null;
}

/** `?limit=&cursor=` of a list: `limit` is already validated by the API (1 to 500, default 50). */
export interface PageRequest {
  readonly limit: number;
  readonly cursor?: string;
}

/** A cursor that this service did not hand out, or not for this list (HTTP 422 on `cursor`). */
export class InvalidCursor extends Error {
  readonly code = 'validation';
  readonly path = 'cursor';
  constructor(reason: string, options?: { cause?: unknown }) {
    super(`the cursor is not valid: ${reason}`, options);
    this.name = 'InvalidCursor';
  }
}

/**
 * The kinds of value a key part may hold: `text`; `bigint` (an int8 column such as a position,
 * kept as a decimal string so that it stays exact); `int` (an int4 column, a JS number).
 */
export type CursorPart = 'text' | 'bigint' | 'int';

/** The decoded key of a cursor whose parts have the kinds `Parts`. */
export type CursorKey<Parts extends readonly CursorPart[]> = { -readonly [I in keyof Parts]: Parts[I] extends 'int' ? number : string };

/** Cursors are tiny; anything longer was not made here (and is not worth parsing). */
const maxCursorLength = 1024;
const base64url = /^[A-Za-z0-9_-]+$/;
const decimal = /^(0|-?[1-9][0-9]{0,18})$/;
const int8Max = 2n ** 63n - 1n;
const int4Max = 2 ** 31 - 1;

/** The cursor that continues list `list` after the item whose key is `key`. */
export function encodeCursor(list: string, key: readonly (string | number)[]): string {
  return Buffer.from(JSON.stringify({ l: list, k: key }), 'utf8').toString('base64url');
}

function checkPart(kind: CursorPart, value: unknown): boolean {
  switch (kind) {
    case 'text':
      return typeof value === 'string';
    case 'bigint': {
      if (typeof value !== 'string' || !decimal.test(value)) return false;
      const n = BigInt(value);
      return n <= int8Max && n >= -int8Max - 1n;
    }
    case 'int':
      return typeof value === 'number' && Number.isInteger(value) && Math.abs(value) <= int4Max;
  }
}

/**
 * The key a cursor of list `list` carries, checked against `parts`. Throws InvalidCursor when the
 * text is not base64url, not JSON, of another list, or its key has the wrong shape.
 */
export function decodeCursor<const Parts extends readonly CursorPart[]>(list: string, cursor: string, parts: Parts): CursorKey<Parts> {
  if (cursor.length === 0 || cursor.length > maxCursorLength || !base64url.test(cursor)) throw new InvalidCursor('not base64url');
  let payload: unknown;
  try {
    payload = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch (error) {
    throw new InvalidCursor('not JSON', { cause: error });
  }
  if (typeof payload !== 'object' || payload === null || !('l' in payload) || !('k' in payload)) throw new InvalidCursor('no list and key');
  if (payload.l !== list) throw new InvalidCursor(`not a cursor of ${list}`);
  const key = payload.k;
  if (!Array.isArray(key) || key.length !== parts.length || !parts.every((kind, index) => checkPart(kind, key[index]))) {
    throw new InvalidCursor('the key has the wrong shape');
  }
  return key as CursorKey<Parts>;
}

/**
 * A page from rows fetched with `limit + 1`: the extra row only tells that there is more, and the
 * next cursor points after the last item served.
 */
export function pageOf<Row, Item>(list: string, rows: readonly Row[], limit: number, item: (row: Row) => Item, key: (row: Row) => readonly (string | number)[]): Page<Item> {
  const served = rows.slice(0, limit);
  const last = served.at(-1);
  const nextCursor = rows.length > limit && last !== undefined ? encodeCursor(list, key(last)) : null;
  return { items: served.map(item), nextCursor };
}

/**
 * A page of a list that is computed whole (stock lines with their shared-out reservations,
 * reports, users, tokens: at most a few thousand items per tenant). The cursor carries the offset
 * after the last item served and that item's key: the next page starts after that item where it
 * now stands, or at the offset when it has gone.
 */
export function pageOfList<T>(list: string, items: readonly T[], request: PageRequest, key: (item: T) => string): Page<T> {
  let start = 0;
  if (request.cursor !== undefined) {
    const [offset, last] = decodeCursor(list, request.cursor, ['int', 'text'] as const);
    if (offset < 0) throw new InvalidCursor('negative offset');
    const found = items[offset - 1] !== undefined && key(items[offset - 1] as T) === last ? offset : items.findIndex((item) => key(item) === last) + 1;
    start = found > 0 ? found : offset;
  }
  const served = items.slice(start, start + request.limit);
  const end = start + served.length;
  const lastServed = served.at(-1);
  return { items: served, nextCursor: end < items.length && lastServed !== undefined ? encodeCursor(list, [end, key(lastServed)]) : null };
}
