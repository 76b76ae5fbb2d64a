/**
 * A quiet tenant on KurrentDB after a restart. KurrentDB keeps no per-tenant index: a tenant's
 * subscription is `$all` filtered by its stream prefix, which the server runs by scanning the log.
 * While other tenants write, the server sends checkpoints; the projector records them as its read
 * schema's position (never past an event it has not applied), so that after a restart it
 * subscribes from there instead of from its own last event, and the server does not scan again
 * what lies between. The stand-in counts the records its subscriptions consider.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { comparePositions, type Position } from '../../src/eventstore/event-store.js';
import { KurrentDbEventStore } from '../../src/eventstore/kurrentdb/kurrentdb-event-store.js';
import { streamName } from '../../src/eventstore/stream-name.js';
import { createLogger } from '../../src/logger.js';
import { ProjectorDaemon } from '../../src/projections/daemon.js';
import { ReadSchemas } from '../../src/projections/read-schemas.js';
import { verifyReadSchema } from '../../src/projections/verify.js';
import { startStandIn, type StandIn } from '../kurrentdb-standin/server.js';
import { commandSide, freshTenant, metadataFor } from '../support/command-handlers.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';
import { event } from '../contract/event-store/fixtures.js';

const logger = createLogger('silent');
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function eventually<T>(probe: () => Promise<T>, accept: (value: T) => boolean, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (accept(value)) return value;
    if (Date.now() > deadline) throw new Error(`not reached in ${timeoutMs} ms: ${String(value)}`);
    await sleep(25);
  }
}

describe('a quiet tenant on KurrentDB', () => {
  let database: TestDatabase;
  let standIn: StandIn;
  let store: KurrentDbEventStore;
  let schemas: ReadSchemas;
  const daemons: ProjectorDaemon[] = [];
  const daemon = async (): Promise<ProjectorDaemon> => {
    const started = new ProjectorDaemon(database.db, store, schemas, logger, { leaseRetryMs: 200, checkpointEveryMs: 50 });
    daemons.push(started);
    await started.start();
    return started;
  };

  beforeAll(async () => {
    database = await createTestDatabase();
    // No $stats events: the records counted are the tenants' own.
    standIn = await startStandIn({ statsEvery: 0 });
    store = KurrentDbEventStore.connect(standIn.url, logger);
    schemas = new ReadSchemas(database.db, store, logger);
  });
  afterAll(async () => {
    for (const started of daemons) await started.stop();
    await store.close();
    await standIn.stop();
    await database.drop();
  });

  it('passes a checkpoint on only after every event of the tenant before it, and only forward', async () => {
    const tenant = freshTenant('cp');
    const seen: Array<{ kind: 'event' | 'checkpoint'; position: Position }> = [];
    const subscription = store
      .subscribeTenant(tenant, { onCheckpoint: (position) => seen.push({ kind: 'checkpoint', position }) })
      .subscribe((recorded) => seen.push({ kind: 'event', position: recorded.position }));
    try {
      const written: Position[] = [];
      // Cycles of 7 records (6 of others, 1 of the tenant's) against the server's 32-record
      // checkpoint window: checkpoints fall on every place of the cycle, most between events.
      for (let i = 0; i < 40; i += 1) {
        await store.append(streamName(`other${i % 3}`, 'stock', `S${i}`), Array.from({ length: 6 }, () => event()), { expectedRevision: 'any' });
        written.push((await store.append(streamName(tenant, 'stock', `S${i % 5}`), [event()], { expectedRevision: 'any' })).position);
      }
      await eventually(async () => seen.filter((item) => item.kind === 'event').length, (count) => count === 40);
      const checkpoints = seen.filter((item) => item.kind === 'checkpoint').map((item) => item.position);
      expect(checkpoints.length).toBeGreaterThan(5);
      for (const [index, item] of seen.entries()) {
        if (item.kind !== 'checkpoint') continue;
        // Every event of the tenant at or before the checkpoint was delivered before it ...
        const delivered = new Set(seen.slice(0, index).filter((before) => before.kind === 'event').map((before) => before.position));
        for (const position of written) if (comparePositions(position, item.position) <= 0) expect(delivered.has(position)).toBe(true);
        // ... and everything delivered after it lies beyond it.
        for (const after of seen.slice(index + 1)) expect(comparePositions(after.position, item.position)).toBeGreaterThan(0);
      }
    } finally {
      subscription.unsubscribe();
    }
  });

  it("resumes after a restart past the other tenants' events its server scanned, not from its own last event", async () => {
    const quiet = freshTenant('quiet');
    const side = commandSide(store);
    await side.catalog.createLocation(metadataFor(quiet), { code: 'WH', type: 'warehouse' });
    const { schema } = await schemas.ensureLive(quiet);
    const quietHead = await store.headPosition(quiet);
    const first = await daemon();
    await eventually(() => schemas.checkpoint(schema), (position) => comparePositions(position, quietHead) >= 0);

    // Other tenants write 640 events (20 appends of 32) while the quiet tenant writes nothing.
    const appended: Position[] = [];
    for (let i = 0; i < 20; i += 1) {
      const other = streamName(`busy${i % 4}`, 'stock', `S${i}`);
      appended.push((await store.append(other, Array.from({ length: 32 }, () => event('StockReceived')), { expectedRevision: 'any' })).position);
    }
    // The server checkpoints every 32 records considered, so the last one lies beyond the 608th.
    const recorded = await eventually(() => schemas.checkpoint(schema), (position) => comparePositions(position, appended[18] ?? '0') >= 0);
    expect(comparePositions(recorded, quietHead)).toBeGreaterThan(0);
    await first.stop();
    // Verify brings its scratch schema to the live one's position, also where no event lies there.
    const verified = await verifyReadSchema(database.db, schemas, store, quiet);
    expect([verified.ok, verified.position]).toEqual([true, recorded]);

    const scannedBefore = standIn.scanned.subscriptions;
    const second = await daemon();
    await eventually(async () => second.status().find((projection) => projection.tenant === quiet)?.state, (state) => state === 'following');
    await sleep(200);
    // What the resumed subscription scanned: the few records after the checkpoint, not the 640.
    const scanned = standIn.scanned.subscriptions - scannedBefore;
    console.info(`the resumed subscription scanned ${scanned} records (the log holds ${standIn.log.all().length})`);
    expect(scanned).toBeLessThan(64);

    // And it still delivers the tenant's next event.
    await side.catalog.createLocation(metadataFor(quiet), { code: 'A-01', type: 'storage', parent: 'WH' });
    const next = await store.headPosition(quiet);
    await eventually(() => schemas.checkpoint(schema), (position) => comparePositions(position, next) >= 0);
  });
});
