/**
 * `npm run bench -- prepare-split` (issue 15): where `projections prepare` spends PostgreSQL's
 * CPU per 1,000-event tenant, phase by phase (the schema's DDL, reading the events, applying
 * them, the ledger's indexes), measured on one backend of its own, under controlled conditions:
 * a catalog of the prepare's own schemas only or with ~50,000 unrelated relations, with no other
 * backends or with 100 idle ones, as a deploy has them.
 */
import { createCommandHandlers } from '../src/commands/command-handlers.js';
import { PostgresEventStore } from '../src/eventstore/postgres/postgres-event-store.js';
import { scaled, type BenchContext, type BenchReport, type Benchmark } from './benchmark.js';
import { formatCount, markdownTable } from './markdown.js';
import { runConcurrently } from './measure.js';
import { createCatalog, writeStockHistory, type TenantShape } from './rebuild/tenant.js';
import { conditionsOf, measureCondition, phases, type ConditionResult, type Phase } from './prepare-split/conditions.js';

const eventsPerTenant = 1000;

function report(results: readonly ConditionResult[], tenants: number): string {
  const ms = (value: number | undefined): string => (value === undefined ? '?' : value.toFixed(1));
  const rows = results.map((result) => [
    result.label,
    ...phases.map((phase: Phase) => `${ms(result.perTenant[phase].server)} / ${ms(result.perTenant[phase].node)}`),
    ms(result.ownServerPerTenant),
    ms(result.elsewherePerTenant),
    ms(result.wallPerTenant),
  ]);
  return [
    `${formatCount(tenants)} tenants × ${formatCount(eventsPerTenant)} events, prepared one after the other on one connection (one PostgreSQL backend), as \`projections prepare\` builds each: ` +
      '`ReadSchemas.prepared` (the schema without the ledger\'s secondary indexes, and its registry row), `advance` (head, checkpoint, the events read and applied in one batch), `completeIndexes`. ' +
      '"read" reads the same events once more alone, so that "apply" is advance less it. CPU ms per tenant: that backend\'s (from /proc) / this process\'s.',
    '',
    markdownTable(
      ['Condition', ...phases.map((phase) => `${phase}: PG / Node ms`), 'PG ms, own backend', 'PG ms elsewhere (other backends, autovacuum, checkpointer, WAL writer)', 'wall ms'],
      rows,
    ),
  ].join('\n');
}

export const prepareSplitBenchmark: Benchmark = {
  name: 'prepare-split',
  title: 'Where prepare\'s PostgreSQL CPU goes per tenant (bench/prepare-split)',
  async run(context: BenchContext): Promise<BenchReport> {
    const { db, logger, progress } = context;
    // BENCH_TENANTS sets the number of tenants outright (BENCH_SCALE scales the default 100).
    const tenantCount = Number(process.env.BENCH_TENANTS ?? scaled(context, 100, 4));
    const store = new PostgresEventStore(db, logger);
    try {
      const run = Date.now().toString(36);
      const tenants = Array.from({ length: tenantCount }, (_, index) => `ps${run}-${index}`);
      const shape = (index: number): TenantShape => ({ bins: 5, articles: 20, lotShare: 0.4, stockEvents: eventsPerTenant - 26, seed: 2000 + index });
      const side = createCommandHandlers(store);
      const written = progress.percentage('prepare-split: tenants written', tenantCount);
      let writtenSoFar = 0;
      await runConcurrently(tenantCount, 4, async (index) => {
        const tenant = tenants[index] as string;
        const catalog = await createCatalog(side, tenant, shape(index));
        await writeStockHistory(store, tenant, catalog, shape(index), { appendSize: 1000, inFlight: 2, startMs: Date.UTC(2025, 0, 1), days: 90 });
        written((writtenSoFar += 1));
      });
      await db.none('vacuum (analyze) es_events');
      const results: ConditionResult[] = [];
      for (const condition of conditionsOf(process.env.PREPARE_SPLIT_CONDITIONS)) {
        const done = progress.phase(`prepare-split: ${condition.label}`);
        const result = await measureCondition(context, tenants, condition, `ps${run}${results.length}`);
        results.push(result);
        done(`${result.ownServerPerTenant?.toFixed(1) ?? '?'} ms PG per tenant on its backend, ${result.elsewherePerTenant?.toFixed(1) ?? '?'} elsewhere`);
      }
      return { markdown: report(results, tenantCount) };
    } finally {
      await store.close();
    }
  },
};
