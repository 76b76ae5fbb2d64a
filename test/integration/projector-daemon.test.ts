import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { AggregateCache } from '../../src/commands/aggregate-cache.js';
import { pgp } from '../../src/database/connection.js';
import { onHandAt } from '../../src/domain/stock/state.js';
import { stockDecider } from '../../src/domain/stock/stock.js';
import type { EventStore } from '../../src/eventstore/event-store.js';
import { PostgresEventStore } from '../../src/eventstore/postgres/postgres-event-store.js';
import { streamName } from '../../src/eventstore/stream-name.js';
import { createLogger } from '../../src/logger.js';
import { ProjectorDaemon } from '../../src/projections/daemon.js';
import { reservedStockLines } from '../../src/projections/reserved-stock.js';
import { readModelDdl } from '../../src/projections/read-model.sql.js';
import { ReadSchemas } from '../../src/projections/read-schemas.js';
import { commandSide, freshTenant, metadataFor, type CommandSide } from '../support/command-handlers.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

const units = (n: number): number => n * 1000;
const logger = createLogger('silent');
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function eventually<T>(probe: () => Promise<T>, accept: (value: T) => boolean, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (accept(value)) return value;
    if (Date.now() > deadline) throw new Error(`not reached in ${timeoutMs} ms: ${JSON.stringify(value)}`);
    await sleep(50);
  }
}

describe('the projector daemon', () => {
  let database: TestDatabase;
  let store: EventStore;
  let side: CommandSide;
  const daemons: ProjectorDaemon[] = [];
  const children: ChildProcess[] = [];

  const daemon = (version?: string): ProjectorDaemon => {
    const schemas = new ReadSchemas(database.db, store, logger, ...(version ? [version] : []));
    const started = new ProjectorDaemon(database.db, store, schemas, logger, { leaseRetryMs: 200, batchSize: 50 });
    daemons.push(started);
    return started;
  };

  const childDaemon = async (): Promise<ChildProcess> => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/support/daemon-child.ts'], {
      env: { PATH: process.env.PATH ?? '', DATABASE_URL: database.url },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    children.push(child);
    await new Promise<void>((resolve, reject) => {
      child.stdout?.on('data', (chunk: Buffer) => chunk.toString().includes('ready') && resolve());
      child.once('exit', () => reject(new Error('the daemon child exited')));
    });
    return child;
  };

  async function warehouse(): Promise<string> {
    const tenant = freshTenant('pd');
    const meta = metadataFor(tenant);
    await side.catalog.createLocation(meta, { code: 'WH', type: 'warehouse' });
    await side.catalog.createLocation(meta, { code: 'A-01', type: 'storage', parent: 'WH' });
    await side.catalog.registerArticle(meta, { sku: 'BOLT', name: 'Bolt', unit: 'pcs', tracking: 'none' });
    return tenant;
  }

  const liveOnHand = async (schemas: ReadSchemas, tenant: string): Promise<number> => {
    const live = await schemas.live(tenant);
    if (!live) return -1;
    return (await reservedStockLines(database.db, live.schema, { sku: 'BOLT' })).reduce((sum, line) => sum + line.onHand, 0);
  };

  beforeAll(async () => {
    database = await createTestDatabase({ poolSize: 30 });
    store = new PostgresEventStore(database.db, logger);
    side = commandSide(store);
  });
  afterEach(async () => {
    await Promise.all(daemons.splice(0).map((d) => d.stop()));
    for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
  });
  afterAll(async () => {
    await store.close();
    await database.drop();
  });

  it('keeps following a tenant after the database drops its connections (a transient error is not a poison event)', async () => {
    const tenant = await warehouse();
    const projector = daemon();
    await projector.start();
    const schemas = new ReadSchemas(database.db, store, logger);
    await side.stock.receive(metadataFor(tenant), { lines: [{ sku: 'BOLT', quantity: units(1), location: 'A-01' }] });
    await eventually(() => liveOnHand(schemas, tenant), (onHand) => onHand === units(1));
    // Every other connection of this database is terminated: the lease, the pool's, the listener.
    await database.db.any(`select pg_terminate_backend(pid) from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()`);
    for (let i = 0; i < 5; i += 1) {
      await side.stock.receive(metadataFor(tenant), { lines: [{ sku: 'BOLT', quantity: units(1), location: 'A-01' }] }).catch(async () => {
        // The command's own connection may have been one of them: once more.
        await side.stock.receive(metadataFor(tenant), { lines: [{ sku: 'BOLT', quantity: units(1), location: 'A-01' }] });
      });
    }
    await eventually(() => liveOnHand(schemas, tenant), (onHand) => onHand === units(6), 15_000);
    // The catch-up that applied the last events may be a moment from following again (not failed).
    await eventually(async () => projector.status().find((entry) => entry.tenant === tenant)?.state, (state) => state === 'following', 5_000);
  }, 30_000);

  it('keeps every tenant’s live schema current as commands are recorded', async () => {
    const tenant = await warehouse();
    const running = daemon();
    await running.start();
    for (let i = 0; i < 5; i += 1) await side.stock.receive(metadataFor(tenant), { lines: [{ sku: 'BOLT', quantity: units(2), location: 'A-01' }] });
    const schemas = new ReadSchemas(database.db, store, logger);
    expect(await eventually(() => liveOnHand(schemas, tenant), (value) => value === units(10))).toBe(units(10));
    expect(await eventually(async () => running.status().find((s) => s.tenant === tenant)?.state, (state) => state === 'following')).toBe('following');
  });

  it('two daemons: one works on a tenant, the other takes over within seconds when its process is killed', async () => {
    const tenant = await warehouse();
    const first = await childDaemon();
    await side.stock.receive(metadataFor(tenant), { lines: [{ sku: 'BOLT', quantity: units(3), location: 'A-01' }] });
    const schemas = new ReadSchemas(database.db, store, logger);
    await eventually(() => liveOnHand(schemas, tenant), (value) => value === units(3));

    const second = daemon();
    await second.start();
    await sleep(500);
    expect(second.status().find((s) => s.tenant === tenant)?.state).toBe('waiting-for-lease');

    first.kill('SIGKILL');
    const killedAt = Date.now();
    await eventually(async () => second.status().find((s) => s.tenant === tenant)?.state, (state) => state === 'following', 10_000);
    expect(Date.now() - killedAt).toBeLessThan(10_000);
    await side.stock.receive(metadataFor(tenant), { lines: [{ sku: 'BOLT', quantity: units(4), location: 'A-01' }] });
    expect(await eventually(() => liveOnHand(schemas, tenant), (value) => value === units(7))).toBe(units(7));
  }, 30_000);

  it('a daemon killed with SIGKILL mid-batch and started again: every balance right, no event applied twice', async () => {
    const tenant = await warehouse();
    await side.catalog.createLocation(metadataFor(tenant), { code: 'A-02', type: 'storage', parent: 'WH' });
    const child = await childDaemon();
    const writes = (async () => {
      for (let i = 0; i < 150; i += 1) {
        await side.stock.receive(metadataFor(tenant), { lines: [{ sku: 'BOLT', quantity: units(2), location: 'A-01' }] });
        await side.stock.transfer(metadataFor(tenant), { lines: [{ sku: 'BOLT', quantity: units(1), from: 'A-01', to: 'A-02' }] });
      }
    })();
    const schemas = new ReadSchemas(database.db, store, logger);
    await eventually(async () => Number((await schemas.live(tenant))?.position ?? 0), (position) => position > 0);
    await sleep(300);
    child.kill('SIGKILL');
    await writes;
    const again = await childDaemon();
    const head = await store.headPosition(tenant);
    await eventually(async () => (await schemas.live(tenant))?.position ?? '0', (position) => BigInt(position) >= BigInt(head), 15_000);
    again.kill('SIGKILL');

    const { state } = await new AggregateCache(store).load(streamName(tenant, 'stock', 'BOLT'), stockDecider);
    const live = (await schemas.live(tenant))?.schema ?? '';
    const lines = await reservedStockLines(database.db, live, { sku: 'BOLT' });
    expect(lines.map((line) => [line.location, line.onHand])).toEqual([
      ['A-01', onHandAt(state, 'A-01')],
      ['A-02', onHandAt(state, 'A-02')],
    ]);
    const ledger = await database.db.one<{ n: number }>(`select count(*)::int as n from ${pgp.as.name(live)}.ledger`);
    const moves = await database.db.one<{ n: number }>(`select count(*)::int as n from es_events where tenant = $1 and type in ('StockReceived', 'StockTransferred')`, [tenant]);
    expect(ledger.n).toBe(moves.n);
  }, 60_000);

  it('a poison event stops one tenant’s projection, with its id and error, and not the others', async () => {
    const poisoned = await warehouse();
    const healthy = await warehouse();
    const running = daemon();
    await running.start();
    await store.append(
      streamName(poisoned, 'stock', 'BOLT'),
      [{ id: '7a1c9e4b-2f3d-4a5b-8c6d-9e0f1a2b3c4d', type: 'StockShipped', data: { sku: 'BOLT' }, metadata: { tenant: poisoned, user: 'u', source: 'import', correlationId: 'c', occurredAt: '2026-01-01T00:00:00Z' } }],
      { expectedRevision: 'any' },
    );
    await side.stock.receive(metadataFor(healthy), { lines: [{ sku: 'BOLT', quantity: units(5), location: 'A-01' }] });
    const schemas = new ReadSchemas(database.db, store, logger);
    await eventually(async () => running.status().find((s) => s.tenant === poisoned)?.state, (state) => state === 'failed');
    expect(running.status().find((s) => s.tenant === poisoned)?.error).toContain('7a1c9e4b-2f3d-4a5b-8c6d-9e0f1a2b3c4d');
    expect(await schemas.live(poisoned)).toMatchObject({ status: 'failed', failedEventId: '7a1c9e4b-2f3d-4a5b-8c6d-9e0f1a2b3c4d' });
    expect(await eventually(() => liveOnHand(schemas, healthy), (value) => value === units(5))).toBe(units(5));
  });

  it('a changed read model (a column added) builds a new schema for every tenant and switches; no statement alters an existing schema', async () => {
    const tenants = [await warehouse(), await warehouse()];
    for (const tenant of tenants) await side.stock.receive(metadataFor(tenant), { lines: [{ sku: 'BOLT', quantity: units(6), location: 'A-01' }] });
    const before = daemon('cccc000001');
    await before.start();
    const oldSchemas = new ReadSchemas(database.db, store, logger, 'cccc000001');
    for (const tenant of tenants) await eventually(() => liveOnHand(oldSchemas, tenant), (value) => value === units(6));
    await before.stop();
    const oldLive = await Promise.all(tenants.map(async (tenant) => (await oldSchemas.live(tenant))?.schema ?? ''));

    // Every DDL statement from here on is recorded with the schema it touched.
    await database.db.none(`
      create table ddl_audit (command text, schema_name text, object text);
      create function audit_ddl() returns event_trigger language plpgsql as $$
      declare c record;
      begin
        for c in select * from pg_event_trigger_ddl_commands() loop
          insert into ddl_audit values (c.command_tag, c.schema_name, c.object_identity);
        end loop;
      end $$;
      create event trigger audit_ddl on ddl_command_end execute function audit_ddl();`);
    try {
      const withColour = (schema: string): string => `${readModelDdl(schema)}\nalter table ${pgp.as.name(schema)}.articles add column colour text;`;
      const changed = new ReadSchemas(database.db, store, logger, undefined, withColour);
      expect(changed.version).not.toBe(new ReadSchemas(database.db, store, logger).version);
      const after = new ProjectorDaemon(database.db, store, changed, logger, { leaseRetryMs: 200 });
      daemons.push(after);
      await after.start();
      for (const tenant of tenants) {
        const live = await eventually(() => changed.live(tenant), (schema) => schema?.version === changed.version);
        expect(await liveOnHand(changed, tenant)).toBe(units(6));
        const colour = await database.db.oneOrNone('select 1 from information_schema.columns where table_schema = $1 and table_name = $2 and column_name = $3', [live?.schema, 'articles', 'colour']);
        expect(colour).not.toBeNull();
      }
      const touched = await database.db.map('select distinct schema_name from ddl_audit', [], (row: { schema_name: string | null }) => row.schema_name);
      for (const schema of oldLive) expect(touched).not.toContain(schema);
      for (const schema of oldLive) {
        const colour = await database.db.oneOrNone('select 1 from information_schema.columns where table_schema = $1 and column_name = $2', [schema, 'colour']);
        expect(colour).toBeNull();
      }
    } finally {
      await database.db.none('drop event trigger audit_ddl; drop function audit_ddl(); drop table ddl_audit;');
    }
  }, 30_000);

  it('an older version restarting during a rolling deploy does not switch a tenant back', async () => {
    const tenant = await warehouse();
    const older = daemon('eeee000001');
    await older.start();
    const olderSchemas = new ReadSchemas(database.db, store, logger, 'eeee000001');
    await eventually(() => olderSchemas.live(tenant), (live) => live?.version === 'eeee000001');
    await older.stop();
    const newer = daemon('ffff000002');
    await newer.start();
    const newerSchemas = new ReadSchemas(database.db, store, logger, 'ffff000002');
    await eventually(() => newerSchemas.live(tenant), (live) => live?.version === 'ffff000002');
    // An instance of the older version starts again (or restarts its worker) while the newer one serves.
    const restarted = daemon('eeee000001');
    await restarted.start();
    await eventually(async () => restarted.status().find((entry) => entry.tenant === tenant)?.state, (state) => state === 'superseded');
    await sleep(600);
    expect((await newerSchemas.live(tenant))?.version).toBe('ffff000002');
    await side.stock.receive(metadataFor(tenant), { lines: [{ sku: 'BOLT', quantity: units(2), location: 'A-01' }] });
    await eventually(() => liveOnHand(newerSchemas, tenant), (onHand) => onHand === units(2));
  }, 30_000);

  it('follows a live schema switched elsewhere (a rebuild from the API or CLI), its scan comparing every live pointer at once', async () => {
    const tenant = await warehouse();
    const running = daemon();
    await running.start();
    const schemas = new ReadSchemas(database.db, store, logger);
    const worker = async (): Promise<unknown> => running.status().find((each) => each.tenant === tenant);
    await eventually(worker, (found) => (found as { state?: string } | undefined)?.state === 'following');
    const rebuilt = await schemas.rebuild(tenant);
    await eventually(worker, (found) => (found as { schema?: string } | undefined)?.schema === rebuilt.schema);
    await side.stock.receive(metadataFor(tenant), { lines: [{ sku: 'BOLT', quantity: units(3), location: 'A-01' }] });
    expect(await eventually(() => liveOnHand(schemas, tenant), (onHand) => onHand === units(3))).toBe(units(3));
  }, 30_000);

  it('a rebuild while writes go on: no event lost or doubled at the switch, and reads answer throughout', async () => {
    const tenant = await warehouse();
    await side.catalog.createLocation(metadataFor(tenant), { code: 'A-02', type: 'storage', parent: 'WH' });
    const schemas = new ReadSchemas(database.db, store, logger);
    const live = await schemas.ensureLive(tenant);
    for (let i = 0; i < 100; i += 1) await side.stock.receive(metadataFor(tenant), { lines: [{ sku: 'BOLT', quantity: units(1), location: 'A-01' }] });
    await schemas.catchUp(tenant, live.schema);

    let writing = true;
    let reads = 0;
    let failedReads = 0;
    const writer = (async () => {
      let i = 0;
      while (writing || i < 50) {
        await side.stock.transfer(metadataFor(tenant), { lines: [{ sku: 'BOLT', quantity: units(1), from: i % 2 === 0 ? 'A-01' : 'A-02', to: i % 2 === 0 ? 'A-02' : 'A-01' }] });
        i += 1;
      }
    })();
    const reader = (async () => {
      while (writing) {
        try {
          const current = await schemas.live(tenant);
          await reservedStockLines(database.db, current?.schema ?? '', { sku: 'BOLT' });
          reads += 1;
        } catch {
          failedReads += 1;
        }
      }
    })();
    const rebuilt = await schemas.rebuild(tenant, { batchSize: 7 });
    writing = false;
    await Promise.all([writer, reader]);
    await schemas.catchUp(tenant, rebuilt.schema);

    expect(rebuilt.schema).not.toBe(live.schema);
    expect(failedReads).toBe(0);
    expect(reads).toBeGreaterThan(0);
    const { state } = await new AggregateCache(store).load(streamName(tenant, 'stock', 'BOLT'), stockDecider);
    const lines = await reservedStockLines(database.db, rebuilt.schema, { sku: 'BOLT' });
    expect(lines.map((line) => [line.location, line.onHand])).toEqual(
      [
        ['A-01', onHandAt(state, 'A-01')],
        ['A-02', onHandAt(state, 'A-02')],
      ].filter(([, onHand]) => onHand !== 0),
    );
    const ledger = await database.db.one<{ n: number }>(`select count(*)::int as n from ${pgp.as.name(rebuilt.schema)}.ledger`);
    const moves = await database.db.one<{ n: number }>(`select count(*)::int as n from es_events where tenant = $1 and type in ('StockReceived', 'StockTransferred')`, [tenant]);
    expect(ledger.n).toBe(moves.n);
  }, 60_000);
});
