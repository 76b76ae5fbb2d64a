import { decodeCursor, encodeCursor, InvalidCursor, type Page } from '../projections/cursor.js';

/** `?limit=&cursor=` of a list, validated (1 to 500, default 50). */
export interface PageQuery {
  readonly limit: number;
  readonly cursor?: string | undefined;
}

/**
 * A page of a list that is computed whole (stock lines with their shared-out reservations,
 * reports, users, tokens: at most a few thousand items per tenant). The cursor carries the key of
 * the last item served and its offset: the next page starts after that item where it now stands,
 * or at the offset when it has gone.
 */
export function pageOfList<T>(list: string, items: readonly T[], query: PageQuery, key: (item: T) => string): Page<T> {
  let start = 0;
  if (query.cursor !== undefined) {
    const [offset, last] = decodeCursor(list, query.cursor, ['int', 'text'] as const);
    if (offset < 0) throw new InvalidCursor('negative offset');
    const found = items[offset - 1] !== undefined && key(items[offset - 1] as T) === last ? offset : items.findIndex((item) => key(item) === last) + 1;
    start = found > 0 ? found : offset;
  }
  const served = items.slice(start, start + query.limit);
  const end = start + served.length;
  const lastServed = served.at(-1);
  return { items: served, nextCursor: end < items.length && lastServed !== undefined ? encodeCursor(list, [end, key(lastServed)]) : null };
}
