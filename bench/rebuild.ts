/**
 * The rebuild benchmark: ReadSchemas.rebuild of a 1,000,000-event tenant against reading the same
 * events alone, where the rebuild's time goes, and a projection change across 300 small tenants
 * with readers querying every tenant's live schema throughout.
 */
import { PostgresEventStore } from '../src/eventstore/postgres/postgres-event-store.js';
import type { BenchContext, BenchReport, Benchmark } from './benchmark.js';
import { formatCount, formatMs, formatRatio, markdownTable } from './markdown.js';
import { percentile } from './measure.js';
import { measureProjectionChange, type ProjectionChangeResult } from './rebuild/projection-change.js';
import { measureSingleTenant, type SingleTenantResult } from './rebuild/single-tenant.js';

const target = 150_000;

const rate = (events: number, ms: number): number => (events * 1000) / ms;
const seconds = (ms: number): string => (ms / 1000).toFixed(2);
const cpuSeconds = (ms: number | undefined): string => (ms === undefined ? 'n/a' : (ms / 1000).toFixed(2));

function singleTenantMarkdown(result: SingleTenantResult): string {
  const { reads, rebuilds, split } = result;
  const bestRebuild = rebuilds.reduce((best, pass) => (pass.ms < best.ms ? pass : best));
  const bestRead = (pageSize: number): number => Math.min(...reads.filter((pass) => pass.pageSize === pageSize).map((pass) => pass.ms));
  const readRows = reads.map((pass, index) => [
    `store.readTenant alone, pages of ${formatCount(pass.pageSize)} (round ${Math.floor(index / 2) + 1})`,
    seconds(pass.ms),
    formatCount(rate(pass.events, pass.ms)),
    `${cpuSeconds(pass.cpu.nodeMs)} + ${cpuSeconds(pass.cpu.serverMs)}`,
    '',
    '',
  ]);
  const rebuildRows = rebuilds.map((pass, index) => [
    `ReadSchemas.rebuild (round ${index + 1})`,
    seconds(pass.ms),
    formatCount(rate(pass.events, pass.ms)),
    `${cpuSeconds(pass.cpu.nodeMs)} + ${cpuSeconds(pass.cpu.serverMs)}`,
    formatCount(pass.batches),
    formatMs(pass.longestBatchMs),
  ]);
  const best = rate(bestRebuild.events, bestRebuild.ms);
  const share = (ms: number): string => `${formatMs(ms / 1000)} s (${((ms / split.totalMs) * 100).toFixed(0)}%)`;
  return [
    `Set-up (not measured): tenant \`${result.tenant}\` with a warehouse, ${result.shape.bins} bins and ${formatCount(result.shape.articles)} articles ` +
      `(${(result.shape.lotShare * 100).toFixed(0)}% lot-tracked, the others untracked) created through the command handlers (${formatCount(result.catalogEvents)} events), ` +
      `then ${formatCount(result.shape.stockEvents)} stock events written with store.append, 1,000 per append, 4 appends in flight, in ${seconds(result.setupMs)} s with VACUUM. ` +
      'Each article\'s history is simulated so that every event is one its decider would record: receipts (lots with expiry), transfers, reservations, ' +
      'shipments consuming them, shipments without one, releases, returns, adjustments and counts, over a year of business time; a few fast movers ' +
      `take most movements. ${formatCount(result.events)} events in all.`,
    '',
    markdownTable(['Pass', 'Seconds', 'Events/s', 'CPU s (Node + PostgreSQL)', 'Batches', 'Longest batch ms'], [...readRows, ...rebuildRows]),
    '',
    `Best rebuild: **${formatCount(best)} events/s** (target at least ${formatCount(target)}/s: ${best >= target ? 'met' : 'not met'}). ` +
      `It takes ${formatRatio(bestRebuild.ms / bestRead(10_000))} the time of reading the same events with store.readTenant alone in pages of 10,000 ` +
      `(the page size the rebuild reads with) and ${formatRatio(bestRebuild.ms / bestRead(5000))} that of pages of 5,000.`,
    '',
    result.mismatches.length === 0
      ? 'The rebuilt schema was checked against the simulated history: on hand and balance rows per real location, no negative balance, every article summing to zero over all locations, open reservations, ledger rows, articles and locations all as expected.'
      : `**The rebuilt schema differs from the simulated history:** ${result.mismatches.join('; ')}.`,
    '',
    '### Where a rebuild\'s time goes',
    '',
    `An instrumented second pass runs the same steps as ReadSchemas.catchUp (pages of 10,000, batches of 20,000, each batch decoded, folded and written in one transaction with its checkpoint) ` +
      `into a scratch schema, with a clock around each step: ${formatCount(rate(split.events, split.totalMs))} events/s overall (the plain rebuild: ${formatCount(best)}).`,
    '',
    markdownTable(
      ['Step', 'Time', 'Per event µs'],
      [
        ['reading (waiting for readTenant; the next page is fetched while a batch is processed)', share(split.readMs), formatMs((split.readMs * 1000) / split.events)],
        ['decoding (upcast + validation of data and metadata)', share(split.decodeMs), formatMs((split.decodeMs * 1000) / split.events)],
        ['folding into change sets', share(split.foldMs), formatMs((split.foldMs * 1000) / split.events)],
        ['writing (writeChangeSet, checkpoint, commit without waiting for the WAL flush)', share(split.writeMs), formatMs((split.writeMs * 1000) / split.events)],
        ["building the ledger's three secondary indexes after the rows are in", share(split.indexMs), formatMs((split.indexMs * 1000) / split.events)],
      ],
    ),
    '',
    `${formatCount(split.batches)} batches; the longest transaction (decode, fold and write, as ReadSchemas runs them) took ${formatMs(split.longestTransactionMs)} ms.`,
  ].join('\n');
}

function projectionChangeMarkdown(result: ProjectionChangeResult): string {
  const { before, during } = result;
  const total = result.tenants * result.eventsPerTenant;
  return [
    `Set-up (not measured, ${seconds(result.setupMs)} s): ${formatCount(result.tenants)} tenants of ${formatCount(result.eventsPerTenant)} events each ` +
      '(a warehouse, 5 bins and 20 articles through the command handlers, then 974 stock events), each with a live schema of version `aaaa000001`. ' +
      `Then every tenant is rebuilt with version \`bbbb000002\`, ${result.rebuildConcurrency} at a time, while ${result.readers} reader loops query ` +
      'each tenant in turn: the live schema from the registry, then `reservedStockLines` (what GET /api/stock serves) from it. A read that throws counts as failed and is not retried.',
    '',
    markdownTable(
      ['Window', 'Seconds', 'Reads', 'Failed reads', 'Reads/s', 'Read p50 ms', 'Read p99 ms'],
      [
        ['before the change (3 s)', seconds(before.ms), formatCount(before.reads), formatCount(before.failed), formatCount(rate(before.reads, before.ms)), formatMs(percentile(before.latenciesMs, 50)), formatMs(percentile(before.latenciesMs, 99))],
        ['during the change', seconds(during.ms), formatCount(during.reads), formatCount(during.failed), formatCount(rate(during.reads, during.ms)), formatMs(percentile(during.latenciesMs, 50)), formatMs(percentile(during.latenciesMs, 99))],
      ],
    ),
    '',
    `All ${formatCount(result.tenants)} tenants switched in **${seconds(result.changeMs)} s** (${formatCount(rate(total, result.changeMs))} events/s rebuilt, ` +
      `${formatMs(result.changeMs / result.tenants)} ms per tenant at ${result.rebuildConcurrency} at a time) with **${formatCount(during.failed)} failed reads** ` +
      `of ${formatCount(during.reads + during.failed)}${during.firstError ? ` (first: ${during.firstError})` : ''}. ` +
      `Afterwards ${formatCount(result.switched)} of ${formatCount(result.tenants)} live schemas are of the new version, and ` +
      `${formatCount(result.differing)} tenants list different stock in the new schema than in the old one.`,
  ].join('\n');
}

export const rebuildBenchmark: Benchmark = {
  name: 'rebuild',
  title: 'Read-schema rebuilds (bench/rebuild)',
  async run(context: BenchContext): Promise<BenchReport> {
    const store = new PostgresEventStore(context.db, context.logger);
    try {
      const single = await measureSingleTenant(context, store);
      const change = await measureProjectionChange(context, store);
      const markdown = [
        '### Rebuilding a 1,000,000-event tenant',
        '',
        singleTenantMarkdown(single),
        '',
        '### A projection change across 300 tenants',
        '',
        projectionChangeMarkdown(change),
      ].join('\n');
      return { markdown };
    } finally {
      await store.close();
    }
  },
};
