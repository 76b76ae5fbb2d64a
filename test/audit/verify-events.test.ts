import { beforeAll, describe, expect, it } from '@jest/globals';
import { verifyEvents } from '../../src/audit/verify-events.js';
import type { RecordedEvent } from '../../src/eventstore/event-store.js';
import { freshTenant, metadataFor } from '../support/command-handlers.js';
import { useReadSide } from '../support/read-side.js';

const units = (n: number): number => n * 1000;

describe('verify events', () => {
  const readSide = useReadSide();

  async function events(tenant: string): Promise<RecordedEvent[]> {
    const all: RecordedEvent[] = [];
    for await (const event of readSide.store.readTenant(tenant)) all.push(event);
    return all;
  }

  /** Runs `sql` as a superuser would: the append-only trigger disabled meanwhile. */
  async function asSuperuser(sql: string, values: unknown[]): Promise<void> {
    await readSide.database.db.tx(async (t) => {
      await t.none('alter table es_events disable trigger es_events_no_update_delete');
      await t.none(sql, values);
      await t.none('alter table es_events enable trigger es_events_no_update_delete');
    });
  }

  /** A tenant with an untracked and a serial-tracked article, and some movements of both. */
  async function warehouse(): Promise<string> {
    const tenant = freshTenant('ve');
    const meta = metadataFor(tenant);
    await readSide.side.catalog.createLocation(meta, { code: 'WH', type: 'warehouse' });
    for (const code of ['A-01', 'A-02']) await readSide.side.catalog.createLocation(meta, { code, type: 'storage', parent: 'WH' });
    await readSide.side.catalog.registerArticle(meta, { sku: 'BOLT', name: 'Bolt', unit: 'pcs', tracking: 'none' });
    await readSide.side.catalog.registerArticle(meta, { sku: 'DRILL', name: 'Drill', unit: 'pcs', tracking: 'serial' });
    await readSide.side.stock.receive(metadataFor(tenant), { lines: [{ sku: 'BOLT', quantity: units(10), location: 'A-01' }] });
    await readSide.side.stock.receive(metadataFor(tenant), { lines: [{ sku: 'DRILL', quantity: units(2), location: 'A-01', serials: ['S1', 'S2'] }] });
    await readSide.side.stock.transfer(metadataFor(tenant), { lines: [{ sku: 'BOLT', quantity: units(4), from: 'A-01', to: 'A-02' }] });
    await readSide.side.stock.transfer(metadataFor(tenant), { lines: [{ sku: 'DRILL', quantity: units(1), from: 'A-01', to: 'A-02', serials: ['S2'] }] });
    await readSide.side.stock.ship(metadataFor(tenant), { lines: [{ sku: 'BOLT', quantity: units(3), from: 'A-02' }] });
    return tenant;
  }

  let healthy: string;
  beforeAll(async () => {
    healthy = await warehouse();
  });

  it('finds nothing in a sound history', async () => {
    const result = await verifyEvents(readSide.store, healthy);
    expect(result).toEqual({ events: (await events(healthy)).length, findings: [] });
  });

  it('finds a revision gap where an event was deleted, naming the event after it', async () => {
    const tenant = await warehouse();
    const bolt = (await events(tenant)).filter((event) => event.stream === `${tenant}:stock-BOLT`);
    const [, deleted, next] = bolt;
    if (!deleted || !next) throw new Error('BOLT has fewer than three events');
    await asSuperuser('delete from es_events where event_id = $1', [deleted.id]);
    const { findings } = await verifyEvents(readSide.store, tenant);
    expect(findings).toEqual([{ kind: 'revision-gap', stream: `${tenant}:stock-BOLT`, eventId: next.id, position: next.position, expected: '1', found: '2' }]);
  });

  it('finds an event that no longer decodes, a receipt filed under another article, and a serial in two places', async () => {
    const tenant = await warehouse();
    const all = await events(tenant);
    const boltReceipt = all.find((event) => event.stream === `${tenant}:stock-BOLT` && event.type === 'StockReceived');
    const drillTransfer = all.find((event) => event.stream === `${tenant}:stock-DRILL` && event.type === 'StockTransferred');
    const boltShipment = all.find((event) => event.stream === `${tenant}:stock-BOLT` && event.type === 'StockShipped');
    if (!boltReceipt || !drillTransfer || !boltShipment) throw new Error('missing events');
    await asSuperuser(`update es_events set data = data - 'quantity' where event_id = $1`, [boltShipment.id]);
    await asSuperuser(`update es_events set data = jsonb_set(data, '{sku}', '"NUT"') where event_id = $1`, [boltReceipt.id]);
    // The transfer now takes S1 "from A-02", where it is not: S1 lands in A-02 while the book still holds it in A-01.
    await asSuperuser(`update es_events set data = jsonb_set(jsonb_set(data, '{serials}', '["S1"]'), '{from}', '"A-02"') where event_id = $1`, [drillTransfer.id]);
    const { findings } = await verifyEvents(readSide.store, tenant);
    expect(findings).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ kind: 'undecodable', eventId: boltShipment.id, type: 'StockShipped' }),
        { kind: 'wrong-article', eventId: boltReceipt.id, position: boltReceipt.position, stream: `${tenant}:stock-BOLT`, sku: 'NUT' },
        { kind: 'serial-in-two-places', eventId: drillTransfer.id, position: drillTransfer.position, sku: 'DRILL', serial: 'S1', at: 'A-01', to: 'A-02' },
      ]),
    );
    expect(findings).toHaveLength(3);
  });
});
