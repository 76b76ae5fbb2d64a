/**
 * Where the store has TenantTextReads, seal and verify seals chain the links in a worker thread
 * from jsonb text (seal-chain.ts). The chain must be the one this thread computes from the parsed
 * events (nextLink), or seals would depend on which path took them; and a change must still be
 * found and named through the worker.
 */
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from '@jest/globals';
import { listSeals, nextLink, seal, verifySeals } from '../../src/audit/seals.js';
import type { EventStore, RecordedEvent } from '../../src/eventstore/event-store.js';
import { streamName } from '../../src/eventstore/stream-name.js';
import { freshTenant } from '../support/command-handlers.js';
import { useReadSide } from '../support/read-side.js';

/** `store` without TenantTextReads: chained in this thread. */
function inThread(store: EventStore): EventStore {
  return new Proxy(store, {
    get(target, property, receiver) {
      if (property === 'readTenantText') return undefined;
      const value: unknown = Reflect.get(target, property, receiver);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}

/** Data whose canonical JSON needs keys reordered, escapes, non-ASCII text and numbers jsonb writes its own way. */
const awkwardData: unknown[] = [
  { sku: 'BOLT-M8', quantity: 5000, to: 'A-01', reference: 'PO-7', line: 0 },
  { note: 'quote " backslash \\ tab \t line\n \u0001 \u007f', list: [1, -2, 0, [], {}] },
  { ab: 1, '\uff61': 2, é: { z: 1, ä: 2 }, price: 1.5, big: 1e21 },
  null,
];

describe('seals chained in a worker thread', () => {
  const readSide = useReadSide();
  const tenant = freshTenant('sw');
  let all: RecordedEvent[];

  async function events(): Promise<RecordedEvent[]> {
    const found: RecordedEvent[] = [];
    for await (const event of readSide.store.readTenant(tenant)) found.push(event);
    return found;
  }

  beforeAll(async () => {
    for (let round = 0; round < 6; round += 1) {
      const batch = awkwardData.map((data) => ({ id: randomUUID(), type: 'Awkward', data, metadata: { tenant, round } }));
      await readSide.store.append(streamName(tenant, 'odd', `S-${round % 2}`), batch, { expectedRevision: 'any' });
    }
    all = await events();
  });

  it('stores the chain this thread computes, and both paths verify it', async () => {
    const db = readSide.database.db;
    // Pages of 3: the first in this thread, the other seven through the worker, the last one short.
    const result = await seal(db, readSide.store, tenant, { segmentSize: 5, chainPageSize: 3 });
    let link = '0'.repeat(64);
    const expected = new Map<string, string>();
    for (const event of all) {
      link = nextLink(link, event);
      expected.set(event.position, link);
    }
    expect(result).toMatchObject({ sealed: all.length, last: { hash: link, count: all.length } });
    for (const checkpoint of await listSeals(db, tenant)) expect(checkpoint.hash).toBe(expected.get(checkpoint.position));
    expect(await verifySeals(db, inThread(readSide.store), tenant)).toMatchObject({ ok: true, events: all.length });
    expect(await verifySeals(db, readSide.store, tenant, { chainPageSize: 3 })).toMatchObject({ ok: true, events: all.length });
  });

  it('names an event a superuser edited, through the worker', async () => {
    const db = readSide.database.db;
    const target = all[17] as RecordedEvent;
    await db.tx(async (t) => {
      await t.none('alter table es_events disable trigger es_events_no_update_delete');
      await t.none(`update es_events set data = jsonb_set(data, '{quantity}', '999') where event_id = $1`, [target.id]);
      await t.none('alter table es_events enable trigger es_events_no_update_delete');
    });
    const verification = await verifySeals(db, readSide.store, tenant, { chainPageSize: 3 });
    expect(verification).toMatchObject({ ok: false, difference: { kind: 'changed', eventId: target.id, position: target.position } });
  });
});
