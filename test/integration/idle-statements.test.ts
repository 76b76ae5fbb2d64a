/**
 * Issue 15: an idle service must not do database work in proportion to its tenants. A daemon
 * follows 300 caught-up tenants; with nothing appended, the statements its process sends per
 * second are counted. Every tenant subscription used to poll on its own (two statements a second
 * each) and the daemon's scan read each tenant's live pointer or tried its lease one at a time:
 * some 900 statements a second at 300 tenants. Now one store-wide poll and one scan serve all.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { pgp } from '../../src/database/connection.js';
import { PostgresEventStore } from '../../src/eventstore/postgres/postgres-event-store.js';
import { createLogger } from '../../src/logger.js';
import { ProjectorDaemon } from '../../src/projections/daemon.js';
import { ReadSchemas } from '../../src/projections/read-schemas.js';
import { commandSide, freshTenant, metadataFor } from '../support/command-handlers.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

const logger = createLogger('silent');
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const tenantCount = 300;

/** Counts every statement any pg client of this process sends, from the call until stop(). */
function countStatements(): { stop: () => number } {
  // pg-promise's own pg module: the one every pool and direct connection of the service uses.
  const prototype = pgp.pg.Client.prototype as unknown as { query: (...args: unknown[]) => unknown };
  const original = prototype.query;
  let count = 0;
  prototype.query = function (this: unknown, ...args: unknown[]): unknown {
    count += 1;
    return original.apply(this, args);
  };
  return {
    stop: () => {
      prototype.query = original;
      return count;
    },
  };
}

describe(`an idle service with ${tenantCount} tenants`, () => {
  let database: TestDatabase;
  let store: PostgresEventStore;
  let daemon: ProjectorDaemon;

  beforeAll(async () => {
    database = await createTestDatabase();
    store = new PostgresEventStore(database.db, logger);
    const side = commandSide(store);
    const tenants = Array.from({ length: tenantCount }, () => freshTenant('idle'));
    for (let i = 0; i < tenants.length; i += 20) {
      await Promise.all(tenants.slice(i, i + 20).map((tenant) => side.catalog.registerArticle(metadataFor(tenant), { sku: 'IDLE', name: 'Idle', unit: 'pcs', tracking: 'none' })));
    }
    const schemas = new ReadSchemas(database.db, store, logger);
    // The defaults of a service: leases retried every 2 s, subscriptions' safety net every 1 s.
    daemon = new ProjectorDaemon(database.db, store, schemas, logger);
    await daemon.start();
    const deadline = Date.now() + 240_000;
    while (Date.now() < deadline && daemon.status().filter((worker) => worker.state === 'following').length < tenantCount) await sleep(100);
  }, 300_000);

  afterAll(async () => {
    await daemon.stop();
    await store.close();
    await database.drop();
  });

  it('sends a few statements a second, not a few per tenant', async () => {
    expect(daemon.status().filter((worker) => worker.state === 'following')).toHaveLength(tenantCount);
    await sleep(2500); // past the start's wake-ups
    const counter = countStatements();
    const started = performance.now();
    const cpu = process.cpuUsage();
    await sleep(6000); // three daemon scans and six store polls
    const count = counter.stop();
    const { user, system } = process.cpuUsage(cpu);
    const seconds = (performance.now() - started) / 1000;
    const perSecond = count / seconds;
    process.stdout.write(`idle, ${tenantCount} tenants: ${perSecond.toFixed(1)} statements/s, Node CPU ${((user + system) / 1000 / seconds).toFixed(1)} ms/s\n`);
    expect(perSecond).toBeLessThan(10);
  }, 30_000);
});
