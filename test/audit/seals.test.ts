import { createHash } from 'node:crypto';
import { beforeAll, describe, expect, it } from '@jest/globals';
import { listSeals, seal, verifySeals } from '../../src/audit/seals.js';
import type { RecordedEvent } from '../../src/eventstore/event-store.js';
import { freshTenant, metadataFor } from '../support/command-handlers.js';
import { useReadSide } from '../support/read-side.js';

const units = (n: number): number => n * 1000;

describe('seals: a hash chain over the events of a tenant', () => {
  const readSide = useReadSide();
  const tenant = freshTenant('seal');

  /** Edits events as a database superuser would: the append-only trigger disabled, then enabled again. */
  async function asSuperuser(sql: string, values: unknown[]): Promise<void> {
    await readSide.database.db.tx(async (t) => {
      await t.none('alter table es_events disable trigger es_events_no_update_delete');
      await t.none(sql, values);
      await t.none('alter table es_events enable trigger es_events_no_update_delete');
    });
  }

  async function events(): Promise<RecordedEvent[]> {
    const all: RecordedEvent[] = [];
    for await (const event of readSide.store.readTenant(tenant)) all.push(event);
    return all;
  }

  beforeAll(async () => {
    const meta = metadataFor(tenant);
    await readSide.side.catalog.createLocation(meta, { code: 'WH', type: 'warehouse' });
    await readSide.side.catalog.createLocation(meta, { code: 'A-01', type: 'storage', parent: 'WH' });
    await readSide.side.catalog.registerArticle(meta, { sku: 'BOLT', name: 'Bolt', unit: 'pcs', tracking: 'none' });
    for (let n = 1; n <= 4; n += 1) await readSide.side.stock.receive(metadataFor(tenant), { reference: `PO-${n}`, lines: [{ sku: 'BOLT', quantity: units(n), location: 'A-01' }] });
  });

  it('seals in checkpoints, continues from the last one, and verifies what it sealed', async () => {
    const first = await seal(readSide.database.db, readSide.store, tenant, { segmentSize: 3 });
    const all = await events();
    expect(first).toMatchObject({ sealed: all.length, last: { position: all.at(-1)?.position, count: all.length } });
    expect((await listSeals(readSide.database.db, tenant)).map((checkpoint) => checkpoint.count)).toEqual(
      Array.from({ length: Math.ceil(all.length / 3) }, (_, index) => Math.min(all.length, (index + 1) * 3)),
    );
    expect(await seal(readSide.database.db, readSide.store, tenant, { segmentSize: 3 })).toMatchObject({ sealed: 0 });

    await readSide.side.stock.receive(metadataFor(tenant), { reference: 'PO-5', lines: [{ sku: 'BOLT', quantity: units(5), location: 'A-01' }] });
    const more = await seal(readSide.database.db, readSide.store, tenant, { segmentSize: 3 });
    expect(more.sealed).toBe((await events()).length - all.length);
    const verification = await verifySeals(readSide.database.db, readSide.store, tenant);
    expect(verification).toMatchObject({ ok: true, events: (await events()).length });
    expect(verification.checkpointsConfirmed).toBe(verification.checkpoints);
  });

  it('stores the chain as documented, so it can be recomputed outside the system', async () => {
    // An independent reading of the definition: keys shortest first, then by code unit, at every depth.
    const canonical = (value: unknown): unknown => {
      if (value === null || typeof value !== 'object') return value;
      if (Array.isArray(value)) return value.map(canonical);
      const keys = Object.keys(value).sort((a, b) => a.length - b.length || (a < b ? -1 : a > b ? 1 : 0));
      return Object.fromEntries(keys.map((key) => [key, canonical((value as Record<string, unknown>)[key])]));
    };
    let link = '0'.repeat(64);
    for (const event of await events()) {
      const text = JSON.stringify(
        canonical({ id: event.id, data: event.data, type: event.type, stream: event.stream, metadata: event.metadata, revision: String(event.revision), recordedAt: event.recordedAt.toISOString() }),
      );
      link = createHash('sha256').update(link + text, 'utf8').digest('hex');
    }
    expect((await listSeals(readSide.database.db, tenant)).at(-1)?.hash).toBe(link);
  });

  it('takes checkpoints in position order when positions grow a digit, not in the order of their text', async () => {
    // Positions are (xid << 16) + n: a store passes from 8 to 9 digits near its 1,526th
    // transaction. Sorted as text, "100000000" comes before "99999999": the last checkpoint was
    // taken for an early one and the list was out of order (verify seals FAILED at full scale).
    const other = freshTenant('seal9');
    const link = (n: number): string => String(n).repeat(64);
    for (const [position, count] of [['99999999', 1], ['100000000', 2]] as const) {
      await readSide.database.db.none('insert into audit_seals (tenant, position, hash, count, positions, links) values ($1, $2::bigint, $3, $4, $5::bigint[], $6)', [
        other,
        position,
        link(count),
        count,
        [position],
        Buffer.alloc(8),
      ]);
    }
    expect((await listSeals(readSide.database.db, other)).map((checkpoint) => checkpoint.position)).toEqual(['99999999', '100000000']);
    // The next seal continues from the newest checkpoint (the tenant has no events beyond it).
    expect((await seal(readSide.database.db, readSide.store, other)).last).toEqual({ position: '100000000', hash: link(2), count: 2 });
    expect((await verifySeals(readSide.database.db, readSide.store, other)).sealedUpTo).toBe('100000000');
  });

  it('catches an event edited by a superuser who disabled the append-only trigger, and names it', async () => {
    const tampered = (await events()).find((event) => event.type === 'StockReceived' && (event.data as { reference?: string }).reference === 'PO-2');
    if (!tampered) throw new Error('no receipt PO-2');
    await asSuperuser(`update es_events set data = jsonb_set(data, '{quantity}', '200000') where event_id = $1`, [tampered.id]);
    const verification = await verifySeals(readSide.database.db, readSide.store, tenant);
    expect(verification.ok).toBe(false);
    expect(verification.difference).toMatchObject({ kind: 'changed', eventId: tampered.id, position: tampered.position });
    // Put back as it was, the chain holds again.
    await asSuperuser(`update es_events set data = $2::jsonb where event_id = $1`, [tampered.id, JSON.stringify(tampered.data)]);
    expect((await verifySeals(readSide.database.db, readSide.store, tenant)).ok).toBe(true);
  });

  it('names a deleted event as missing', async () => {
    const deleted = (await events()).find((event) => event.type === 'StockReceived' && (event.data as { reference?: string }).reference === 'PO-3');
    if (!deleted) throw new Error('no receipt PO-3');
    await asSuperuser('delete from es_events where event_id = $1', [deleted.id]);
    const verification = await verifySeals(readSide.database.db, readSide.store, tenant);
    expect(verification).toMatchObject({ ok: false, difference: { kind: 'missing', position: deleted.position } });
  });

  it('lets two seals of one tenant run at once: they take turns, and the second adds nothing', async () => {
    const other = freshTenant('seal2');
    const meta = metadataFor(other);
    await readSide.side.catalog.createLocation(meta, { code: 'WH', type: 'warehouse' });
    for (let n = 1; n <= 6; n += 1) await readSide.side.catalog.registerArticle(meta, { sku: `A${n}`, name: `Article ${n}`, unit: 'pcs', tracking: 'none' });
    const results = await Promise.all([1, 2].map(() => seal(readSide.database.db, readSide.store, other, { segmentSize: 2 })));
    expect(results.map((result) => result.sealed).sort((a, b) => a - b)).toEqual([0, 7]);
    const checkpoints = await listSeals(readSide.database.db, other);
    expect(checkpoints.map((checkpoint) => checkpoint.count)).toEqual([2, 4, 6, 7]);
    expect(await verifySeals(readSide.database.db, readSide.store, other)).toMatchObject({ ok: true, events: 7, checkpointsConfirmed: 4 });
  });
});
