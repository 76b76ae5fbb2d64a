import { describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { pgp } from '../../src/database/connection.js';
import type { EventStore } from '../../src/eventstore/event-store.js';
import { createLogger } from '../../src/logger.js';
import { readModelDdl } from '../../src/projections/read-model.sql.js';
import { ReadSchemas } from '../../src/projections/read-schemas.js';
import { freshTenant, metadataFor } from '../support/command-handlers.js';
import { useReadSide } from '../support/read-side.js';
import { countRoundTrips } from '../support/round-trips.js';

const units = (n: number): number => n * 1000;
const logger = createLogger('silent');
/** Version B refuses stock in a bin whose code starts with X- (as in poison-tenant.test.ts). */
const defectiveB = (schema: string): string => `${readModelDdl(schema)}\nalter table ${pgp.as.name(schema)}.balances add constraint no_x_bins check (location not like 'X-%');`;

/**
 * The switch of a prepared schema applies the events it lacks and moves the live pointer in one
 * transaction (ReadSchemas.switchTo): whatever goes wrong in it, the old schema stays live and the
 * new one is as prepare left it, or marked failed at the event it refuses.
 */
describe('switching a tenant to its prepared schema', () => {
  const readSide = useReadSide();

  /** A tenant with bins and 3 bolts received into A-01, live on version A; B prepared beside it. */
  async function prepared(b: ReadSchemas): Promise<{ tenant: string; old: string; schema: string; a: ReadSchemas }> {
    const tenant = freshTenant('sw');
    const meta = metadataFor(tenant);
    for (const code of ['A-01', 'X-13']) await readSide.side.catalog.createLocation(meta, { code, type: 'storage' });
    await readSide.side.catalog.registerArticle(meta, { sku: 'BOLT', name: 'Bolt', unit: 'pcs', tracking: 'none' });
    for (let i = 0; i < 3; i += 1) await receive(tenant, 'A-01');
    const a = new ReadSchemas(readSide.database.db, readSide.store, logger, 'aaaa000041');
    const old = (await a.ensureLive(tenant)).schema;
    await a.catchUp(tenant, old);
    const schema = await b.prepared(tenant);
    await b.catchUp(tenant, schema);
    await b.completeIndexes(schema);
    return { tenant, old, schema, a };
  }

  const receive = (tenant: string, bin: string): Promise<unknown> => readSide.side.stock.receive(metadataFor(tenant), { lines: [{ sku: 'BOLT', quantity: units(1), location: bin }] });
  const onHand = async (schema: string): Promise<number> =>
    Number((await readSide.database.db.one<{ total: string }>('select coalesce(sum(on_hand), 0)::text as total from $1:name.balances where location not like $2', [schema, '@%'])).total);

  it('an event B refuses, appended after prepare: B is marked failed at that event, A stays live', async () => {
    const b = new ReadSchemas(readSide.database.db, readSide.store, logger, 'bbbb000042', defectiveB);
    const { tenant, old, schema, a } = await prepared(b);
    await receive(tenant, 'A-01');
    await receive(tenant, 'X-13');
    await receive(tenant, 'A-01');
    const poison = (await readSide.database.db.one<{ id: string }>("select event_id::text as id from es_events where tenant = $1 and type = 'StockReceived' order by position desc offset 1 limit 1", [tenant])).id;

    await expect(b.switchTo(tenant, schema)).rejects.toMatchObject({ code: 'projection-failed', eventId: poison });
    expect((await a.live(tenant))?.schema).toBe(old);
    expect((await a.live(tenant))?.status).toBe('ready');
    expect((await b.list(tenant)).find((entry) => entry.schema === schema)).toMatchObject({ status: 'failed', failedEventId: poison });
    // Stopped just before the poison event: the receipt before it is applied, the one after is not.
    expect(await onHand(schema)).toBe(units(4));
  });

  it('a switch whose last statement fails leaves A live and ready, and B where prepare left it', async () => {
    const b = new ReadSchemas(readSide.database.db, readSide.store, logger, 'bbbb000043');
    const { tenant, old, schema, a } = await prepared(b);
    const before = await b.checkpoint(schema);
    await receive(tenant, 'A-01');
    // Without its registry row, the pointer's foreign key refuses B: the switch's last statement fails.
    await readSide.database.db.none('delete from read_schemas where schema_name = $1', [schema]);

    await expect(b.switchTo(tenant, schema)).rejects.toMatchObject({ code: '23503' });
    expect((await a.live(tenant))?.schema).toBe(old);
    expect((await a.live(tenant))?.status).toBe('ready');
    // The event applied inside the switch was rolled back with it.
    expect(await b.checkpoint(schema)).toBe(before);
    expect(await onHand(schema)).toBe(units(3));
  });

  it('a switch to an older version than the live one is refused under the pointer\'s lock, nothing switched; with force it goes', async () => {
    const b = new ReadSchemas(readSide.database.db, readSide.store, logger, 'bbbb000045');
    const { tenant, a } = await prepared(b);
    // A's build of a new schema starts while A serves (a rebuild's check before the build passes)...
    const olderSchema = await a.prepared(tenant);
    await a.catchUp(tenant, olderSchema);
    // ...and B, registered after A and so newer, goes live meanwhile (a deploy's new processes).
    await b.switchTo(tenant, (await b.list(tenant)).find((entry) => entry.version === b.version)?.schema as string);
    const newer = (await a.live(tenant))?.schema;
    expect((await a.live(tenant))?.version).toBe(b.version);

    await expect(a.switchTo(tenant, olderSchema)).rejects.toMatchObject({ code: 'older-version', liveVersion: b.version, version: a.version });
    expect((await a.live(tenant))?.schema).toBe(newer);
    await expect(a.rebuild(tenant)).rejects.toMatchObject({ code: 'older-version' });
    expect((await a.live(tenant))?.schema).toBe(newer);

    await a.switchTo(tenant, olderSchema, { force: true });
    expect((await a.live(tenant))?.schema).toBe(olderSchema);
  });

  it('a schema more than 1,000 events behind is caught up outside the switch, whose transaction applies none of them', async () => {
    const b = new ReadSchemas(readSide.database.db, readSide.store, logger, 'bbbb000044');
    const { tenant, schema, a } = await prepared(b);
    // 1,200 events (one per line) that prepare never saw.
    for (let i = 0; i < 3; i += 1) await readSide.side.stock.receive(metadataFor(tenant), { lines: Array.from({ length: 400 }, () => ({ sku: 'BOLT', quantity: units(1), location: 'A-01' })) });

    const counting = countRoundTrips(readSide.database.db);
    await b.switchTo(tenant, schema);
    const { queries } = counting.stop();
    const lastTransaction = queries.slice(queries.findLastIndex((text) => /^begin\b/i.test(text.trim())));
    expect(lastTransaction.some((text) => text.includes(`read-schema:${tenant}`))).toBe(true);
    expect(lastTransaction.filter((text) => /insert into .*ledger/is.test(text))).toEqual([]);
    expect((await a.live(tenant))?.schema).toBe(schema);
    expect(await onHand(schema)).toBe(units(1203));
  });

  /**
   * A tenant writing hard while its schema is switched: `lines` more events are committed right
   * after each catch-up has read the head it goes to, so the switch's next transaction finds that
   * many events it lacks, every time.
   */
  function writingHard(tenant: string, lines: number): { store: EventStore; stop: () => void } {
    let writing = true;
    const store = new Proxy(readSide.store, {
      get(target, key) {
        if (key === 'lastCommittedPosition') {
          return async (name: string): Promise<string> => {
            const head = await target.lastCommittedPosition(name);
            if (writing) await receiveMany(tenant, lines);
            return head;
          };
        }
        const value = Reflect.get(target, key, target) as unknown;
        return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
      },
    });
    return { store, stop: () => void (writing = false) };
  }

  /** `lines` one-bolt receipt lines into A-01, 400 to a receipt. */
  async function receiveMany(tenant: string, lines: number): Promise<void> {
    for (let done = 0; done < lines; done += 400) {
      await readSide.side.stock.receive(metadataFor(tenant), { lines: Array.from({ length: Math.min(400, lines - done) }, () => ({ sku: 'BOLT', quantity: units(1), location: 'A-01' })) });
    }
  }

  it('a schema that keeps falling more than 1,000 events behind is not switched by a long transaction: deferred, A live; switched once the writes calm down', async () => {
    const b = new ReadSchemas(readSide.database.db, readSide.store, logger, 'bbbb000046');
    const { tenant, old, schema, a } = await prepared(b);
    const writing = writingHard(tenant, 1200);
    const hard = new ReadSchemas(readSide.database.db, writing.store, logger, 'bbbb000046');
    await receiveMany(tenant, 1200);

    const counting = countRoundTrips(readSide.database.db);
    await expect(hard.switchTo(tenant, schema)).rejects.toMatchObject({ code: 'switch-deferred', tenant, schema });
    const { queries } = counting.stop();
    writing.stop();
    expect((await a.live(tenant))?.schema).toBe(old);
    // Four switch transactions, none of which applied anything: each found 1,200 events and gave up.
    const transactions = queries.join('\n').split(/^begin\b/im).filter((text) => text.includes(`read-schema:${tenant}`));
    expect(transactions).toHaveLength(4);
    for (const text of transactions) expect(/insert into .*ledger/is.test(text)).toBe(false);

    await b.switchTo(tenant, schema);
    expect((await a.live(tenant))?.schema).toBe(schema);
    expect(await onHand(schema)).toBe(units(3 + 4 * 1200));
  }, 120_000);

  it('a switch whose locks are held elsewhere gives up at its lock timeout, A live; switched once they are free', async () => {
    const b = new ReadSchemas(readSide.database.db, readSide.store, logger, 'bbbb000047');
    const { tenant, old, schema, a } = await prepared(b);
    const holder = new pg.Client({ connectionString: readSide.database.url });
    await holder.connect();
    try {
      // An applier of B's schema (or anything else) holding its checkpoint for a long time.
      await holder.query('begin');
      await holder.query(pgp.as.format('select position from $1:name.checkpoint for update', [schema]));
      const started = Date.now();
      await expect(b.switchTo(tenant, schema, { limits: { lockTimeoutMs: 200, attempts: 2 } })).rejects.toMatchObject({ code: 'switch-deferred' });
      expect(Date.now() - started).toBeLessThan(5000);
      expect((await a.live(tenant))?.schema).toBe(old);
      await holder.query('commit');
    } finally {
      await holder.end();
    }
    await b.switchTo(tenant, schema);
    expect((await a.live(tenant))?.schema).toBe(schema);
  }, 30_000);
});
