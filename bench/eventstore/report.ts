/**
 * The event-store benchmark's section of RESULTS.md: the tables, and what limits each figure,
 * stated with this run's own numbers so that the explanation cannot drift from the measurement.
 */
import { formatCount, formatMs, formatRatio, markdownTable } from '../markdown.js';
import { percentile, perSecond } from '../measure.js';
import { formatWaits } from '../wait-events.js';
import type { AppendMeasurement } from './appends.js';
import type { ReadMeasurement, TenantLoad } from './tenant-read.js';

/** Everything the event-store benchmark measured. */
export interface EventStoreResults {
  readonly single: {
    readonly storeC1: AppendMeasurement;
    readonly rawC1: AppendMeasurement;
    readonly storeC16: AppendMeasurement;
    readonly rawC16: AppendMeasurement;
  };
  /** Variants of the concurrency-16 single append that show what limits it. */
  readonly diagnostics: readonly AppendMeasurement[];
  readonly batches: readonly AppendMeasurement[];
  readonly load: TenantLoad & { readonly elapsedMs: number };
  readonly reads: readonly ReadMeasurement[];
  /** Bytes of JSON (data + metadata) of one benchmark event. */
  readonly eventJsonBytes: number;
  /** The machine's cores, which Node and PostgreSQL share. */
  readonly cores: number;
}

/** Targets on a 2-core machine. */
const targets = { appendsC16: 4000, rawC16: 7000, readEventsPerSecond: 200_000 } as const;

const throughput = (m: AppendMeasurement): number => perSecond(m.load.operations, m.load.elapsedMs);
const p50 = (m: AppendMeasurement): number => percentile(m.load.latenciesMs, 50);
const p99 = (m: AppendMeasurement): number => percentile(m.load.latenciesMs, 99);
const readRate = (m: ReadMeasurement): number => perSecond(m.events, m.bestMs);
const verdict = (value: number, target: number): string => `${value >= target ? 'met' : 'not met'} (target ≥ ${formatCount(target)}/s)`;

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

const walPerAppend = (m: AppendMeasurement): string =>
  m.walBytes === undefined ? 'n/a' : formatCount(m.walBytes / m.load.operations);

const microsPerAppend = (ms: number | undefined, m: AppendMeasurement): string =>
  ms === undefined ? 'n/a' : formatCount((ms * 1000) / m.load.operations);

/** CPU per append as `Node + PostgreSQL` µs, e.g. `150 + 380`. */
export function cpuPerAppend(m: AppendMeasurement): string {
  return m.cpu ? `${microsPerAppend(m.cpu.nodeMs, m)} + ${microsPerAppend(m.cpu.serverMs, m)}` : 'n/a';
}

/** CPU per event as `Node + PostgreSQL` µs, for batch appends. */
function cpuPerEvent(m: AppendMeasurement): string {
  if (!m.cpu) return 'n/a';
  const events = m.load.operations * m.eventsPerOperation;
  const micros = (ms: number | undefined): string => (ms === undefined ? 'n/a' : ((ms * 1000) / events).toFixed(0));
  return `${micros(m.cpu.nodeMs)} + ${micros(m.cpu.serverMs)}`;
}

/** Cores kept busy by Node and PostgreSQL together, on average over the measurement. */
function coresBusy(m: AppendMeasurement): number | undefined {
  if (!m.cpu || m.cpu.serverMs === undefined) return undefined;
  return (m.cpu.nodeMs + m.cpu.serverMs) / m.cpu.wallMs;
}

/** Cores kept busy by other processes of the machine during the measurement. */
function othersBusy(m: AppendMeasurement): number | undefined {
  const ours = coresBusy(m);
  if (ours === undefined || m.cpu?.machineMs === undefined) return undefined;
  return Math.max(0, m.cpu.machineMs / m.cpu.wallMs - ours);
}

/** `1.62 (+0.30 others)`: cores busy with this benchmark, and with anything else on the machine. */
const formatCores = (m: AppendMeasurement): string => {
  const busy = coresBusy(m);
  const others = othersBusy(m);
  if (busy === undefined) return 'n/a';
  return others === undefined ? busy.toFixed(2) : `${busy.toFixed(2)} (+${others.toFixed(2)} others)`;
};

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
    ['Reader', 'Page size', 'Best pass s', 'Events/s', 'Passes s', 'Time vs plain paging', 'Target'],
    results.reads.map((m) => [
      m.label,
      m.batchSize === undefined ? '-' : formatCount(m.batchSize),
      (m.bestMs / 1000).toFixed(2),
      formatCount(readRate(m)),
      m.passesMs.map((ms) => (ms / 1000).toFixed(2)).join(', '),
      plain ? formatRatio(m.bestMs / plain.bestMs) : 'n/a',
      m.label === 'store.readTenant' ? verdict(readRate(m), targets.readEventsPerSecond) : '',
    ]),
  );
}

function waitOf(m: AppendMeasurement, wait: string): number {
  return m.waits?.find((share) => share.wait === wait)?.backends ?? 0;
}

function cpuSentence(results: EventStoreResults): string {
  const { storeC16, rawC16 } = results.single;
  const storeBusy = coresBusy(storeC16);
  const rawBusy = coresBusy(rawC16);
  if (!storeC16.cpu || storeC16.cpu.serverMs === undefined || storeBusy === undefined || rawBusy === undefined) return '';
  const storeCpuUs = ((storeC16.cpu.nodeMs + storeC16.cpu.serverMs) * 1000) / storeC16.load.operations;
  return (
    ` Each store append costs ${cpuPerAppend(storeC16)} µs of CPU (Node + PostgreSQL) against ${cpuPerAppend(rawC16)} µs ` +
    `for the plain INSERT, and the two sides together kept ${formatCores(storeC16)} of the ${results.cores} cores busy ` +
    `(plain INSERT: ${formatCores(rawC16)}); at that cost ${results.cores} cores to themselves would allow at most ` +
    `about ${formatCount((results.cores * 1e6) / storeCpuUs)} appends/s.`
  );
}

function concurrency16Limits(results: EventStoreResults): string {
  const { storeC1, rawC1, storeC16, rawC16 } = results.single;
  const direct = results.diagnostics.find((m) => m.label.startsWith('es_append() called directly'));
  const asyncCommit = results.diagnostics.find((m) => m.label.includes('synchronous_commit off'));
  let text =
    `**Single appends, concurrency 16.** With 16 writers PostgreSQL can flush the commits of many waiting ` +
    `transactions at once (group commit): a plain INSERT scales ${(throughput(rawC16) / throughput(rawC1)).toFixed(1)}× ` +
    `from concurrency 1 to 16, the store ${(throughput(storeC16) / throughput(storeC1)).toFixed(1)}×, and the store ` +
    `reaches ${formatRatio(throughput(storeC16) / throughput(rawC16))} of the plain INSERT's rate (the targets' ratio ` +
    `is ${formatRatio(targets.appendsC16 / targets.rawC16)}). Of the 16 appends in flight, on average: store ` +
    `${formatWaits(storeC16.waits ?? [])}; plain INSERT ${formatWaits(rawC16.waits ?? [])} (legend below).` +
    cpuSentence(results) +
    ` The store also writes ${walPerAppend(storeC16)} bytes of WAL per append against ${walPerAppend(rawC16)}: ` +
    `es_append() updates the stream's es_streams row as well and maintains one more unique index.`;
  if (waitOf(storeC16, 'Lock:object') >= 1) {
    text +=
      ` \`Lock:object\` is the lock NOTIFY takes at commit and holds until the commit is flushed: transactions ` +
      `that notify commit one at a time and no group commit forms.`;
  }
  if (asyncCommit) {
    const gain = throughput(asyncCommit) / throughput(storeC16);
    text +=
      ` With synchronous_commit off (no commit waits for its flush; not acceptable for an event store) the store ` +
      `reaches ${formatCount(throughput(asyncCommit))}/s, ${formatRatio(gain)} its durable rate: ` +
      (gain < 1.15
        ? `waiting for flushes is not what limits it here.`
        : `about ${Math.round((1 - 1 / gain) * 100)}% of its time goes to waiting for flushes.`);
  }
  if (direct) {
    text +=
      ` es_append() called directly, without the store's client-side work and its NOTIFY after commit, reaches ` +
      `${formatCount(throughput(direct))}/s (${formatRatio(throughput(direct) / throughput(storeC16))} the store's rate) ` +
      `at ${cpuPerAppend(direct)} µs of CPU per append.`;
  }
  return text;
}

function appendLimits(results: EventStoreResults): string {
  const { storeC1, rawC1 } = results.single;
  const bestBatch = results.batches.reduce<AppendMeasurement | undefined>(
    (best, m) => (!best || throughput(m) > throughput(best) ? m : best),
    undefined,
  );
  const paragraphs = [
    `**Single appends, concurrency 1.** Each append is its own transaction and waits for its commit record to be ` +
      `flushed (fsync on): the store takes ${formatMs(p50(storeC1))} ms (p50), a plain INSERT of the same row ` +
      `${formatMs(p50(rawC1))} ms. The difference is es_append()'s extra work: a duplicate-id lookup, the upsert ` +
      `of the stream's es_streams row (a second row written per append), a position lookup, a second unique index ` +
      `(stream, revision), and the NOTIFY the store sends after commit.`,
    concurrency16Limits(results),
    `Wait events: \`LWLock:WALWrite\`: waiting while another backend writes and flushes WAL (a group commit ` +
      `in progress); \`IO:WalSync\`: flushing WAL to disk; \`Lock:object\`: the lock NOTIFY takes at commit ` +
      `(AccessExclusiveLock on object 0 of pg_database); \`Lock:transactionid\`: waiting for another transaction's ` +
      `row lock (two appends to one stream); \`Client:ClientRead\`: in a statement, waiting for the rest of it from ` +
      `Node; \`CPU\`: running a statement; *not on the server*: the 16 appends in flight minus those a backend was ` +
      `running, i.e. in Node or on the wire (with two cores, Node competes with the server for CPU).`,
  ];
  if (bestBatch) {
    paragraphs.push(
      `**Batch appends.** A 100-event append pays for one commit (and one NOTIFY) instead of 100, so it is bound by ` +
        `the work per row rather than by flushes: ${formatCount(throughput(bestBatch) * bestBatch.eventsPerOperation)} ` +
        `events/s at best (${results.eventJsonBytes} bytes of JSON per event): JSON serialisation into a text array in ` +
        `Node, jsonb parsing and four index insertions per event on the server (primary key, event id, stream and ` +
        `revision, tenant and position), and the WAL volume.`,
    );
  }
  return paragraphs.join('\n\n');
}

function readLimits(results: EventStoreResults, plain: ReadMeasurement | undefined): string {
  const find = (label: string): ReadMeasurement | undefined => results.reads.find((m) => m.label.startsWith(label));
  const store = results.reads.find((m) => m.label === 'store.readTenant' && m.batchSize === plain?.batchSize);
  const asText = find('plain query paging, JSON left as text');
  const server = find('server only');
  if (!store || !plain || !asText || !server) return '';
  const seconds = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;
  const storeReads = results.reads.filter((m) => m.label === 'store.readTenant');
  const bestPage = storeReads.reduce((best, m) => (m.bestMs < best.bestMs ? m : best), store);
  const nodeMs = plain.bestMs - server.bestMs;
  return (
    `**Reading.** The store reads ${formatCount(store.events)} events in ${seconds(store.bestMs)} with pages of ` +
    `${formatCount(store.batchSize ?? 0)} (${formatRatio(store.bestMs / plain.bestMs)} the plain query's time); its ` +
    `best page size in this run is ${formatCount(bestPage.batchSize ?? 0)} (${formatCount(readRate(bestPage))} events/s). ` +
    `The server alone needs ${seconds(server.bestMs)} to walk the rows in position order and run their output ` +
    `functions. The plain query, which asks for the next page only after Node ` +
    `has decoded the previous one, needs ${seconds(plain.bestMs)}, so Node's part (protocol, JSON.parse, ` +
    `timestamptz to Date) is about ${seconds(nodeMs)}, of which JSON.parse of data and metadata is about ` +
    `${seconds(plain.bestMs - asText.bestMs)}. The store fetches the next page while its caller works through the ` +
    `current one, so on two cores the server's work and Node's overlap and its time approaches the larger of the ` +
    `two (${seconds(Math.max(server.bestMs, nodeMs))}) rather than their sum; whichever is larger is what limits it. ` +
    (store.bestMs <= plain.bestMs
      ? `Its own work per event (the read guard, a RecordedEvent with a BigInt revision, the async generator) is ` +
        `hidden by that overlap.`
      : `Its own work per event (the read guard, a RecordedEvent with a BigInt revision, the async generator) costs ` +
        `at least ${seconds(store.bestMs - plain.bestMs)} more than the plain query in spite of the overlap.`)
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
      `processes, from /proc); WAL bytes are the server's whole WAL during the run; both are divided by the appends.`,
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
