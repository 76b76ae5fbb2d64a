import { beforeAll, describe, expect, it } from '@jest/globals';
import { pgp } from '../../src/database/connection.js';
import type { EventStore } from '../../src/eventstore/event-store.js';
import { streamName } from '../../src/eventstore/stream-name.js';
import { createLogger } from '../../src/logger.js';
import { ProjectorDaemon } from '../../src/projections/daemon.js';
import { collectGarbage } from '../../src/projections/gc.js';
import { selectProjectorLeaseHeld } from '../../src/projections/gc.sql.js';
import { ReadSchemas } from '../../src/projections/read-schemas.js';
import { verifyReadSchema } from '../../src/projections/verify.js';
import { freshTenant, metadataFor, type CommandSide } from '../support/command-handlers.js';
import type { TestDatabase } from '../support/test-database.js';
import { useReadSide } from '../support/read-side.js';
import { stockctl } from '../cli/stockctl-process.js';

const units = (n: number): number => n * 1000;
const logger = createLogger('silent');
const hour = 60 * 60 * 1000;
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('verifying read schemas and collecting old ones', () => {
  let database: TestDatabase;
  let store: EventStore;
  let side: CommandSide;
  let schemas: ReadSchemas;

  /** A tenant with a warehouse, two articles and some stock. */
  async function warehouse(tenant = freshTenant('vg')): Promise<string> {
    const meta = metadataFor(tenant);
    await side.catalog.createLocation(meta, { code: 'WH', type: 'warehouse' });
    for (const code of ['A-01', 'A-02']) await side.catalog.createLocation(meta, { code, type: 'storage', parent: 'WH' });
    await side.catalog.registerArticle(meta, { sku: 'BOLT', name: 'Bolt', unit: 'pcs', tracking: 'none' });
    await side.catalog.registerArticle(meta, { sku: 'MILK', name: 'Milk', unit: 'l', tracking: 'lot' });
    await side.stock.receive(meta, { lines: [{ sku: 'BOLT', quantity: units(7), location: 'A-01' }] });
    await side.stock.receive(meta, { lines: [{ sku: 'MILK', quantity: units(3), location: 'A-02', lot: 'L1' }] });
    return tenant;
  }

  const schemaExists = async (schema: string): Promise<boolean> =>
    (await database.db.one<{ n: number }>('select count(*)::int as n from information_schema.schemata where schema_name = $1', [schema])).n === 1;
  const registered = async (schema: string): Promise<boolean> =>
    (await database.db.one<{ n: number }>('select count(*)::int as n from read_schemas where schema_name = $1', [schema])).n === 1;
  /** Makes a schema's registry row look untouched for `ms`. */
  const age = (schema: string, ms: number): Promise<null> =>
    database.db.none(`update read_schemas set updated_at = now() - $2::double precision * interval '1 millisecond' where schema_name = $1`, [schema, ms]);

  /** A tenant whose first schema was replaced by a rebuild: returns [retired, live]. */
  async function rebuilt(tenant: string): Promise<[string, string]> {
    const first = await schemas.ensureLive(tenant);
    const second = await schemas.rebuild(tenant);
    return [first.schema, second.schema];
  }

  const readSide = useReadSide();
  beforeAll(() => {
    ({ database, store, side, schemas } = readSide);
  });

  describe('verify', () => {
    it('reports a healthy tenant ok, after catching its live schema up, and drops the scratch schema', async () => {
      const tenant = await warehouse();
      const live = await schemas.ensureLive(tenant);
      await schemas.catchUp(tenant, live.schema);
      // Events the live schema has not applied yet: verify catches it up before comparing.
      await side.stock.transfer(metadataFor(tenant), { lines: [{ sku: 'BOLT', quantity: units(2), from: 'A-01', to: 'A-02' }] });
      const head = await store.headPosition(tenant);

      const result = await verifyReadSchema(database.db, schemas, store, tenant);

      expect(result).toMatchObject({ ok: true, schema: live.schema, position: head, differences: [], differingRows: {} });
      expect(result.scratch).not.toBe(live.schema);
      expect(await schemas.checkpoint(live.schema)).toBe(head);
      expect(await schemaExists(result.scratch)).toBe(false);
      expect(await registered(result.scratch)).toBe(false);
      expect((await schemas.list(tenant)).map((schema) => schema.schema)).toEqual([live.schema]);
    });

    it('names a corrupted row of the live schema as it is there and as a rebuild has it', async () => {
      const tenant = await warehouse();
      const live = await schemas.ensureLive(tenant);
      await schemas.catchUp(tenant, live.schema);
      await database.db.none(`update ${pgp.as.name(live.schema)}.balances set on_hand = on_hand + 1 where sku = 'BOLT' and location = 'A-01'`);
      await database.db.none(`delete from ${pgp.as.name(live.schema)}.lots where sku = 'MILK'`);

      const result = await verifyReadSchema(database.db, schemas, store, tenant);

      expect(result.ok).toBe(false);
      expect(result.differences).toEqual([
        { table: 'balances', only: 'live', row: { sku: 'BOLT', location: 'A-01', lot: '', on_hand: units(7) + 1 } },
        { table: 'balances', only: 'rebuilt', row: { sku: 'BOLT', location: 'A-01', lot: '', on_hand: units(7) } },
        { table: 'lots', only: 'rebuilt', row: { sku: 'MILK', lot: 'L1', expires_on: null } },
      ]);
      expect(result.differingRows).toEqual({ balances: 2, lots: 1 });
      expect(await schemaExists(result.scratch)).toBe(false);
      expect(await registered(result.scratch)).toBe(false);
    });

    it('counts every differing row but names only `limit` of each side per table', async () => {
      const tenant = await warehouse();
      const live = await schemas.ensureLive(tenant);
      await schemas.catchUp(tenant, live.schema);
      await database.db.none(`update ${pgp.as.name(live.schema)}.ledger set user_name = 'someone else'`);
      const ledgerRows = (await database.db.one<{ n: number }>(`select count(*)::int as n from ${pgp.as.name(live.schema)}.ledger`)).n;
      expect(ledgerRows).toBeGreaterThan(1);

      const result = await verifyReadSchema(database.db, schemas, store, tenant, { limit: 1 });

      expect(result.differingRows).toEqual({ ledger: 2 * ledgerRows });
      expect(result.differences.map(({ table, only }) => `${table}/${only}`)).toEqual(['ledger/live', 'ledger/rebuilt']);
    });

    it('compares both schemas at one position while writes go on and a projector follows the live schema', async () => {
      const tenant = await warehouse();
      const live = await schemas.ensureLive(tenant);
      let writing = true;
      const writers = [
        { sku: 'BOLT', location: 'A-01' },
        { sku: 'MILK', location: 'A-02', lot: 'L1' },
      ].map(async (line) => {
        for (let i = 0; writing && i < 1000; i += 1) await side.stock.receive(metadataFor(tenant), { lines: [{ ...line, quantity: units(1) }] });
      });
      // Applies one event per transaction, as a projector following the tenant does.
      const follower = new ReadSchemas(database.db, store, logger);
      const projector = (async () => {
        while (writing) {
          await follower.catchUp(tenant, live.schema, { batchSize: 1 });
          await sleep(1);
        }
      })();
      await sleep(200);
      try {
        // Several rounds: a live schema that moved during the comparison shows up only now and then.
        for (let round = 0; round < 5; round += 1) {
          const result = await verifyReadSchema(database.db, schemas, store, tenant);
          expect(result.differences).toEqual([]);
          expect(result.ok).toBe(true);
        }
      } finally {
        writing = false;
        await Promise.all([...writers, projector]);
      }
    });

    it('drops the scratch schema when an event cannot be applied to it', async () => {
      const tenant = await warehouse();
      const live = await schemas.ensureLive(tenant);
      await store.append(
        streamName(tenant, 'stock', 'BOLT'),
        [{ id: '7c0c6f0e-2b1d-4a57-9a31-0d6f1c2b3a4e', type: 'StockReceived', data: { movementId: 'x', line: 0, sku: 'BOLT' }, metadata: { tenant, user: 'u', source: 'import', correlationId: 'c', occurredAt: '2026-01-01T00:00:00Z', schemaVersion: 2 } }],
        { expectedRevision: 'any' },
      );
      await expect(verifyReadSchema(database.db, schemas, store, tenant)).rejects.toMatchObject({ code: 'projection-failed', eventId: '7c0c6f0e-2b1d-4a57-9a31-0d6f1c2b3a4e' });
      expect((await schemas.list(tenant)).map((schema) => schema.schema)).toEqual([live.schema]);
      const leftovers = await database.db.map(`select schema_name from information_schema.schemata where schema_name like $1`, [`rm\\_${tenant}\\_%`], (row: { schema_name: string }) => row.schema_name);
      expect(leftovers).toEqual([live.schema]);
    });

    it('refuses a tenant without a live schema, and a live schema of another projection version', async () => {
      await expect(verifyReadSchema(database.db, schemas, store, freshTenant('none'))).rejects.toMatchObject({ code: 'no-live-schema' });
      const tenant = await warehouse();
      await new ReadSchemas(database.db, store, logger, 'aaaa000001').ensureLive(tenant);
      await expect(verifyReadSchema(database.db, schemas, store, tenant)).rejects.toMatchObject({ code: 'live-schema-of-other-version' });
      expect(await schemas.list(tenant)).toHaveLength(1);
    });
  });

  describe('gc', () => {
    it('drops a retired schema past the grace period with its registry row, and keeps one within it', async () => {
      const old = await warehouse();
      const recent = await warehouse();
      const [oldRetired, oldLive] = await rebuilt(old);
      const [recentRetired, recentLive] = await rebuilt(recent);
      await age(oldRetired, 2 * hour);
      await age(recentRetired, 30 * 60 * 1000);

      // Every tenant, the default grace period of an hour.
      const { dropped, failed } = await collectGarbage(database.db);

      expect(failed).toEqual([]);
      expect(dropped).toContain(oldRetired);
      expect(dropped).not.toContain(recentRetired);
      expect(await schemaExists(oldRetired)).toBe(false);
      expect(await registered(oldRetired)).toBe(false);
      for (const kept of [recentRetired, oldLive, recentLive]) {
        expect(await schemaExists(kept)).toBe(true);
        expect(await registered(kept)).toBe(true);
      }
      expect((await collectGarbage(database.db, { tenant: recent, graceMs: 10 * 60 * 1000 })).dropped).toEqual([recentRetired]);
    });

    it('never drops a live schema, even a failed one untouched for longer than the grace period', async () => {
      const tenant = await warehouse();
      const live = await schemas.ensureLive(tenant);
      await store.append(
        streamName(tenant, 'stock', 'BOLT'),
        [{ id: '5d4c3b2a-1f0e-4d9c-8b7a-6f5e4d3c2b1a', type: 'StockReceived', data: { movementId: 'x', line: 0, sku: 'BOLT' }, metadata: { tenant, user: 'u', source: 'import', correlationId: 'c', occurredAt: '2026-01-01T00:00:00Z', schemaVersion: 2 } }],
        { expectedRevision: 'any' },
      );
      await expect(schemas.catchUp(tenant, live.schema)).rejects.toMatchObject({ code: 'projection-failed' });
      expect((await schemas.live(tenant))?.status).toBe('failed');
      await age(live.schema, 2 * hour);
      // As if a switch had marked it retired while it stayed live: the live pointer wins over the status.
      await database.db.none(`update read_schemas set status = 'retired' where schema_name = $1`, [live.schema]);

      expect(await collectGarbage(database.db, { tenant, graceMs: 0 })).toEqual({ dropped: [], failed: [], kept: [] });
      expect(await schemaExists(live.schema)).toBe(true);
      expect((await schemas.live(tenant))?.schema).toBe(live.schema);
    });

    it('drops failed and abandoned building schemas too', async () => {
      const tenant = await warehouse();
      await schemas.ensureLive(tenant);
      const abandoned = await schemas.buildScratch(tenant);
      await age(abandoned, 2 * hour);
      expect((await collectGarbage(database.db, { tenant, graceMs: hour })).dropped).toEqual([abandoned]);
      expect(await schemaExists(abandoned)).toBe(false);
    });

    it('leaves a tenant whose slug extends the collected tenant\u2019s slug alone, and the other way round', async () => {
      const short = await warehouse(freshTenant('gcp'));
      const long = await warehouse(`${short}-east`);
      const [shortRetired] = await rebuilt(short);
      const [longRetired] = await rebuilt(long);
      expect(longRetired.startsWith(`rm_${short}_`)).toBe(true);
      await age(shortRetired, 2 * hour);
      await age(longRetired, 2 * hour);

      expect((await collectGarbage(database.db, { tenant: short, graceMs: hour })).dropped).toEqual([shortRetired]);
      expect(await schemaExists(longRetired)).toBe(true);
      expect((await collectGarbage(database.db, { tenant: long, graceMs: hour })).dropped).toEqual([longRetired]);
    });

    it('keeps a prepared schema of a new version while a projector in prepare mode follows it', async () => {
      const tenant = await warehouse();
      await schemas.ensureLive(tenant);
      const next = new ReadSchemas(database.db, store, logger, 'dddd000004');
      const daemon = new ProjectorDaemon(database.db, store, next, logger, { mode: 'prepare', leaseRetryMs: 200 });
      await daemon.start();
      try {
        let prepared: string | undefined;
        for (let waited = 0; !prepared && waited < 10_000; waited += 50) {
          prepared = daemon.status().find((projection) => projection.tenant === tenant && projection.state === 'following')?.schema;
          if (!prepared) await sleep(50);
        }
        if (!prepared) throw new Error(`no prepared schema for ${tenant}: ${JSON.stringify(daemon.status())}`);
        expect((await next.list(tenant)).find((schema) => schema.schema === prepared)?.status).toBe('building');
        await age(prepared, 2 * hour);
        expect((await collectGarbage(database.db, { tenant, graceMs: hour })).dropped).toEqual([]);
        await daemon.stop();
        expect((await collectGarbage(database.db, { tenant, graceMs: hour })).dropped).toEqual([prepared]);
      } finally {
        await daemon.stop();
      }
    });

    it('keeps the schema an older version still serves while its projector holds the lease, says so, and drops it once that version is gone', async () => {
      const tenant = await warehouse();
      const [olderGeneration, served] = await rebuilt(tenant);
      // A deploy of a newer version took the tenant over; this build's processes are the old side.
      await new ReadSchemas(database.db, store, logger, 'eeee000005').rebuild(tenant);
      expect((await schemas.ownServed(tenant))).toBe(served);
      const daemon = new ProjectorDaemon(database.db, store, schemas, logger, { leaseRetryMs: 200 });
      await daemon.start();
      try {
        for (let waited = 0; waited < 10_000; waited += 50) {
          if (daemon.status().some((projection) => projection.tenant === tenant && projection.state === 'superseded' && projection.schema === served)) break;
          await sleep(50);
        }
        // The old side of a deploy follows its last live schema, never to switch to it again.
        expect(daemon.status().find((projection) => projection.tenant === tenant)).toMatchObject({ state: 'superseded', schema: served });
        // A quiet tenant: nothing has touched either schema for longer than the grace period.
        await age(olderGeneration, 2 * hour);
        await age(served, 2 * hour);
        const result = await collectGarbage(database.db, { tenant, graceMs: hour });
        expect(result.dropped).toEqual([olderGeneration]);
        expect(result.kept).toEqual([{ schema: served, reason: expect.stringContaining(`version ${schemas.version}'s projector holds the tenant's lease`) }]);
        expect(await schemaExists(served)).toBe(true);

        const run = await stockctl(['projections', 'gc', '--tenant', tenant, '--grace-minutes', '60'], { DATABASE_URL: database.url });
        expect(run).toMatchObject({ code: 0, stdout: expect.stringContaining(`kept ${served}: version ${schemas.version}'s projector holds`) });

        await daemon.stop();
        expect((await collectGarbage(database.db, { tenant, graceMs: hour })).dropped).toEqual([served]);
      } finally {
        await daemon.stop();
      }
    }, 60_000);

    it('sees a projector lease whatever the sign of its 32-bit key (pg_locks splits a bigint key in two halves)', async () => {
      // Tenants whose lease key is negative and positive: the high half is all ones or all zeros.
      const keyed = await database.db.one<{ negative: string; positive: string }>(
        `select (select 't' || n from generate_series(1, 1000) n where hashtext('projector:t' || n || ':v1') < 0 limit 1) as negative,
                (select 't' || n from generate_series(1, 1000) n where hashtext('projector:t' || n || ':v1') > 0 limit 1) as positive`,
      );
      for (const tenant of [keyed.negative, keyed.positive]) {
        const holder = await database.db.connect({ direct: true });
        try {
          await holder.one('select pg_advisory_lock(hashtext($1)) as locked', [`projector:${tenant}:v1`]);
          expect(await database.db.one(selectProjectorLeaseHeld(), [tenant, 'v1'])).toEqual({ held: true });
          expect(await database.db.one(selectProjectorLeaseHeld(), [tenant, 'v2'])).toEqual({ held: false });
        } finally {
          await holder.done();
        }
        expect(await database.db.one(selectProjectorLeaseHeld(), [tenant, 'v1'])).toEqual({ held: false });
      }
    });
  });
});
