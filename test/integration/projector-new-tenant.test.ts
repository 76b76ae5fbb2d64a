import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { getArticle } from '../../src/projections/catalog.queries.js';
import type { EventStore } from '../../src/eventstore/event-store.js';
import { PostgresEventStore } from '../../src/eventstore/postgres/postgres-event-store.js';
import { createLogger } from '../../src/logger.js';
import { ProjectorDaemon } from '../../src/projections/daemon.js';
import { ReadSchemas } from '../../src/projections/read-schemas.js';
import { commandSide, freshTenant, metadataFor } from '../support/command-handlers.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

const logger = createLogger('silent');
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A tenant's projector starts with its first event, in every process, not on the daemon's next
 * periodic scan: the daemon here scans once a minute, so only the event store's NOTIFY (sent by
 * another process's event store after its append) can start it in time.
 */
describe('the projector daemon and a tenant it has not seen', () => {
  let database: TestDatabase;
  let daemonStore: EventStore;
  let writerStore: EventStore;
  let schemas: ReadSchemas;
  let daemon: ProjectorDaemon;

  beforeAll(async () => {
    database = await createTestDatabase();
    daemonStore = new PostgresEventStore(database.db, logger);
    // The writer is another process as far as the daemon can tell: its own event store, whose
    // appends reach the daemon only through PostgreSQL's NOTIFY.
    writerStore = new PostgresEventStore(database.db, logger);
    schemas = new ReadSchemas(database.db, daemonStore, logger);
    daemon = new ProjectorDaemon(database.db, daemonStore, schemas, logger, { leaseRetryMs: 60_000 });
    await daemon.start();
  });
  afterAll(async () => {
    await daemon.stop();
    await daemonStore.close();
    await writerStore.close();
    await database.drop();
  });

  it('follows a new tenant on its first append elsewhere, long before its next scan', async () => {
    const tenant = freshTenant('nt');
    const appended = Date.now();
    await commandSide(writerStore).catalog.registerArticle(metadataFor(tenant), { sku: 'FIRST', name: 'First', unit: 'pcs', tracking: 'none' });
    let lagMs = -1;
    // Well inside the daemon's one-minute scan, so only the NOTIFY path can pass; how fast it is
    // is bench/lag's to measure (a loaded CI machine once took 1.9 s), not this test's.
    while (Date.now() - appended < 30_000) {
      const live = await schemas.live(tenant);
      if (live && (await getArticle(database.db, live.schema, 'FIRST'))) {
        lagMs = Date.now() - appended;
        break;
      }
      await sleep(10);
    }
    expect(lagMs).toBeGreaterThanOrEqual(0);
    expect(lagMs).toBeLessThan(30_000);
    // The article is readable once the build's rows are in; the daemon says 'following' a moment
    // later, when it has switched from building to following the live stream.
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline && daemon.status().find((worker) => worker.tenant === tenant)?.state !== 'following') await sleep(10);
    expect(daemon.status()).toEqual([expect.objectContaining({ tenant, state: 'following' })]);
  }, 60_000);

  it('follows a tenant it is told of before its first event', async () => {
    const tenant = freshTenant('nt');
    await schemas.ensureLive(tenant);
    daemon.follow(tenant);
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline && !daemon.status().some((worker) => worker.tenant === tenant && worker.state === 'following')) await sleep(10);
    expect(daemon.status()).toContainEqual(expect.objectContaining({ tenant, state: 'following' }));
  }, 30_000);
});
