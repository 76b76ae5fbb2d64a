import { textArray } from '../array-literal.js';
import { stockEvents } from './ignored-events.js';
import { memoryTable, type ProjectionEvent, type ReadModel } from './read-model.js';
import { notStock } from './stock-events.js';

/** A batch's changes to last counts: the latest business time of a count per (article, location). */
export type LastCountChanges = Map<string, { readonly sku: string; readonly location: string; readonly countedAt: string }>;

/** Whether business time `a` is later than `b` (ISO texts, possibly with different offsets). */
const isLater = (a: string, b: string): boolean => Date.parse(a) > Date.parse(b);

function count(changes: LastCountChanges, event: ProjectionEvent<'StockCounted'>): void {
  const { sku, location } = event.data;
  const countedAt = event.metadata.occurredAt;
  const key = `${sku}\u0000${location}`;
  const known = changes.get(key);
  // A count recorded late (back-dated) does not hide a later one: the latest business time wins.
  if (!known || isLater(countedAt, known.countedAt)) changes.set(key, { sku, location, countedAt });
}

/**
 * Last counts: when each article was last counted at each location (the business time of the
 * latest StockCounted there, whatever it found, a difference or none), for GET /api/stock's
 * `lastCountedAt`. Per article and location, not per lot: a count covers the location.
 */
export const lastCounts: ReadModel<LastCountChanges> = {
  name: 'last-counts',
  tables: ['last_counts'],
  changes: () => new Map(),
  evolve: {
    ...notStock,
    ...stockEvents,
    StockCounted: count,
  },
  async write(t, s, changes) {
    const rows = [...changes.values()];
    if (rows.length === 0) return;
    await t.none({
      text: `insert into ${s}.last_counts (sku, location, counted_at) select * from unnest($1::text[], $2::text[], $3::timestamptz[])
             on conflict (sku, location) do update set counted_at = greatest(last_counts.counted_at, excluded.counted_at)`,
      values: [textArray(rows.map((r) => r.sku)), textArray(rows.map((r) => r.location)), textArray(rows.map((r) => r.countedAt))],
    });
  },
  applyInMemory(tables, changes) {
    const table = memoryTable(tables, 'last_counts');
    for (const [id, { sku, location, countedAt }] of changes) {
      const known = table.get(id)?.counted_at;
      if (typeof known !== 'string' || isLater(countedAt, known)) table.set(id, { sku, location, counted_at: countedAt });
    }
  },
};
