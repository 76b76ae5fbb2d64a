/**
 * The event-store benchmark's results and the figures derived from them (rates, percentiles, CPU
 * and WAL per append), shared by the tables (report.ts) and the explanations (limits.ts).
 */
import { formatCount } from '../markdown.js';
import { percentile, perSecond } from '../measure.js';
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
export const targets = { appendsC16: 4000, rawC16: 7000, readEventsPerSecond: 200_000 } as const;

/** Operations per second of a measurement. */
export const throughput = (m: AppendMeasurement): number => perSecond(m.load.operations, m.load.elapsedMs);
/** Median latency, ms. */
export const p50 = (m: AppendMeasurement): number => percentile(m.load.latenciesMs, 50);
/** 99th-percentile latency, ms. */
export const p99 = (m: AppendMeasurement): number => percentile(m.load.latenciesMs, 99);
/** Events per second of a read's best pass. */
export const readRate = (m: ReadMeasurement): number => perSecond(m.events, m.bestMs);
/** `met (target ≥ 4,000/s)` or `not met (...)`. */
export const verdict = (value: number, target: number): string => `${value >= target ? 'met' : 'not met'} (target ≥ ${formatCount(target)}/s)`;

/** WAL bytes per operation, formatted; `n/a` when not sampled. */
export const walPerAppend = (m: AppendMeasurement): string =>
  m.walBytes === undefined ? 'n/a' : formatCount(m.walBytes / m.load.operations);

/** Transaction ids assigned per operation, formatted; `n/a` when not sampled. */
export const transactionsPerAppend = (m: AppendMeasurement): string =>
  m.transactionIds === undefined ? 'n/a' : (m.transactionIds / m.load.operations).toFixed(2);

/** `ms` of CPU as µs per operation of `m`, formatted. */
export const microsPerAppend = (ms: number | undefined, m: AppendMeasurement): string =>
  ms === undefined ? 'n/a' : formatCount((ms * 1000) / m.load.operations);

/** CPU per append as `Node + PostgreSQL` µs, e.g. `150 + 380`. */
export function cpuPerAppend(m: AppendMeasurement): string {
  return m.cpu ? `${microsPerAppend(m.cpu.nodeMs, m)} + ${microsPerAppend(m.cpu.serverMs, m)}` : 'n/a';
}

/** CPU per event as `Node + PostgreSQL` µs, for batch appends. */
export function cpuPerEvent(m: AppendMeasurement): string {
  if (!m.cpu) return 'n/a';
  const events = m.load.operations * m.eventsPerOperation;
  const micros = (ms: number | undefined): string => (ms === undefined ? 'n/a' : ((ms * 1000) / events).toFixed(0));
  return `${micros(m.cpu.nodeMs)} + ${micros(m.cpu.serverMs)}`;
}

/** Cores kept busy by Node and PostgreSQL together, on average over the measurement. */
export function coresBusy(m: AppendMeasurement): number | undefined {
  if (!m.cpu || m.cpu.serverMs === undefined) return undefined;
  return (m.cpu.nodeMs + m.cpu.serverMs) / m.cpu.wallMs;
}

/** Cores kept busy by other processes of the machine during the measurement. */
export function othersBusy(m: AppendMeasurement): number | undefined {
  const ours = coresBusy(m);
  if (ours === undefined || m.cpu?.machineMs === undefined) return undefined;
  return Math.max(0, m.cpu.machineMs / m.cpu.wallMs - ours);
}

/** `1.62 (+0.30 others)`: cores busy with this benchmark, and with anything else on the machine. */
export const formatCores = (m: AppendMeasurement): string => {
  const busy = coresBusy(m);
  const others = othersBusy(m);
  if (busy === undefined) return 'n/a';
  return others === undefined ? busy.toFixed(2) : `${busy.toFixed(2)} (+${others.toFixed(2)} others)`;
};

/** Average number of operations in flight found in `wait` (0 when never seen). */
export function waitOf(m: AppendMeasurement, wait: string): number {
  return m.waits?.find((share) => share.wait === wait)?.backends ?? 0;
}
