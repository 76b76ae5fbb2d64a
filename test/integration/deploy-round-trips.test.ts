import { afterEach, describe, expect, it } from '@jest/globals';
import { createLogger } from '../../src/logger.js';
import { ProjectorDaemon, type DaemonMode } from '../../src/projections/daemon.js';
import { reservedStockLines } from '../../src/projections/reserved-stock.js';
import { ReadSchemas } from '../../src/projections/read-schemas.js';
import { selectLedgerIndexesComplete } from '../../src/projections/read-schemas.sql.js';
import { freshTenant, metadataFor } from '../support/command-handlers.js';
import { useReadSide } from '../support/read-side.js';
import { countRoundTrips, type RoundTrips } from '../support/round-trips.js';

const units = (n: number): number => n * 1000;
const logger = createLogger('silent');
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * What a deploy costs a small tenant in round trips to PostgreSQL (issue 15): the tenant waits for
 * B's switch, and 1,000 tenants wait for the sum of their prepares. Counted through pg-promise's
 * query event while the daemon of version B works on the file's only tenant. Before issue 15's cut
 * (measured with this test): prepare 26 round trips without the ledger's indexes, the switch 36
 * in 3 transactions (catch-up, index build, switch); after it, 24 with the indexes and 13 in one.
 */
describe('round trips of a deploy, per small tenant', () => {
  const readSide = useReadSide();
  const daemons: ProjectorDaemon[] = [];
  afterEach(async () => {
    await Promise.all(daemons.splice(0).map((daemon) => daemon.stop()));
  });

  /** Starts a daemon of `version` and counts what it sends until it follows `tenant`. */
  async function countUntilFollowing(version: string, mode: DaemonMode, tenant: string): Promise<RoundTrips> {
    // A scan only at the start: later scans would add their statements to the count.
    const daemon = new ProjectorDaemon(readSide.database.db, readSide.store, new ReadSchemas(readSide.database.db, readSide.store, logger, version), logger, { mode, leaseRetryMs: 600_000 });
    daemons.push(daemon);
    const counting = countRoundTrips(readSide.database.db);
    await daemon.start();
    const deadline = Date.now() + 15_000;
    while (daemon.status().find((entry) => entry.tenant === tenant)?.state !== 'following') {
      if (Date.now() > deadline) throw new Error(`not following: ${JSON.stringify(daemon.status())}`);
      await sleep(1);
    }
    return counting.stop();
  }

  it('prepares a small tenant in at most 25 round trips with its indexes, and switches it in one transaction, 16 round trips at most', async () => {
    const tenant = freshTenant('rt');
    const meta = metadataFor(tenant);
    await readSide.side.catalog.createLocation(meta, { code: 'A-01', type: 'storage' });
    await readSide.side.catalog.registerArticle(meta, { sku: 'BOLT', name: 'Bolt', unit: 'pcs', tracking: 'none' });
    for (let i = 0; i < 3; i += 1) await readSide.side.stock.receive(metadataFor(tenant), { lines: [{ sku: 'BOLT', quantity: units(1), location: 'A-01' }] });
    const a = new ReadSchemas(readSide.database.db, readSide.store, logger, 'aaaa000031');
    const old = await a.ensureLive(tenant);
    await a.catchUp(tenant, old.schema);

    const prepare = await countUntilFollowing('bbbb000032', 'prepare', tenant);
    await Promise.all(daemons.splice(0).map((daemon) => daemon.stop()));
    const b = new ReadSchemas(readSide.database.db, readSide.store, logger, 'bbbb000032');
    const [prepared] = (await b.list(tenant)).filter((schema) => schema.version === b.version);
    expect(prepared?.status).toBe('building');
    const schema = prepared?.schema as string;
    // The ledger's indexes are built by prepare, not while the tenant waits for its switch.
    expect((await readSide.database.db.one<{ complete: boolean }>(selectLedgerIndexesComplete(), [schema])).complete).toBe(true);

    // Two events after prepare stopped: the switch applies them in its transaction.
    for (let i = 0; i < 2; i += 1) await readSide.side.stock.receive(metadataFor(tenant), { lines: [{ sku: 'BOLT', quantity: units(1), location: 'A-01' }] });
    const switched = await countUntilFollowing('bbbb000032', 'serve', tenant);
    expect((await b.live(tenant))?.schema).toBe(schema);
    expect((await reservedStockLines(readSide.database.db, schema, { sku: 'BOLT' })).reduce((sum, line) => sum + line.onHand, 0)).toBe(units(5));
    expect((await a.list(tenant)).find((entry) => entry.schema === old.schema)?.status).toBe('retired');

    const summary = { prepare: prepare.queries.length, switch: switched.queries.length, switchTransactions: switched.transactions };
    // SHOW_ROUND_TRIPS=1 prints every statement, to see where a change adds or removes some.
    if (process.env.SHOW_ROUND_TRIPS) process.stdout.write(`${JSON.stringify({ summary, prepare: prepare.queries, switched: switched.queries }, null, 1)}\n`);
    // Each window also holds the daemon's start (LISTEN, its scan, the lease) and, at its end, the
    // subscription's first read: 4 of the counts. The switch window has 3 writes of the 2 events.
    expect(switched.queries.filter((text) => /create index/i.test(text))).toEqual([]);
    expect({ ...summary, prepare: Math.min(summary.prepare, 25), switch: Math.min(summary.switch, 16) }).toEqual({ ...summary, switchTransactions: 1 });
  });
});
