/**
 * What limits each event-store figure, in prose stated with the run's own numbers, so that the
 * explanation cannot drift from the measurement.
 */
import { formatCount, formatMs, formatRatio } from '../markdown.js';
import { formatWaits } from '../wait-events.js';
import type { AppendMeasurement } from './appends.js';
import {
  coresBusy,
  cpuPerAppend,
  formatCores,
  p50,
  readRate,
  targets,
  throughput,
  transactionsPerAppend,
  waitOf,
  walPerAppend,
  type EventStoreResults,
} from './figures.js';
import type { ReadMeasurement } from './tenant-read.js';

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
    if (storeC16.transactionIds !== undefined && storeC16.transactionIds / storeC16.load.operations > 1.02) {
      text +=
        ` The store commits ${transactionsPerAppend(storeC16)} transactions per append against ` +
        `${transactionsPerAppend(direct)}: each NOTIFY it sends after commit is a transaction of its own, which gets a ` +
        `transaction id, takes the NOTIFY lock and waits for its own commit flush.`;
    }
  }
  return text;
}

export function appendLimits(results: EventStoreResults): string {
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

/** Which side of a read was busy nearly all the time, from the CPU it used during its best pass. */
function saturation(m: ReadMeasurement): string {
  const { nodeMs, serverMs, wallMs } = m.bestCpu;
  if (serverMs === undefined) return '';
  const node = nodeMs / wallMs;
  const server = serverMs / wallMs;
  const verdict =
    node >= 0.85 && server >= 0.85
      ? 'both are busy nearly all the time, so the cores are the limit: less CPU per event on either side is what would make it faster'
      : node >= 0.85
        ? 'Node is busy nearly all the time and is the limit'
        : server >= 0.85
          ? "the server's backend is busy nearly all the time and is the limit"
          : 'neither side is busy all the time: they partly wait for each other or for a core';
  return (
    ` During that pass Node used ${(nodeMs / 1000).toFixed(2)} s of CPU and PostgreSQL ${(serverMs / 1000).toFixed(2)} s ` +
    `in ${(wallMs / 1000).toFixed(2)} s: ${verdict}.`
  );
}

export function readLimits(results: EventStoreResults, plain: ReadMeasurement | undefined): string {
  const find = (label: string): ReadMeasurement | undefined => results.reads.find((m) => m.label.startsWith(label));
  const store = results.reads.find((m) => m.label === 'store.readTenant' && m.batchSize === plain?.batchSize);
  const asText = find('plain query paging, JSON left as text');
  const server = find('server only');
  if (!store || !plain || !asText || !server) return '';
  const seconds = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;
  const storeReads = results.reads.filter((m) => m.label === 'store.readTenant');
  const bestPage = storeReads.reduce((best, m) => (m.bestMs < best.bestMs ? m : best), store);
  const largest = storeReads.reduce((big, m) => ((m.batchSize ?? 0) > (big.batchSize ?? 0) ? m : big), store);
  const paragraphs = [
    `**Reading.** The store reads ${formatCount(store.events)} events in ${seconds(store.bestMs)} with pages of ` +
      `${formatCount(store.batchSize ?? 0)} (${formatRatio(store.bestMs / plain.bestMs)} the plain query's time); its ` +
      `best page size in this run is ${formatCount(bestPage.batchSize ?? 0)} (${formatCount(readRate(bestPage))} events/s). ` +
      `It fetches the next page while its caller works through the current one, so the server's work and Node's ` +
      `overlap on the two cores, where the plain query asks for the next page only after Node has decoded the ` +
      `previous one; the store's own work per event (the read guard, a RecordedEvent with a BigInt revision, the ` +
      `async generator) ${store.bestMs <= plain.bestMs ? 'is hidden by that overlap' : `costs ${seconds(store.bestMs - plain.bestMs)} more than the plain query in spite of it`}.` +
      saturation(store),
    `Where the CPU goes, per ${formatCount(store.events)} events: the server needs ${seconds(server.bestCpu.serverMs ?? server.bestMs)} ` +
      `to walk the rows in position order and run their output functions (the server-only pass; jsonb to text is ` +
      `part of it). In Node, the plain query takes ${seconds(plain.bestCpu.nodeMs)} of CPU and the same query with ` +
      `data and metadata left as text ${seconds(asText.bestCpu.nodeMs)}, so JSON.parse of the two JSON columns costs ` +
      `about ${seconds(plain.bestCpu.nodeMs - asText.bestCpu.nodeMs)}; the rest is the protocol and decoding the ` +
      `other columns.` +
      (largest !== bestPage && (largest.batchSize ?? 0) > (bestPage.batchSize ?? 0)
        ? ` Pages of ${formatCount(largest.batchSize ?? 0)} take more Node CPU than pages of ` +
          `${formatCount(bestPage.batchSize ?? 0)} (${seconds(largest.bestCpu.nodeMs)} against ${seconds(bestPage.bestCpu.nodeMs)}), not less.`
        : ''),
  ];
  return paragraphs.join('\n\n');
}
