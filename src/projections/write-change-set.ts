import type { ITask } from 'pg-promise';
import { pgp } from '../database/connection.js';
import type { ChangeSet, LedgerRow } from './change-set.js';

type Transaction = ITask<unknown>;

const ledgerColumns = new pgp.helpers.ColumnSet(
  [
    { name: 'position', prop: 'position' },
    'seq',
    { name: 'movement_id', prop: 'movementId' },
    'line',
    'kind',
    'sku',
    { name: 'from_location', prop: 'from' },
    { name: 'to_location', prop: 'to' },
    'quantity',
    'lot',
    { name: 'serials', cast: 'text[]' },
    'reference',
    { name: 'occurred_at', prop: 'occurredAt' },
    { name: 'recorded_at', prop: 'recordedAt' },
    { name: 'user_name', prop: 'user' },
  ],
  { table: 'ledger' },
);

/** Rows per INSERT statement of the ledger (bounded so that a rebuild's big batches stay cheap to parse). */
const ledgerChunk = 5000;

async function writeCatalog(t: Transaction, schema: string, changes: ChangeSet): Promise<void> {
  const s = pgp.as.name(schema);
  for (const event of changes.catalog) {
    switch (event.type) {
      case 'ArticleRegistered': {
        const a = event.data;
        await t.none(
          `insert into ${s}.articles (sku, name, unit, tracking, barcode, reorder_point, reorder_quantity, shelf_life_days)
           values ($1, $2, $3, $4, $5, $6, $7, $8) on conflict (sku) do nothing`,
          [a.sku, a.name, a.unit, a.tracking, a.barcode ?? null, a.reorderPoint ?? null, a.reorderQuantity ?? null, a.shelfLifeDays ?? null],
        );
        break;
      }
      case 'ArticleUpdated': {
        const c = event.data.changes;
        await t.none(
          `update ${s}.articles set name = coalesce($2, name), barcode = coalesce($3, barcode), reorder_point = coalesce($4, reorder_point),
             reorder_quantity = coalesce($5, reorder_quantity), shelf_life_days = coalesce($6, shelf_life_days) where sku = $1`,
          [event.data.sku, c.name ?? null, c.barcode ?? null, c.reorderPoint ?? null, c.reorderQuantity ?? null, c.shelfLifeDays ?? null],
        );
        break;
      }
      case 'ArticleArchived':
        await t.none(`update ${s}.articles set archived = true where sku = $1`, [event.data.sku]);
        break;
      case 'LocationCreated': {
        const l = event.data;
        await t.none(`insert into ${s}.locations (code, name, parent, type) values ($1, $2, $3, $4) on conflict (code) do nothing`, [
          l.code,
          l.name ?? null,
          l.parent ?? null,
          l.type,
        ]);
        break;
      }
      case 'LocationBlocked':
      case 'LocationUnblocked':
        await t.none(`update ${s}.locations set blocked = $2 where code = $1`, [event.data.code, event.type === 'LocationBlocked']);
        break;
      default:
        break;
    }
  }
}

/**
 * Writes a change set into a read schema, inside the caller's transaction: catalog events in
 * order, then one statement per table for the bulk of stock changes (unnest arrays for sums,
 * multi-row inserts for the ledger).
 */
export async function writeChangeSet(t: Transaction, schema: string, changes: ChangeSet): Promise<void> {
  const s = pgp.as.name(schema);
  await writeCatalog(t, schema, changes);
  const balances = [...changes.balances.values()].filter((row) => row.delta !== 0);
  if (balances.length > 0) {
    await t.none(
      `insert into ${s}.balances (sku, location, lot, on_hand)
       select * from unnest($1::text[], $2::text[], $3::text[], $4::bigint[])
       on conflict (sku, location, lot) do update set on_hand = balances.on_hand + excluded.on_hand`,
      [balances.map((r) => r.sku), balances.map((r) => r.location), balances.map((r) => r.lot), balances.map((r) => r.delta)],
    );
    // A balance back at zero is no row, as if it had never been: live projection and rebuild agree.
    await t.none(
      `delete from ${s}.balances b using unnest($1::text[], $2::text[], $3::text[]) as k(sku, location, lot)
        where b.sku = k.sku and b.location = k.location and b.lot = k.lot and b.on_hand = 0`,
      [balances.map((r) => r.sku), balances.map((r) => r.location), balances.map((r) => r.lot)],
    );
  }
  const lots = [...changes.lots.values()];
  if (lots.length > 0) {
    await t.none(
      `insert into ${s}.lots (sku, lot, expires_on) select * from unnest($1::text[], $2::text[], $3::date[]) on conflict (sku, lot) do nothing`,
      [lots.map((r) => r.sku), lots.map((r) => r.lot), lots.map((r) => r.expiresOn)],
    );
  }
  const reservations = [...changes.reservations.values()].filter((row) => row.delta !== 0);
  if (reservations.length > 0) {
    await t.none(
      `insert into ${s}.reservations (reference, sku, location, quantity)
       select * from unnest($1::text[], $2::text[], $3::text[], $4::bigint[])
       on conflict (reference, sku, location) do update set quantity = reservations.quantity + excluded.quantity`,
      [reservations.map((r) => r.reference), reservations.map((r) => r.sku), reservations.map((r) => r.location), reservations.map((r) => r.delta)],
    );
    await t.none(
      `delete from ${s}.reservations r using unnest($1::text[], $2::text[], $3::text[]) as k(reference, sku, location)
        where r.reference = k.reference and r.sku = k.sku and r.location = k.location and r.quantity = 0`,
      [reservations.map((r) => r.reference), reservations.map((r) => r.sku), reservations.map((r) => r.location)],
    );
  }
  const serials = [...changes.serials.values()];
  if (serials.length > 0) {
    await t.none(
      `insert into ${s}.serials (sku, serial, location) select * from unnest($1::text[], $2::text[], $3::text[])
       on conflict (sku, serial) do update set location = excluded.location`,
      [serials.map((r) => r.sku), serials.map((r) => r.serial), serials.map((r) => r.location)],
    );
  }
  const daily = [...changes.daily.values()].filter((row) => row.delta !== 0);
  if (daily.length > 0) {
    await t.none(
      `insert into ${s}.stock_daily (sku, location, day, net_change) select * from unnest($1::text[], $2::text[], $3::date[], $4::bigint[])
       on conflict (sku, location, day) do update set net_change = stock_daily.net_change + excluded.net_change`,
      [daily.map((r) => r.sku), daily.map((r) => r.location), daily.map((r) => r.day), daily.map((r) => r.delta)],
    );
    await t.none(
      `delete from ${s}.stock_daily d using unnest($1::text[], $2::text[], $3::date[]) as k(sku, location, day)
        where d.sku = k.sku and d.location = k.location and d.day = k.day and d.net_change = 0`,
      [daily.map((r) => r.sku), daily.map((r) => r.location), daily.map((r) => r.day)],
    );
  }
  for (let start = 0; start < changes.ledger.length; start += ledgerChunk) {
    const rows: LedgerRow[] = changes.ledger.slice(start, start + ledgerChunk);
    await t.none(pgp.helpers.insert(rows, ledgerColumns, { schema, table: 'ledger' }));
  }
}
