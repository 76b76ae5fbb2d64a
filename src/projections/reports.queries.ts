import { pgp, type Database } from '../database/connection.js';

/** An article at or below its reorder point (quantities in thousandths, over real locations). */
export interface LowStockLine {
  readonly sku: string;
  readonly name: string;
  readonly onHand: number;
  readonly reserved: number;
  readonly available: number;
  readonly reorderPoint: number;
  readonly reorderQuantity: number | null;
}

/** A lot with stock in real locations that expires soon or has expired. */
export interface ExpiringLot {
  readonly sku: string;
  readonly lot: string;
  readonly expiresOn: string;
  /** Thousandths, summed over real locations. */
  readonly onHand: number;
  /** Days from today to the expiry date; negative once expired, 0 on the day itself. */
  readonly daysLeft: number;
}

/** The daily on-hand series of one article, oldest day first. */
export interface StockHistory {
  readonly sku: string;
  readonly days: ReadonlyArray<{ readonly day: string; readonly onHand: number }>;
}

/**
 * Active articles with a reorder point whose available quantity (on hand in real locations less
 * every open reservation) is at or below it, by SKU. Each article's totals are index range scans
 * on balances (primary key) and reservations (sku).
 */
export async function lowStock(db: Database, schema: string): Promise<LowStockLine[]> {
  const s = pgp.as.name(schema);
  const rows = await db.any<{ sku: string; name: string; on_hand: string; reserved: string; reorder_point: string; reorder_quantity: string | null }>(
    `select a.sku, a.name, t.on_hand::text, t.reserved::text, a.reorder_point::text, a.reorder_quantity::text
       from ${s}.articles a
       cross join lateral (
         select coalesce((select sum(b.on_hand) from ${s}.balances b where b.sku = a.sku and b.location not like '@%'), 0) as on_hand,
                coalesce((select sum(r.quantity) from ${s}.reservations r where r.sku = a.sku), 0) as reserved
       ) t
      where not a.archived and a.reorder_point is not null
        and t.on_hand - t.reserved <= a.reorder_point
      order by a.sku`,
  );
  return rows.map((row) => {
    const onHand = Number(row.on_hand);
    const reserved = Number(row.reserved);
    return {
      sku: row.sku,
      name: row.name,
      onHand,
      reserved,
      available: onHand - reserved,
      reorderPoint: Number(row.reorder_point),
      reorderQuantity: row.reorder_quantity === null ? null : Number(row.reorder_quantity),
    };
  });
}

/**
 * Lots with stock in real locations that expire on or before `today` + `withinDays`, those
 * already expired included, first expiring first. `today` (YYYY-MM-DD) is the caller's: the
 * tenant's calendar day, and tests can fix it.
 */
export async function expiringLots(db: Database, schema: string, options: { readonly withinDays: number; readonly today: string }): Promise<ExpiringLot[]> {
  const s = pgp.as.name(schema);
  const rows = await db.any<{ sku: string; lot: string; expires_on: string; on_hand: string; days_left: number }>(
    `select l.sku, l.lot, to_char(l.expires_on, 'YYYY-MM-DD') as expires_on, sum(b.on_hand)::text as on_hand, l.expires_on - $1::date as days_left
       from ${s}.lots l
       join ${s}.balances b on b.sku = l.sku and b.lot = l.lot and b.location not like '@%'
      where l.expires_on <= $1::date + $2::int
      group by l.sku, l.lot, l.expires_on
     having sum(b.on_hand) > 0
      order by l.expires_on, l.sku, l.lot`,
    [options.today, options.withinDays],
  );
  return rows.map((row) => ({ sku: row.sku, lot: row.lot, expiresOn: row.expires_on, onHand: Number(row.on_hand), daysLeft: row.days_left }));
}

/**
 * On hand of article `sku` at the end of each of the last `days` days up to `today`
 * (YYYY-MM-DD), summed over real locations: what stood before the window plus a running sum of
 * the daily net changes, so days without movements repeat the day before. Days are business
 * days (of occurredAt). An unknown SKU gives a series of zeros.
 */
export async function stockHistory(db: Database, schema: string, options: { readonly sku: string; readonly days: number; readonly today: string }): Promise<StockHistory> {
  const s = pgp.as.name(schema);
  const rows = await db.any<{ day: string; on_hand: string }>(
    `with window_days as (
       select $2::date - n as day from generate_series(0, $3::int - 1) as n
     ),
     opening as (
       select coalesce(sum(net_change), 0) as on_hand from ${s}.stock_daily
        where sku = $1 and location not like '@%' and day < $2::date - ($3::int - 1)
     ),
     changes as (
       select day, sum(net_change) as net_change from ${s}.stock_daily
        where sku = $1 and location not like '@%' and day between $2::date - ($3::int - 1) and $2::date
        group by day
     )
     select to_char(w.day, 'YYYY-MM-DD') as day,
            ((select on_hand from opening) + sum(coalesce(c.net_change, 0)) over (order by w.day))::text as on_hand
       from window_days w left join changes c on c.day = w.day
      order by w.day`,
    [options.sku, options.today, options.days],
  );
  return { sku: options.sku, days: rows.map((row) => ({ day: row.day, onHand: Number(row.on_hand) })) };
}
