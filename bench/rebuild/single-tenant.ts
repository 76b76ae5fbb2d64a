/**
 * Part one of the rebuild benchmark: ReadSchemas.rebuild of one tenant with a long history,
 * against reading the same events with store.readTenant alone, in the same run.
 */
import { createCommandHandlers } from '../../src/commands/command-handlers.js';
import { pgp } from '../../src/database/connection.js';
import type { EventStore } from '../../src/eventstore/event-store.js';
import { ReadSchemas } from '../../src/projections/read-schemas.js';
import { scaled, type BenchContext } from '../benchmark.js';
import { measureCpu, type CpuUse } from '../cpu-time.js';
import { formatCount } from '../markdown.js';
import type { ExpectedTotals } from './history.js';
import { instrumentedRebuild, rebuildPageSize, type RebuildSplit } from './instrumented.js';
import { createCatalog, writeStockHistory, type TenantShape } from './tenant.js';

/** One timed full read of the tenant with store.readTenant. */
export interface ReadPass {
  readonly pageSize: number;
  readonly events: number;
  readonly ms: number;
  readonly cpu: CpuUse;
}

/** One timed ReadSchemas.rebuild of the tenant. */
export interface RebuildPass {
  readonly events: number;
  readonly ms: number;
  readonly cpu: CpuUse;
  readonly batches: number;
  /** The longest time between two progress reports: one batch read, decoded, folded and written. */
  readonly longestBatchMs: number;
}

/** What part one measured. */
export interface SingleTenantResult {
  readonly tenant: string;
  readonly events: number;
  readonly catalogEvents: number;
  readonly setupMs: number;
  readonly shape: TenantShape;
  readonly reads: readonly ReadPass[];
  readonly rebuilds: readonly RebuildPass[];
  readonly split: RebuildSplit;
  /** Differences between the rebuilt schema and the simulated history's totals (empty when right). */
  readonly mismatches: readonly string[];
}

async function readPass(context: BenchContext, store: EventStore, tenant: string, pageSize: number): Promise<ReadPass> {
  const { result: events, cpu } = await measureCpu(context.serverPid, async () => {
    let count = 0;
    for await (const event of store.readTenant(tenant, { batchSize: pageSize })) if (event.position) count += 1;
    return count;
  });
  return { pageSize, events, ms: cpu.wallMs, cpu };
}

async function rebuildPass(context: BenchContext, schemas: ReadSchemas, tenant: string, total: number): Promise<RebuildPass & { schema: string }> {
  const report = context.progress.percentage('rebuild: events applied', total);
  let batches = 0;
  let last = performance.now();
  let longestBatchMs = 0;
  const { result, cpu } = await measureCpu(context.serverPid, () =>
    schemas.rebuild(tenant, {
      onProgress: ({ events }) => {
        const now = performance.now();
        longestBatchMs = Math.max(longestBatchMs, now - last);
        last = now;
        batches += 1;
        report(events);
      },
    }),
  );
  return { schema: result.schema, events: total, ms: cpu.wallMs, cpu, batches, longestBatchMs };
}

/** Compares the rebuilt schema with the totals of the simulated history. */
async function check(context: BenchContext, schema: string, expected: ExpectedTotals, articles: number, locations: number): Promise<string[]> {
  const s = pgp.as.name(schema);
  const row = await context.db.one<Record<string, string>>(
    `select (select coalesce(sum(on_hand), 0) from ${s}.balances where location not like '@%')::text as on_hand,
            (select count(*) from ${s}.balances where location not like '@%')::text as balance_rows,
            (select count(*) from ${s}.balances where location not like '@%' and on_hand < 0)::text as negative,
            (select coalesce(sum(on_hand), 0) from ${s}.balances)::text as all_locations,
            (select coalesce(sum(quantity), 0) from ${s}.reservations)::text as reserved,
            (select count(*) from ${s}.ledger)::text as ledger_rows,
            (select count(*) from ${s}.articles)::text as articles,
            (select count(*) from ${s}.locations)::text as locations`,
  );
  const wanted: Record<string, number> = {
    on_hand: expected.onHand,
    balance_rows: expected.balanceRows,
    negative: 0,
    all_locations: 0,
    reserved: expected.reserved,
    ledger_rows: expected.ledgerRows,
    articles,
    locations,
  };
  return Object.entries(wanted)
    .filter(([name, value]) => Number(row[name]) !== value)
    .map(([name, value]) => `${name}: ${row[name]} in the schema, ${value} expected`);
}

/** Sets up the tenant (not measured), then times read passes, rebuilds and one instrumented pass. */
export async function measureSingleTenant(context: BenchContext, store: EventStore, rounds = 2): Promise<SingleTenantResult> {
  const { progress, db, logger } = context;
  const tenant = `rb${Date.now().toString(36)}`;
  const totalEvents = scaled(context, 1_000_000, 20_000);
  const articles = scaled(context, 1000, 50);
  const bins = 20;
  const catalogEvents = 1 + bins + articles;
  const shape: TenantShape = { bins, articles, lotShare: 0.4, stockEvents: totalEvents - catalogEvents, seed: 20_261_127 };

  const setupStarted = performance.now();
  const setup = progress.phase(`rebuild: tenant ${tenant}, a warehouse with ${bins} bins and ${formatCount(articles)} articles (command handlers)`);
  const catalog = await createCatalog(createCommandHandlers(store), tenant, shape);
  setup();
  const writing = progress.phase(`rebuild: writing ${formatCount(shape.stockEvents)} stock events (set-up)`);
  const expected = await writeStockHistory(store, tenant, catalog, shape, {
    appendSize: 1000,
    inFlight: 4,
    startMs: Date.UTC(2025, 0, 1),
    days: 365,
    onProgress: progress.percentage('rebuild: stock events written', shape.stockEvents),
  });
  await db.none('vacuum (analyze) es_events');
  await db.none('checkpoint').catch(() => undefined);
  const setupMs = performance.now() - setupStarted;
  writing(`${formatCount((shape.stockEvents * 1000) / setupMs)} events/s including the catalog and VACUUM`);
  const events = await store.countEvents(tenant);

  const warm = progress.phase('rebuild: warm-up read of the tenant (not counted)');
  await readPass(context, store, tenant, rebuildPageSize);
  warm();

  const schemas = new ReadSchemas(db, store, logger);
  await schemas.ensureLive(tenant);
  const reads: ReadPass[] = [];
  const rebuilds: RebuildPass[] = [];
  let mismatches: string[] = [];
  for (let round = 1; round <= rounds; round += 1) {
    for (const pageSize of [rebuildPageSize, 5000]) {
      const reading = progress.phase(`rebuild: round ${round}, store.readTenant alone, pages of ${formatCount(pageSize)}`);
      const pass = await readPass(context, store, tenant, pageSize);
      reads.push(pass);
      reading(`${formatCount((pass.events * 1000) / pass.ms)} events/s`);
    }
    const previous = await schemas.live(tenant);
    const building = progress.phase(`rebuild: round ${round}, ReadSchemas.rebuild`);
    const pass = await rebuildPass(context, schemas, tenant, events);
    rebuilds.push(pass);
    building(`${formatCount((pass.events * 1000) / pass.ms)} events/s, longest batch ${pass.longestBatchMs.toFixed(0)} ms`);
    if (round === 1) mismatches = await check(context, pass.schema, expected, articles, bins + 1);
    if (previous) await schemas.dropSchema(previous.schema);
  }
  const instrumented = progress.phase('rebuild: instrumented pass (read, decode, fold, write timed apart)');
  const split = await instrumentedRebuild(db, store, tenant);
  instrumented(`${formatCount((split.events * 1000) / split.totalMs)} events/s`);
  return { tenant, events, catalogEvents, setupMs, shape, reads, rebuilds, split, mismatches };
}
