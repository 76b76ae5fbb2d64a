/**
 * Part two of the rebuild benchmark: a projection change across many small tenants. Every tenant
 * has a live schema of version 'aaaa000001'; then every tenant is rebuilt with version
 * 'bbbb000002', a few at a time, while reader loops keep querying each tenant's stock through its
 * live schema. Counts the reads that failed (the old design failed half of them).
 */
import { createCommandHandlers } from '../../src/commands/command-handlers.js';
import type { EventStore } from '../../src/eventstore/event-store.js';
import { reservedStockLines } from '../../src/projections/reserved-stock.js';
import { ReadSchemas } from '../../src/projections/read-schemas.js';
import { scaled, type BenchContext } from '../benchmark.js';
import { formatCount } from '../markdown.js';
import { runConcurrently } from '../measure.js';
import { createCatalog, writeStockHistory, type TenantShape } from './tenant.js';

/** What part two measured. */
export interface ProjectionChangeResult {
  readonly tenants: number;
  readonly eventsPerTenant: number;
  readonly rebuildConcurrency: number;
  readonly readers: number;
  readonly setupMs: number;
  /** Reads before the change (same loops, same tenants), for comparison. */
  readonly before: ReadWindow;
  /** Reads while the tenants were rebuilt and switched. */
  readonly during: ReadWindow;
  /** From the first rebuild's start to the last switch. */
  readonly changeMs: number;
  /** Tenants whose live schema is of the new version afterwards. */
  readonly switched: number;
  /** Tenants whose new schema lists different stock than their old one (must be none). */
  readonly differing: number;
}

/** Reads in a window of time. */
export interface ReadWindow {
  readonly reads: number;
  readonly failed: number;
  readonly ms: number;
  readonly latenciesMs: Float64Array;
  readonly firstError: string | undefined;
}

const versions = { old: 'aaaa000001', next: 'bbbb000002' } as const;

/**
 * Reader loops: each goes through the tenants in turn, reading the live schema from the registry
 * and the tenant's stock from it, until stopped; every failure is counted, none is retried.
 */
function startReaders(context: BenchContext, schemas: ReadSchemas, tenants: readonly string[], readers: number): { stop(): Promise<ReadWindow> } {
  let running = true;
  let reads = 0;
  let failed = 0;
  let firstError: string | undefined;
  const latencies: number[] = [];
  const started = performance.now();
  const loops = Array.from({ length: readers }, async (_, reader) => {
    for (let index = reader; running; index += readers) {
      const tenant = tenants[index % tenants.length] as string;
      const readStarted = performance.now();
      try {
        const live = await schemas.live(tenant);
        if (!live) throw new Error(`${tenant} has no live schema`);
        await reservedStockLines(context.db, live.schema);
        reads += 1;
        latencies.push(performance.now() - readStarted);
      } catch (error) {
        failed += 1;
        firstError ??= error instanceof Error ? error.message : String(error);
      }
    }
  });
  return {
    async stop() {
      running = false;
      await Promise.all(loops);
      return { reads, failed, ms: performance.now() - started, latenciesMs: Float64Array.from(latencies).sort(), firstError };
    },
  };
}

/** Sets up the tenants (not measured), then times the projection change under reads. */
export async function measureProjectionChange(context: BenchContext, store: EventStore): Promise<ProjectionChangeResult> {
  const { progress, db, logger } = context;
  const tenantCount = scaled(context, 300, 6);
  const eventsPerTenant = 1000;
  const rebuildConcurrency = 4;
  const readers = 4;
  const run = Date.now().toString(36);
  const tenants = Array.from({ length: tenantCount }, (_, index) => `pc${run}-${index}`);
  const shape = (index: number): TenantShape => ({ bins: 5, articles: 20, lotShare: 0.4, stockEvents: eventsPerTenant - 26, seed: 1000 + index });

  const setupStarted = performance.now();
  const setup = progress.phase(`rebuild: ${tenantCount} tenants of ${formatCount(eventsPerTenant)} events (catalog by command handlers, then stock events)`);
  const side = createCommandHandlers(store);
  const done = progress.percentage('rebuild: tenants set up', tenantCount);
  let ready = 0;
  await runConcurrently(tenantCount, 6, async (index) => {
    const tenant = tenants[index] as string;
    const catalog = await createCatalog(side, tenant, shape(index));
    await writeStockHistory(store, tenant, catalog, shape(index), { appendSize: 1000, inFlight: 2, startMs: Date.UTC(2025, 0, 1), days: 90 });
    done((ready += 1));
  });
  const old = new ReadSchemas(db, store, logger, versions.old);
  await runConcurrently(tenantCount, 4, async (index) => {
    const tenant = tenants[index] as string;
    const live = await old.ensureLive(tenant);
    await old.catchUp(tenant, live.schema);
  });
  await db.none('vacuum (analyze) es_events');
  const setupMs = performance.now() - setupStarted;
  setup(`live schemas of version ${versions.old}`);

  const next = new ReadSchemas(db, store, logger, versions.next);
  const warmUp = startReaders(context, next, tenants, readers);
  await new Promise((resolve) => setTimeout(resolve, 3000));
  const before = await warmUp.stop();

  const changing = progress.phase(`rebuild: projection change to ${versions.next}, ${rebuildConcurrency} tenants at a time, ${readers} reader loops`);
  const switchedReport = progress.percentage('rebuild: tenants switched', tenantCount);
  let switchedSoFar = 0;
  const reading = startReaders(context, next, tenants, readers);
  const changeStarted = performance.now();
  await runConcurrently(tenantCount, rebuildConcurrency, async (index) => {
    await next.rebuild(tenants[index] as string);
    switchedReport((switchedSoFar += 1));
  });
  const changeMs = performance.now() - changeStarted;
  const during = await reading.stop();
  changing(`${(changeMs / 1000).toFixed(1)} s, ${formatCount(during.failed)} failed reads of ${formatCount(during.reads + during.failed)}`);

  let switched = 0;
  let differing = 0;
  for (const tenant of tenants) {
    const schemas = (await next.list(tenant)).filter((schema) => schema.status !== 'failed');
    const live = await next.live(tenant);
    if (live?.version === versions.next) switched += 1;
    const retired = schemas.find((schema) => schema.version === versions.old);
    if (!live || !retired) {
      differing += 1;
      continue;
    }
    const [now, then] = await Promise.all([reservedStockLines(db, live.schema), reservedStockLines(db, retired.schema)]);
    if (JSON.stringify(now) !== JSON.stringify(then)) differing += 1;
  }
  return { tenants: tenantCount, eventsPerTenant, rebuildConcurrency, readers, setupMs, before, during, changeMs, switched, differing };
}
