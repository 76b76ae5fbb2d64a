/**
 * The lag benchmark: how long after a command commits its effect is visible in the tenant's read
 * schema, under a steady 500 commands/s, with the projector daemon running as the service runs it;
 * then how long a new tenant's first command takes to be readable (bench/lag/new-tenant.ts).
 */
import { createCommandHandlers } from '../src/commands/command-handlers.js';
import { comparePositions } from '../src/eventstore/event-store.js';
import { PostgresEventStore } from '../src/eventstore/postgres/postgres-event-store.js';
import { ProjectorDaemon } from '../src/projections/daemon.js';
import { ReadSchemas } from '../src/projections/read-schemas.js';
import { scaled, type BenchContext, type BenchReport, type Benchmark } from './benchmark.js';
import { benchMetadata, bins, createWarehouse } from './commands/setup.js';
import { formatCount, formatMs, markdownTable } from './markdown.js';
import { measureNewTenants } from './lag/new-tenant.js';
import { percentile } from './measure.js';

const rate = 500;
const articles = 200;

export const lagBenchmark: Benchmark = {
  name: 'lag',
  title: 'Append-to-visible lag (bench/lag)',
  async run(context: BenchContext): Promise<BenchReport> {
    const { progress } = context;
    const store = new PostgresEventStore(context.db, context.logger);
    const schemas = new ReadSchemas(context.db, store, context.logger);
    const daemon = new ProjectorDaemon(context.db, store, schemas, context.logger);
    const otherStore = new PostgresEventStore(context.db, context.logger);
    try {
      const tenant = `lag${Date.now().toString(36)}`;
      const side = createCommandHandlers(store);
      await createWarehouse(side, tenant, articles);
      await daemon.start();
      const live = await schemas.ensureLive(tenant);

      const seconds = scaled(context, 20, 2);
      const total = rate * seconds;
      const done = progress.phase(`lag: ${formatCount(total)} receipts at ${rate}/s for ${seconds} s`);
      const waiting: Array<{ position: string; committedAt: number }> = [];
      const lags: number[] = [];
      let polling = true;
      // Watches the schema's checkpoint closely; each command is visible once it has passed its position.
      const watcher = (async () => {
        while (polling || waiting.length > 0) {
          const reached = await schemas.checkpoint(live.schema);
          const now = performance.now();
          for (let i = waiting.length - 1; i >= 0; i -= 1) {
            const entry = waiting[i];
            if (entry && comparePositions(reached, entry.position) >= 0) {
              lags.push(now - entry.committedAt);
              waiting.splice(i, 1);
            }
          }
          await new Promise((resolve) => setTimeout(resolve, 1));
        }
      })();
      // Warm-up at the same rate, not counted: the first command on each article folds its stream
      // into the cache, and the first batches pay for JIT and cold buffers (up to ~400 ms of lag).
      const warmUp = context.progress.phase(`lag: warm-up, ${formatCount(rate * 2)} receipts at ${rate}/s (not counted)`);
      const warmStarted = performance.now();
      const warming: Array<Promise<unknown>> = [];
      for (let i = 0; i < rate * 2; i += 1) {
        const wait = warmStarted + (i * 1000) / rate - performance.now();
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
        warming.push(side.stock.receive(benchMetadata(tenant), { lines: [{ sku: `ART-${i % articles}`, quantity: 1000, location: bins[i % bins.length] as string }] }));
      }
      await Promise.all(warming);
      warmUp();
      const started = performance.now();
      const inFlight: Array<Promise<void>> = [];
      let late = 0;
      for (let i = 0; i < total; i += 1) {
        const due = started + (i * 1000) / rate;
        const wait = due - performance.now();
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
        else if (wait < -50) late += 1;
        inFlight.push(
          side.stock
            .receive(benchMetadata(tenant), { lines: [{ sku: `ART-${i % articles}`, quantity: 1000, location: bins[i % bins.length] as string }] })
            .then((result) => void waiting.push({ position: result.position, committedAt: performance.now() })),
        );
      }
      await Promise.all(inFlight);
      const achieved = total / ((performance.now() - started) / 1000);
      polling = false;
      await watcher;
      const sorted = Float64Array.from(lags).sort();
      done(`p50 ${formatMs(percentile(sorted, 50))} ms, p99 ${formatMs(percentile(sorted, 99))} ms`);
      const newTenants = await measureNewTenants(context, { daemon, schemas, store, otherStore });

      const markdown = [
        markdownTable(
          ['commands', 'offered rate/s', 'achieved rate/s', 'commands started > 50 ms late', 'lag p50 ms', 'lag p99 ms', 'lag max ms', 'target'],
          [
            [
              formatCount(total),
              String(rate),
              formatCount(achieved),
              formatCount(late),
              formatMs(percentile(sorted, 50)),
              formatMs(percentile(sorted, 99)),
              formatMs(sorted[sorted.length - 1] ?? Number.NaN),
              percentile(sorted, 99) <= 100 ? 'met (p99 ≤ 100 ms)' : 'not met (p99 ≤ 100 ms)',
            ],
          ],
        ),
        '',
        'Lag is measured from the moment a receipt command returns (its append committed) to the moment the',
        "tenant's read schema checkpoint (polled every ~1 ms) has passed the command's position, after a warm-up of",
        `${formatCount(rate * 2)} receipts at the same rate that is not counted (it folds every article into the cache; the first`,
        'batches of a cold process lag up to ~400 ms). The daemon runs in the same process, as in the service: it is',
        'woken in-process on each append and applies what arrived while it wrote the previous batch, rows and',
        'checkpoint in one transaction that commits without waiting for the WAL flush (a read schema is rebuilt from',
        'the events; atomicity is kept, only the last few hundred ms of projection commits can be lost in a crash,',
        'and they are applied again from the checkpoint).',
        'What limits it: the commit of every append (fsync) and the two cores shared by the commands, the projector and',
        'PostgreSQL. The rare spikes are WAL flushes of the virtual disk: sampled pg_stat_activity showed every',
        'in-flight append waiting ~200 ms on LWLock:WALWrite at once.',
        '',
        newTenants,
      ].join('\n');
      return { markdown };
    } finally {
      await daemon.stop();
      await store.close();
      await otherStore.close();
    }
  },
};
