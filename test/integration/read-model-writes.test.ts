import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { pgp } from '../../src/database/connection.js';
import { ChangeSet } from '../../src/projections/change-set.js';
import { readModelTables, readModelTablesDdl } from '../../src/projections/read-model.sql.js';
import type { MemoryTables, ProjectionEvent, Row } from '../../src/projections/read-models/read-model.js';
import { writeChangeSet } from '../../src/projections/write-change-set.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';
import { eventsInOrder } from '../unit/projections/projection-spec.js';

const units = (n: number): number => n * 1000;
const bolt = { movementId: 'm-1', line: 0, sku: 'BOLT' };
const drill = { movementId: 'm-2', line: 1, sku: 'DRILL' };

/** Events touching every table, with rows that come back to zero across batches. */
function history(): ProjectionEvent[] {
  const event = eventsInOrder();
  return [
    event('LocationCreated', { code: 'A-01', type: 'storage' }),
    event('ArticleRegistered', { sku: 'BOLT', name: 'Bolt', unit: 'pcs', tracking: 'lot', shelfLifeDays: 30 }),
    event('ArticleRegistered', { sku: 'DRILL', name: 'Drill', unit: 'pcs', tracking: 'serial' }),
    event('StockReceived', { ...bolt, to: 'A-01', quantity: units(10), lot: 'L1', expiresOn: '2027-01-31', reference: 'PO-1' }, { occurredAt: '2026-03-01T08:00:00.000Z' }),
    event('StockReceived', { ...drill, to: 'A-01', quantity: units(2), serials: ['S1', 'S2'] }),
    event('StockReserved', { ...bolt, reference: 'SO-1', location: 'A-01', quantity: units(4) }),
    event('ArticleUpdated', { sku: 'BOLT', changes: { name: 'Hex bolt', barcode: '400' } }),
    event('LocationBlocked', { code: 'A-01' }),
    event('StockShipped', { ...bolt, from: 'A-01', quantity: units(4), lot: 'L1', reference: 'SO-1', reservationConsumed: [{ location: 'A-01', quantity: units(4) }] }),
    event('StockTransferred', { ...drill, from: 'A-01', to: 'B-02', quantity: units(1), serials: ['S1'] }),
    event('StockCounted', { ...bolt, location: 'A-01', lot: 'L1', counted: units(5), expected: units(6), difference: -units(1) }),
    event('UserDisabled', { username: 'bob', userId: 'u-2', sessionsEnded: 1 }),
    event('StockAdjusted', { ...bolt, location: 'A-01', lot: 'L1', delta: -units(5), reason: 'expired' }),
    event('StockMovementReversed', { ...drill, reversedMovementId: 'm-2', from: 'B-02', to: 'A-01', quantity: units(1), serials: ['S1'], reason: 'mistake' }),
    event('StockReserved', { ...drill, reference: 'SO-2', quantity: units(1) }),
    event('ArticleArchived', { sku: 'DRILL' }),
  ];
}

/** A row with timestamps as ISO text (PostgreSQL's JSON spells them its own way). */
function normalised(table: string, row: Row): string {
  const times =
    table === 'ledger'
      ? { occurred_at: new Date(String(row.occurred_at)).toISOString(), recorded_at: new Date(String(row.recorded_at)).toISOString() }
      : table === 'last_counts'
        ? { counted_at: new Date(String(row.counted_at)).toISOString() }
        : {};
  const value: Row = { ...row, ...times, ...(table === 'ledger' ? { position: String(row.position) } : {}) };
  return JSON.stringify(Object.keys(value).sort().map((column) => [column, value[column]]));
}

describe('read models write to PostgreSQL what their specifications show in memory', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase({ migrated: false, poolSize: 2 });
  });
  afterAll(async () => {
    await database.drop();
  });

  it.each([
    ['in one batch', [16]],
    ['in batches that cross each other', [4, 1, 4, 7]],
  ])('every table, %s', async (_name, sizes) => {
    const schema = `rm_spec_${sizes.length}`;
    await database.db.none(readModelTablesDdl(schema));
    const events = history();
    const memory: MemoryTables = new Map();
    let start = 0;
    for (const size of sizes) {
      const changes = new ChangeSet();
      for (const event of events.slice(start, start + size)) changes.add(event);
      start += size;
      await database.db.tx((t) => writeChangeSet(t, schema, changes));
      changes.applyInMemory(memory);
    }
    expect(start).toBe(events.length);
    for (const table of readModelTables) {
      const stored = await database.db.map(`select row_to_json(t) as row from ${pgp.as.name(schema)}.${pgp.as.name(table)} t`, [], (r: { row: Row }) => normalised(table, r.row));
      const inMemory = [...(memory.get(table)?.values() ?? [])].map((row) => normalised(table, row));
      expect({ table, rows: stored.sort() }).toEqual({ table, rows: inMemory.sort() });
      expect({ table, empty: stored.length === 0 }).toEqual({ table, empty: false });
    }
  });
});
