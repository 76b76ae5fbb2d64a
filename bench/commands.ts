/**
 * The command benchmark: stock receipts through the real command handler (load, decide,
 * appendMany) at concurrency 1 and 16, and the latency of deciding on an article with 100,000
 * movements against one with 10, in the same run.
 */
import { createCommandHandlers, type CommandHandlers } from '../src/commands/command-handlers.js';
import { PostgresEventStore } from '../src/eventstore/postgres/postgres-event-store.js';
import { scaled, type BenchContext, type BenchReport, type Benchmark } from './benchmark.js';
import { compareOptions, compareWithBuild } from './commands/ab.js';
import { benchMetadata, bins, createWarehouse, writeHistory } from './commands/setup.js';
import { formatCount, formatMs, formatRatio, markdownTable } from './markdown.js';
import { percentile, perSecond, runConcurrently, timed, type LoadResult } from './measure.js';

const articles = 200;

async function receipts(side: CommandHandlers, tenant: string, operations: number, concurrency: number): Promise<LoadResult> {
  const receipt = (index: number): Promise<unknown> =>
    side.stock.receive(benchMetadata(tenant), {
      reference: `PO-${index}`,
      lines: [{ sku: `ART-${index % articles}`, quantity: 5000, location: bins[index % bins.length] as string }],
    });
  await runConcurrently(200, concurrency, receipt); // warm-up: connections, prepared statements, cache
  return await runConcurrently(operations, concurrency, receipt);
}

/** Alternating transfers on the two articles, one at a time, each article's latencies apart. */
async function alternatingTransfers(side: CommandHandlers, tenant: string, skus: readonly [string, string], rounds: number): Promise<[Float64Array, Float64Array]> {
  const latencies: [number[], number[]] = [[], []];
  for (let round = 0; round < rounds; round += 1) {
    for (const [which, sku] of skus.entries()) {
      const from = bins[round % 2] as string;
      const to = bins[(round + 1) % 2] as string;
      const started = performance.now();
      await side.stock.transfer(benchMetadata(tenant), { lines: [{ sku, quantity: 1000, from, to }] });
      latencies[which as 0 | 1].push(performance.now() - started);
    }
  }
  return [Float64Array.from(latencies[0]).sort(), Float64Array.from(latencies[1]).sort()];
}

export const commandsBenchmark: Benchmark = {
  name: 'commands',
  title: 'Command handling (bench/commands)',
  async run(context: BenchContext): Promise<BenchReport> {
    // BENCH_COMPARE_DIST=<an old ref's dist>: the same figures as an interleaved A/B against that build (commands/ab.ts).
    const compare = compareOptions();
    if (compare) return { markdown: await compareWithBuild(context, compare) };
    const { progress } = context;
    const store = new PostgresEventStore(context.db, context.logger);
    try {
      const tenant = `cmd${Date.now().toString(36)}`;
      const setup = progress.phase('commands: warehouse with 20 bins and 200 articles');
      const side = createCommandHandlers(store);
      await createWarehouse(side, tenant, articles);
      setup();

      const rows: string[][] = [];
      for (const [concurrency, operations] of [
        [1, scaled(context, 2000, 100)],
        [16, scaled(context, 10000, 200)],
      ] as const) {
        const done = progress.phase(`commands: ${formatCount(operations)} receipts at concurrency ${concurrency}`);
        const load = await receipts(side, tenant, operations, concurrency);
        const rate = perSecond(load.operations, load.elapsedMs);
        done(`${formatCount(rate)} commands/s`);
        rows.push([
          `receipt, 1 line, concurrency ${concurrency}`,
          formatCount(operations),
          formatCount(rate),
          formatMs(percentile(load.latenciesMs, 50)),
          formatMs(percentile(load.latenciesMs, 99)),
        ]);
      }

      const longMovements = scaled(context, 100_000, 1000);
      const history = progress.phase(`commands: writing ${formatCount(longMovements)} movements of LONG (set-up)`);
      await writeHistory(store, tenant, 'LONG', longMovements, progress.percentage('commands: LONG history', longMovements));
      await writeHistory(store, tenant, 'SHORT', 10, () => undefined);
      for (const sku of ['LONG', 'SHORT']) await side.catalog.registerArticle(benchMetadata(tenant), { sku, name: sku, unit: 'pcs', tracking: 'none' });
      history();

      // Stock in both bins the transfers go back and forth between.
      for (const sku of ['LONG', 'SHORT']) {
        await side.stock.receive(benchMetadata(tenant), { lines: bins.slice(0, 2).map((location) => ({ sku, quantity: 100_000, location })) });
      }
      const fresh = createCommandHandlers(store);
      const firstLong = await timed(() => fresh.stock.transfer(benchMetadata(tenant), { lines: [{ sku: 'LONG', quantity: 1000, from: 'A-01', to: 'A-02' }] }));
      const firstShort = await timed(() => fresh.stock.transfer(benchMetadata(tenant), { lines: [{ sku: 'SHORT', quantity: 1000, from: 'A-01', to: 'A-02' }] }));
      const rounds = scaled(context, 1000, 50);
      const measured = progress.phase(`commands: ${formatCount(rounds)} transfers each on LONG and SHORT, alternating`);
      const [long, short] = await alternatingTransfers(fresh, tenant, ['LONG', 'SHORT'], rounds);
      const ratio = percentile(long, 50) / percentile(short, 50);
      measured(`p50 LONG ${formatMs(percentile(long, 50))} ms, SHORT ${formatMs(percentile(short, 50))} ms, ratio ${formatRatio(ratio)}`);

      const markdown = [
        markdownTable(['command', 'commands', 'commands/s', 'p50 ms', 'p99 ms'], rows),
        '',
        markdownTable(
          ['article', 'movements', 'first command after start (folds the stream) ms', 'p50 ms', 'p99 ms'],
          [
            ['LONG', formatCount(longMovements + 1), formatMs(firstLong.elapsedMs), formatMs(percentile(long, 50)), formatMs(percentile(long, 99))],
            ['SHORT', '11', formatMs(firstShort.elapsedMs), formatMs(percentile(short, 50)), formatMs(percentile(short, 99))],
          ],
        ),
        '',
        `Latency ratio LONG / SHORT at p50: **${formatRatio(ratio)}** (target at most 1.5×); at p99: ${formatRatio(percentile(long, 99) / percentile(short, 99))}.`,
        '',
        'What limits it: each receipt is one statement, es_append_many() over the stock and movement streams, and',
        'one commit with its fsync; states and facts come from the cache (the append\'s expected revisions catch',
        'what other processes wrote). Node (JSON, the pg protocol, the deciders) and PostgreSQL share the two cores.',
        'Deciding does not grow with the stream: the folded state is cached and kept current by our own appends and',
        'by reading forward from its revision; only the first command after a process start folds the whole stream',
        'once, validating every event with zod (the first column).',
      ].join('\n');
      return { markdown };
    } finally {
      await store.close();
    }
  },
};
