import type { ITask } from 'pg-promise';
import { pgp } from '../database/connection.js';
import type { ChangeSet } from './change-set.js';
import { numberArray, textArray } from './array-literal.js';
import { writeLedger } from './write-ledger.js';

type Transaction = ITask<unknown>;

/** The SQL of a catalog event, formatted (catalog events are few and go in one round trip). */
function catalogStatement(s: string, event: ChangeSet['catalog'][number]): string | undefined {
  switch (event.type) {
    case 'ArticleRegistered': {
      const a = event.data;
      return pgp.as.format(
        `insert into ${s}.articles (sku, name, unit, tracking, barcode, reorder_point, reorder_quantity, shelf_life_days)
         values ($1, $2, $3, $4, $5, $6, $7, $8) on conflict (sku) do nothing`,
        [a.sku, a.name, a.unit, a.tracking, a.barcode ?? null, a.reorderPoint ?? null, a.reorderQuantity ?? null, a.shelfLifeDays ?? null],
      );
    }
    case 'ArticleUpdated': {
      const c = event.data.changes;
      return pgp.as.format(
        `update ${s}.articles set name = coalesce($2, name), barcode = coalesce($3, barcode), reorder_point = coalesce($4, reorder_point),
           reorder_quantity = coalesce($5, reorder_quantity), shelf_life_days = coalesce($6, shelf_life_days) where sku = $1`,
        [event.data.sku, c.name ?? null, c.barcode ?? null, c.reorderPoint ?? null, c.reorderQuantity ?? null, c.shelfLifeDays ?? null],
      );
    }
    case 'ArticleArchived':
      return pgp.as.format(`update ${s}.articles set archived = true where sku = $1`, [event.data.sku]);
    case 'LocationCreated': {
      const l = event.data;
      return pgp.as.format(`insert into ${s}.locations (code, name, parent, type) values ($1, $2, $3, $4) on conflict (code) do nothing`, [
        l.code,
        l.name ?? null,
        l.parent ?? null,
        l.type,
      ]);
    }
    case 'LocationBlocked':
    case 'LocationUnblocked':
      return pgp.as.format(`update ${s}.locations set blocked = $2 where code = $1`, [event.data.code, event.type === 'LocationBlocked']);
    default:
      return undefined;
  }
}

/** Catalog events in order, as one multi-statement query: one round trip however many (a rebuild's first batch has them all). */
async function writeCatalog(t: Transaction, s: string, changes: ChangeSet): Promise<void> {
  const statements = changes.catalog.map((event) => catalogStatement(s, event)).filter((statement) => statement !== undefined);
  if (statements.length > 0) await t.none(statements.join(';\n'));
}

/** A table of totals: rows keyed by text columns (the last may be a date), with a bigint total that disappears at zero. */
interface TotalsTable {
  readonly table: string;
  readonly keys: readonly [string, string, string];
  readonly lastKeyType: 'text' | 'date';
  readonly total: string;
}

/**
 * Adds deltas to a table of totals and deletes the rows that came back to zero, as if they had
 * never been (live projection and rebuild agree). The upsert returns the keys of rows now at
 * zero, so the delete touches only those, not every key of the batch. `key` gives a row's three
 * key columns; rows with a delta of zero change nothing and are left out.
 */
async function addToTotals<Row extends { delta: number }>(t: Transaction, s: string, spec: TotalsTable, rows: Iterable<Row>, key: (row: Row) => readonly [string, string, string]): Promise<void> {
  const c1: string[] = [];
  const c2: string[] = [];
  const c3: string[] = [];
  const deltas: number[] = [];
  for (const row of rows) {
    if (row.delta === 0) continue;
    const [a, b, c] = key(row);
    c1.push(a);
    c2.push(b);
    c3.push(c);
    deltas.push(row.delta);
  }
  if (deltas.length === 0) return;
  const [k1, k2, k3] = spec.keys;
  const zero = await t.any<{ k1: string; k2: string; k3: string }>({
    text: `with changed as (
             insert into ${s}.${spec.table} (${k1}, ${k2}, ${k3}, ${spec.total})
             select * from unnest($1::text[], $2::text[], $3::${spec.lastKeyType}[], $4::bigint[])
             on conflict (${k1}, ${k2}, ${k3}) do update set ${spec.total} = ${spec.table}.${spec.total} + excluded.${spec.total}
             returning ${k1}, ${k2}, ${k3}::text, ${spec.total})
           select ${k1} as k1, ${k2} as k2, ${k3} as k3 from changed where ${spec.total} = 0`,
    values: [textArray(c1), textArray(c2), textArray(c3), numberArray(deltas)],
  });
  if (zero.length === 0) return;
  await t.none({
    text: `delete from ${s}.${spec.table} d using unnest($1::text[], $2::text[], $3::${spec.lastKeyType}[]) as k(k1, k2, k3)
            where d.${k1} = k.k1 and d.${k2} = k.k2 and d.${k3} = k.k3 and d.${spec.total} = 0`,
    values: [textArray(zero.map((row) => row.k1)), textArray(zero.map((row) => row.k2)), textArray(zero.map((row) => row.k3))],
  });
}

const balancesTable: TotalsTable = { table: 'balances', keys: ['sku', 'location', 'lot'], lastKeyType: 'text', total: 'on_hand' };
const reservationsTable: TotalsTable = { table: 'reservations', keys: ['reference', 'sku', 'location'], lastKeyType: 'text', total: 'quantity' };
const dailyTable: TotalsTable = { table: 'stock_daily', keys: ['sku', 'location', 'day'], lastKeyType: 'date', total: 'net_change' };

/**
 * Writes a change set into a read schema, inside the caller's transaction: catalog events in
 * order (one round trip), then one statement per table for the bulk of stock changes, each with
 * its rows as array parameters (unnest).
 */
export async function writeChangeSet(t: Transaction, schema: string, changes: ChangeSet): Promise<void> {
  const s = pgp.as.name(schema);
  await writeCatalog(t, s, changes);
  await addToTotals(t, s, balancesTable, changes.balances.values(), (r) => [r.sku, r.location, r.lot]);
  const lots = [...changes.lots.values()];
  if (lots.length > 0) {
    await t.none({
      text: `insert into ${s}.lots (sku, lot, expires_on) select * from unnest($1::text[], $2::text[], $3::date[]) on conflict (sku, lot) do nothing`,
      values: [textArray(lots.map((r) => r.sku)), textArray(lots.map((r) => r.lot)), textArray(lots.map((r) => r.expiresOn))],
    });
  }
  await addToTotals(t, s, reservationsTable, changes.reservations.values(), (r) => [r.reference, r.sku, r.location]);
  const serials = [...changes.serials.values()];
  if (serials.length > 0) {
    await t.none({
      text: `insert into ${s}.serials (sku, serial, location) select * from unnest($1::text[], $2::text[], $3::text[])
             on conflict (sku, serial) do update set location = excluded.location`,
      values: [textArray(serials.map((r) => r.sku)), textArray(serials.map((r) => r.serial)), textArray(serials.map((r) => r.location))],
    });
  }
  await addToTotals(t, s, dailyTable, changes.daily.values(), (r) => [r.sku, r.location, r.day]);
  if (changes.ledger.length > 0) await writeLedger(t, s, changes.ledger);
}
