/**
 * The event-store benchmark's section of RESULTS.md: its tables, then what limits each figure
 * (limits.ts).
 */
import { formatCount, formatMs, formatRatio, markdownTable } from '../markdown.js';
import { perSecond } from '../measure.js';
import { formatWaits } from '../wait-events.js';
import type { AppendMeasurement } from './appends.js';
import {
  cpuPerAppend,
  cpuPerEvent,
  formatCores,
  p50,
  p99,
  readRate,
  targets,
  throughput,
  transactionsPerAppend,
  verdict,
  walPerAppend,
  type EventStoreResults,
} from './figures.js';
import { appendLimits, readLimits } from './limits.js';
import type { ReadMeasurement } from './tenant-read.js';

function singleAppendsTable(results: EventStoreResults): string {
  const { storeC1, rawC1, storeC16, rawC16 } = results.single;
  const row = (m: AppendMeasurement, target: string): string[] => [
    m.label,
    String(m.load.concurrency),
    formatCount(m.load.operations),
    formatCount(throughput(m)),
    formatMs(p50(m)),
    formatMs(p99(m)),
    target,
  ];
  return markdownTable(
    ['Writer', 'Concurrency', 'Appends', 'Appends/s', 'p50 ms', 'p99 ms', 'Target'],
    [
      row(storeC1, ''),
      row(rawC1, ''),
      row(storeC16, verdict(throughput(storeC16), targets.appendsC16)),
      row(rawC16, `reference ~${formatCount(targets.rawC16)}/s`),
    ],
  );
}

function diagnosticsTable(results: EventStoreResults): string {
  const store = results.single.storeC16;
  return markdownTable(
    [
      'Variant (concurrency 16)',
      'Appends/s',
      'p50 ms',
      'vs store.append',
      'CPU µs/append (Node + PostgreSQL)',
      `Cores busy (of ${results.cores})`,
      'WAL bytes/append',
      'Transactions/append',
      'Appends in flight by state (average of 16)',
    ],
    [store, results.single.rawC16, ...results.diagnostics].map((m) => [
      m.label,
      formatCount(throughput(m)),
      formatMs(p50(m)),
      formatRatio(throughput(m) / throughput(store)),
      cpuPerAppend(m),
      formatCores(m),
      walPerAppend(m),
      transactionsPerAppend(m),
      m.waits ? formatWaits(m.waits) : 'n/a',
    ]),
  );
}

function batchAppendsTable(results: EventStoreResults): string {
  return markdownTable(
    ['Writer', 'Concurrency', 'Batches', 'Batches/s', 'Events/s', 'p50 ms', 'p99 ms', 'CPU µs/event (Node + PostgreSQL)', `Cores busy (of ${results.cores})`, 'WAL bytes/event'],
    results.batches.map((m) => [
      m.label,
      String(m.load.concurrency),
      formatCount(m.load.operations),
      formatCount(throughput(m)),
      formatCount(throughput(m) * m.eventsPerOperation),
      formatMs(p50(m)),
      formatMs(p99(m)),
      cpuPerEvent(m),
      formatCores(m),
      m.walBytes === undefined ? 'n/a' : formatCount(m.walBytes / (m.load.operations * m.eventsPerOperation)),
    ]),
  );
}

function readsTable(results: EventStoreResults, plain: ReadMeasurement | undefined): string {
  return markdownTable(
    ['Reader', 'Page size', 'Best pass s', 'Events/s', 'Passes s', 'Time vs plain paging', 'CPU s (Node + PostgreSQL), best pass', 'Target'],
    results.reads.map((m) => [
      m.label,
      m.batchSize === undefined ? '-' : formatCount(m.batchSize),
      (m.bestMs / 1000).toFixed(2),
      formatCount(readRate(m)),
      m.passesMs.map((ms) => (ms / 1000).toFixed(2)).join(', '),
      plain ? formatRatio(m.bestMs / plain.bestMs) : 'n/a',
      `${(m.bestCpu.nodeMs / 1000).toFixed(2)} + ${m.bestCpu.serverMs === undefined ? 'n/a' : (m.bestCpu.serverMs / 1000).toFixed(2)}`,
      m.label === 'store.readTenant' ? verdict(readRate(m), targets.readEventsPerSecond) : '',
    ]),
  );
}

/** The markdown of the event-store section, below the runner's header. */
export function eventStoreMarkdown(results: EventStoreResults): string {
  const plain = results.reads.find((m) => m.label === 'plain query paging by position');
  const load = results.load;
  return [
    `Events are \`StockReceived\` with 6 data fields and 6 metadata fields (${results.eventJsonBytes} bytes of JSON). ` +
      `Single and batch appends go to a random one of ${formatCount(1000)} streams of one tenant with expectedRevision ` +
      `'any'; the pool has 20 connections; latencies are per call, percentiles nearest-rank.`,
    '### Single-event appends',
    singleAppendsTable(results),
    '### Diagnostics: what the concurrency-16 append waits for',
    `Not the product's code path. *es_append() called directly* runs the store's statement with the store's ` +
      `parameters but without its NOTIFY after commit; *synchronous_commit off* is the real store on connections ` +
      `whose commits do not wait for their WAL flush. CPU is this Node process's and the embedded server's (all its ` +
      `processes, from /proc); WAL bytes and transactions (ids assigned: every writing transaction, and every ` +
      `NOTIFY's, which needs one to commit) are the whole server's during the run; all are divided by the appends.`,
    diagnosticsTable(results),
    '### 100-event batch appends',
    batchAppendsTable(results),
    `### Reading a ${formatCount(load.events)}-event tenant`,
    `Setup (not measured): ${formatCount(load.events)} events in ${formatCount(load.streams)} streams, ` +
      `${formatCount(load.eventsPerAppend)} events per es_append call, ${load.concurrency} calls in flight: ` +
      `${(load.elapsedMs / 1000).toFixed(1)} s (${formatCount(perSecond(load.events, load.elapsedMs))} events/s), then ` +
      `VACUUM ANALYZE. Each reader reads every event of the tenant once per pass; readers take turns within a pass ` +
      `and the best pass counts.`,
    readsTable(results, plain),
    '### What limits it',
    appendLimits(results),
    readLimits(results, plain),
  ]
    .filter((block) => block.length > 0)
    .join('\n\n');
}
