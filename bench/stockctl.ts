/**
 * The stockctl benchmark: the audit core (src/audit) on one large tenant, each figure against
 * the target of issue 13: export and verify seals >= 150,000 events/s, import >= 30,000 events/s,
 * replay of a 100,000-event article <= 1 s. Each step records the CPU of Node, of the local
 * PostgreSQL and of the whole machine, so a figure from a busy machine says so.
 */
import { mkdtemp, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { replayArticle } from '../src/audit/article-replay.js';
import { exportTenant } from '../src/audit/export.js';
import { importTenant } from '../src/audit/import.js';
import { seal, verifySeals } from '../src/audit/seals.js';
import { PostgresEventStore } from '../src/eventstore/postgres/postgres-event-store.js';
import { scaled, type BenchContext, type BenchReport, type Benchmark } from './benchmark.js';
import { measureCpu, type CpuUse } from './cpu-time.js';
import { formatCount, formatMs, markdownTable } from './markdown.js';
import { perSecond, timed } from './measure.js';
import { benchTenant } from './eventstore/stock-movement.js';
import { loadAuditTenant, replaySku, type AuditTenantLoad } from './stockctl/audit-tenant.js';
import { portOnly, readRawToDevNull, readThroughPort, without } from './stockctl/raw-read.js';
import { profiledStep } from './stockctl/step-profile.js';

/** One measured step. */
interface Step {
  readonly label: string;
  readonly events: number;
  readonly cpu: CpuUse;
  /** What the target asks: events/s at least, or ms at most. */
  readonly target: { readonly perSecond: number } | { readonly maxMs: number };
  readonly note?: string;
}

function row(step: Step): string[] {
  const rate = perSecond(step.events, step.cpu.wallMs);
  const met = 'perSecond' in step.target ? rate >= step.target.perSecond : step.cpu.wallMs <= step.target.maxMs;
  const target = 'perSecond' in step.target ? `>= ${formatCount(step.target.perSecond)}/s` : `<= ${formatMs(step.target.maxMs)} ms`;
  const cores = (ms: number | undefined): string => (ms === undefined ? 'n/a' : (ms / step.cpu.wallMs).toFixed(2));
  return [
    step.label,
    formatCount(step.events),
    formatMs(step.cpu.wallMs),
    formatCount(rate),
    target,
    met ? 'met' : 'not met',
    cores(step.cpu.nodeMs),
    cores(step.cpu.serverMs),
    cores(step.cpu.machineMs),
    step.cpu.nodeMs === 0 ? 'n/a' : formatCount(perSecond(step.events, step.cpu.nodeMs)),
    step.note ?? '',
  ];
}

/** Export, import, seal, verify seals and replay on one tenant. */
export const stockctlBenchmark: Benchmark = {
  name: 'stockctl',
  title: 'stockctl audit core (export, import, seals, replay)',
  run: async (context: BenchContext): Promise<BenchReport> => {
    const { progress, db } = context;
    const store = new PostgresEventStore(db, context.logger);
    const folder = await mkdtemp(path.join(os.tmpdir(), 'stockctl-bench-'));
    const steps: Step[] = [];
    const measure = async <T>(label: string, events: number, target: Step['target'], work: () => Promise<T>, note?: (result: T) => string): Promise<T> => {
      const done = progress.phase(`stockctl: ${label}`);
      // BENCH_STOCKCTL_PROFILE=<folder>: one CPU profile per step (step-profile.ts).
      const profiled = (): Promise<T> => profiledStep(process.env.BENCH_STOCKCTL_PROFILE, steps.length + 1, label, work);
      const { result, cpu } = await measureCpu(context.serverPid, profiled);
      const step: Step = { label, events, cpu, target, ...(note ? { note: note(result) } : {}) };
      steps.push(step);
      done(`${formatCount(perSecond(events, cpu.wallMs))} events/s`);
      return result;
    };
    try {
      const load: AuditTenantLoad = {
        tenant: benchTenant('audit'),
        events: scaled(context, 1_000_000, 10_000),
        articles: 2000,
        replayEvents: scaled(context, 100_000, 1000),
        eventsPerAppend: 500,
      };
      const total = load.events + load.replayEvents;
      const loading = progress.phase(`stockctl: loading ${formatCount(total)} events (setup)`);
      const { elapsedMs } = await timed(() => loadAuditTenant(store, db, load, progress.percentage('stockctl: loading', total)));
      loading(`${formatCount(perSecond(total, elapsedMs))} events/s including VACUUM ANALYZE`);

      // Baselines of this run (raw-read.ts): a step's share of them says what it costs beyond reading.
      await measure('baseline: plain SQL read to /dev/null (jsonb as text)', total, { perSecond: 150_000 }, () => readRawToDevNull(db, load.tenant));
      await measure('baseline: read through the port, nothing done', total, { perSecond: 150_000 }, () => readThroughPort(store, load.tenant));
      const plain = path.join(folder, 'tenant.ndjson');
      const gzipped = path.join(folder, 'tenant.ndjson.gz');
      await measure('export to .ndjson (as stockctl exports: TenantJsonLines)', total, { perSecond: 150_000 }, () => exportTenant(store, load.tenant, plain));
      await measure('export to .ndjson through TenantTextReads (eventTextLine)', total, { perSecond: 150_000 }, () =>
        exportTenant(without(store, ['readTenantJsonLines']), load.tenant, path.join(folder, 'text.ndjson')),
      );
      await measure('export to .ndjson through the port alone (readTenant, eventLine)', total, { perSecond: 150_000 }, () => exportTenant(portOnly(store), load.tenant, path.join(folder, 'port.ndjson')));
      await measure('export to .ndjson.gz (gzip level 1)', total, { perSecond: 150_000 }, async () => {
        await exportTenant(store, load.tenant, gzipped);
        return `${formatCount((await stat(plain)).size / total)} bytes/event plain, ${formatCount((await stat(gzipped)).size / total)} gzipped`;
      }, (sizes) => sizes);
      await measure('import dry run (check only)', total, { perSecond: 30_000 }, () => importTenant(store, gzipped, { tenant: benchTenant('copy'), dryRun: true }));
      await measure(
        'import into a new tenant (check, then HistoryImport batches)',
        total,
        { perSecond: 30_000 },
        () => importTenant(store, gzipped, { tenant: benchTenant('copy') }),
        (result) => `${formatCount(result.appended)} appended`,
      );
      await measure(
        'import into a new tenant through the port alone (appendMany batches)',
        total,
        { perSecond: 30_000 },
        () => importTenant(portOnly(store), gzipped, { tenant: benchTenant('port') }),
        (result) => `${formatCount(result.appended)} appended`,
      );
      await measure('seal (chain every event, checkpoints of 10,000)', total, { perSecond: 150_000 }, () => seal(db, store, load.tenant));
      await measure('verify seals', total, { perSecond: 150_000 }, () => verifySeals(db, store, load.tenant), (result) => (result.ok ? 'ok' : 'FAILED'));
      await measure(`replay article ${replaySku} (${formatCount(load.replayEvents)} events)`, load.replayEvents, { maxMs: 1000 }, () =>
        replayArticle(store, load.tenant, replaySku, new Date('2100-01-01T00:00:00Z')),
      );
      const header = ['step', 'events', 'ms', 'events/s', 'target', 'met', 'Node cores', 'PostgreSQL cores', 'machine cores busy', 'events per Node CPU-s', 'note'];
      const markdown = [
        `Tenant: ${formatCount(load.events)} StockReceived events over ${formatCount(load.articles)} articles plus one article of ${formatCount(load.replayEvents)}, ` +
          `loaded ${load.eventsPerAppend} per append. "cores" is CPU time over wall time during the step; "machine" counts every process, ` +
          `this benchmark's and anyone else's, so a figure next to a high machine value was measured on a busy machine.`,
        '',
        markdownTable(header, steps.map(row)),
      ].join('\n');
      return { markdown };
    } finally {
      await rm(folder, { recursive: true, force: true });
      await store.close();
    }
  },
};
