import type { Database } from '../database/connection.js';
import { stockLinesWithReservations, type StockFilter, type StockLine } from './queries.js';

const lineKey = (line: Pick<StockLine, 'sku' | 'location' | 'lot'>): string => `${line.sku}\u0000${line.location}\u0000${line.lot ?? ''}`;

/**
 * Shares reservations out over stock lines in FEFO order, as shipping would consume them: a
 * location's reservations over its lots first expiring first, then reservations made for
 * "anywhere" over the article's remaining stock in every location. What cannot be covered by
 * stock (possible only where negative stock is allowed) stays on the last line, so that the
 * lines always add up to what is reserved.
 */
export function shareOutReservations(lines: readonly StockLine[], anywhere: ReadonlyMap<string, number>): Map<string, number> {
  const reserved = new Map<string, number>();
  const byLocation = new Map<string, StockLine[]>();
  const bySku = new Map<string, StockLine[]>();
  const groupInto = (groups: Map<string, StockLine[]>, key: string, line: StockLine): void => {
    const group = groups.get(key);
    if (group) group.push(line);
    else groups.set(key, [line]);
  };
  for (const line of lines) {
    groupInto(byLocation, `${line.sku}\u0000${line.location}`, line);
    groupInto(bySku, line.sku, line);
  }
  const give = (group: readonly StockLine[], total: number, free: (line: StockLine) => number): void => {
    let left = total;
    for (const line of group) {
      const take = Math.min(Math.max(free(line), 0), left);
      reserved.set(lineKey(line), (reserved.get(lineKey(line)) ?? 0) + take);
      left -= take;
    }
    const last = group.at(-1);
    if (left > 0 && last) reserved.set(lineKey(last), (reserved.get(lineKey(last)) ?? 0) + left);
  };
  // Every lot line of a location carries the location's whole reservation (stockLinesWithReservations): share it once.
  for (const group of byLocation.values()) give(group, group[0]?.reserved ?? 0, (line) => line.onHand);
  for (const [sku, group] of bySku) give(group, anywhere.get(sku) ?? 0, (line) => line.onHand - (reserved.get(lineKey(line)) ?? 0));
  return reserved;
}

/**
 * GET /api/stock: stock lines (FEFO) whose `reserved` adds up, per article, to what is reserved
 * of it, located or not; available = on hand − reserved. Filtering by location or lot shows those
 * lines with their share as computed over all of the article's stock.
 */
export async function reservedStockLines(db: Database, schema: string, filter: StockFilter = {}): Promise<StockLine[]> {
  const lines = await stockLinesWithReservations(db, schema, filter);
  if (lines.length === 0) return [];
  const narrowed = filter.location !== undefined || filter.lot !== undefined;
  const skus = [...new Set(lines.map((line) => line.sku))];
  const all = narrowed ? await stockLinesWithReservations(db, schema, { skus, ...(filter.includeZero ? { includeZero: true } : {}) }) : lines;
  const anywhere = new Map(all.map((line) => [line.sku, line.reservedAnywhere] as const));
  const reserved = shareOutReservations(all, anywhere);
  return lines.map(({ reservedAnywhere: _anywhere, ...line }) => ({ ...line, reserved: reserved.get(lineKey(line)) ?? 0 }));
}
