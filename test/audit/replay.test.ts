import { beforeAll, describe, expect, it } from '@jest/globals';
import { explainStep, replayArticle } from '../../src/audit/article-replay.js';
import { compareStockAsOf, stockAsOfFromEvents, stockDiff } from '../../src/audit/stock-as-of.js';
import { pgp } from '../../src/database/connection.js';
import { freshTenant, metadataFor } from '../support/command-handlers.js';
import { useReadSide } from '../support/read-side.js';

const units = (n: number): number => n * 1000;

describe('replaying an article and its stock over business time', () => {
  const readSide = useReadSide();
  const tenant = freshTenant('rp');
  const by = (user: string, occurredAt: string) => metadataFor(tenant, { user, occurredAt });

  beforeAll(async () => {
    const meta = by('admin', '2026-02-01T00:00:00.000Z');
    await readSide.side.catalog.createLocation(meta, { code: 'WH', type: 'warehouse' });
    for (const code of ['A-01', 'A-02']) await readSide.side.catalog.createLocation(meta, { code, type: 'storage', parent: 'WH' });
    await readSide.side.catalog.registerArticle(meta, { sku: 'BOLT', name: 'Bolt', unit: 'pcs', tracking: 'none' });
    await readSide.side.stock.receive(by('alice', '2026-03-01T08:00:00.000Z'), { reference: 'PO-7', lines: [{ sku: 'BOLT', quantity: units(20), location: 'A-01' }] });
    await readSide.side.stock.transfer(by('bob', '2026-03-02T09:00:00.000Z'), { reference: 'T-1', lines: [{ sku: 'BOLT', quantity: units(5), from: 'A-01', to: 'A-02' }] });
    await readSide.side.stock.ship(by('carol', '2026-03-04T10:00:00.000Z'), { reference: 'SO-9', lines: [{ sku: 'BOLT', quantity: units(2), from: 'A-01' }] });
    // Recorded last, but it happened before the shipment: the replay puts it in its business-time place.
    await readSide.side.stock.adjust(by('dave', '2026-03-03T10:00:00.000Z'), { reason: 'damaged', note: 'dropped', lines: [{ sku: 'BOLT', location: 'A-01', delta: -units(1) }] });
  });

  it('explains each event up to the time asked: who, why, and the running balance per location', async () => {
    const replay = await replayArticle(readSide.store, tenant, 'BOLT', new Date('2026-03-03T12:00:00.000Z'));
    expect(replay.steps.map(explainStep)).toEqual([
      '2026-03-01T08:00:00.000Z received by alice (ref PO-7): 20 @supplier -> A-01 | A-01: 20',
      '2026-03-02T09:00:00.000Z transferred by bob (ref T-1): 5 A-01 -> A-02 | A-01: 15, A-02: 5',
      '2026-03-03T10:00:00.000Z adjusted by dave (damaged: dropped): 1 A-01 -> @loss | A-01: 14',
    ]);
    expect(replay.steps.map((step) => [step.kind, step.user, step.reference, step.reason])).toEqual([
      ['received', 'alice', 'PO-7', undefined],
      ['transferred', 'bob', 'T-1', undefined],
      ['adjusted', 'dave', undefined, 'damaged: dropped'],
    ]);
    expect(replay.onHand).toEqual([
      { location: 'A-01', lot: '', onHand: units(14) },
      { location: 'A-02', lot: '', onHand: units(5) },
    ]);
    const later = await replayArticle(readSide.store, tenant, 'BOLT', new Date('2026-03-05T00:00:00.000Z'));
    expect(later.steps.map((step) => step.kind)).toEqual(['received', 'transferred', 'adjusted', 'shipped']);
    expect(later.onHand).toEqual([
      { location: 'A-01', lot: '', onHand: units(12) },
      { location: 'A-02', lot: '', onHand: units(5) },
    ]);
  });

  it('gives the stock as of a time from the events, and the difference between two times with the movements that make it', async () => {
    expect(await stockAsOfFromEvents(readSide.store, tenant, new Date('2026-03-02T09:00:00.000Z'))).toEqual([
      { sku: 'BOLT', location: 'A-01', lot: '', onHand: units(15) },
      { sku: 'BOLT', location: 'A-02', lot: '', onHand: units(5) },
    ]);
    const changes = await stockDiff(readSide.store, tenant, new Date('2026-03-01T12:00:00.000Z'), new Date('2026-03-04T10:00:00.000Z'));
    expect(changes.map(({ location, before, after, movements }) => ({ location, before, after, movements: movements.map((m) => [m.user, m.type, m.quantity]) }))).toEqual([
      {
        location: 'A-01',
        before: units(20),
        after: units(12),
        movements: [
          ['bob', 'StockTransferred', -units(5)],
          ['dave', 'StockAdjusted', -units(1)],
          ['carol', 'StockShipped', -units(2)],
        ],
      },
      { location: 'A-02', before: 0, after: units(5), movements: [['bob', 'StockTransferred', units(5)]] },
    ]);
  });

  it('finds where the read model disagrees with the events about the stock as of a time', async () => {
    const live = await readSide.schemas.ensureLive(tenant);
    await readSide.schemas.catchUp(tenant, live.schema);
    const at = new Date('2026-03-03T12:00:00.000Z');
    expect((await compareStockAsOf(readSide.database.db, live.schema, readSide.store, tenant, at)).disagreements).toEqual([]);
    await readSide.database.db.none(`update ${pgp.as.name(live.schema)}.ledger set quantity = quantity + 1000 where sku = 'BOLT' and to_location = 'A-02'`);
    expect((await compareStockAsOf(readSide.database.db, live.schema, readSide.store, tenant, at, { sku: 'BOLT' })).disagreements).toEqual([
      { sku: 'BOLT', location: 'A-01', lot: '', fromEvents: units(14), fromReadModel: units(13) },
      { sku: 'BOLT', location: 'A-02', lot: '', fromEvents: units(5), fromReadModel: units(6) },
    ]);
  });
});
