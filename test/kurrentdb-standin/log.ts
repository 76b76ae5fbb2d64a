import { randomUUID } from 'node:crypto';

/**
 * The stand-in's in-memory transaction log: one ordered list of records ($all) plus an index by
 * stream. It models only what a client can observe through the gRPC API (revisions, commit /
 * prepare positions, idempotence, atomic multi-stream writes), never the on-disk format.
 *
 * Behaviour modelled on KurrentDB (https://github.com/kurrent-io/KurrentDB):
 * - positions are byte offsets in the transaction file, so they are sparse and grow by the size
 *   of each record (docs: https://docs.kurrent.io/server/latest/features/streams.html "$all" and
 *   src/KurrentDB.Core/TransactionLog/LogRecords/PrepareLogRecord.cs);
 * - the events of one write form one implicit transaction: they share its commit position (the
 *   position of its first record) and each keeps its own prepare position, so $all is ordered by
 *   (commit, prepare);
 * - idempotence (src/KurrentDB.Core/Services/Storage/ReaderIndex/IndexWriter.cs, CheckCommit):
 *   with an exact expected revision the ids are compared with the events already stored after
 *   that revision; with `any` / `stream_exists` only the bounded cache of recently committed
 *   events (`_committedEvents`, limited by ESConsts.CommittedEventsMemCacheLimit; here a window
 *   of `idempotenceWindow` ids) is consulted, so an old id written again with `any` is stored twice.
 */

/** One event as stored; `created` is in .NET ticks (100 ns) since the Unix epoch, as on the wire. */
export interface StoredEvent {
  readonly streamId: string;
  readonly revision: bigint;
  readonly eventId: string;
  readonly type: string;
  readonly contentType: string;
  readonly data: Uint8Array;
  readonly metadata: Uint8Array;
  readonly created: bigint;
  readonly commit: bigint;
  readonly prepare: bigint;
}

/** An event proposed by a client; the log gives it a revision and a position. */
export interface ProposedEvent {
  readonly eventId: string;
  readonly type: string;
  readonly contentType: string;
  readonly data: Uint8Array;
  readonly metadata: Uint8Array;
}

/** Expected stream state, as KurrentDB encodes it internally: -2 any, -1 no stream, -4 exists. */
export type ExpectedRevision = { kind: 'any' } | { kind: 'no_stream' } | { kind: 'stream_exists' } | { kind: 'exact'; revision: bigint };

/** One stream's part of a (possibly multi-stream) write. */
export interface StreamWrite {
  readonly streamId: string;
  readonly expected: ExpectedRevision;
  readonly events: readonly ProposedEvent[];
}

/** A stream whose expected revision did not hold; `current` is -1n when the stream does not exist. */
export interface RevisionConflict {
  readonly streamId: string;
  readonly expected: ExpectedRevision;
  readonly current: bigint;
}

/** Outcome of a write: every stream's last revision and the transaction's position, or the conflicts. */
export type WriteResult =
  | { ok: true; streams: { streamId: string; lastRevision: bigint }[]; commit: bigint; prepare: bigint }
  | { ok: false; conflicts: RevisionConflict[] };

/** Log settings: how many recent event ids the idempotence cache keeps, how often $stats appear. */
export interface LogOptions {
  readonly idempotenceWindow?: number;
  readonly statsEvery?: number;
  readonly statsStream?: string;
}

const RECORD_HEADER_BYTES = 96n;
const TICKS_PER_MS = 10_000n;
const encoder = new TextEncoder();

/** The in-memory log; every write is applied synchronously, so writes are atomic by construction. */
export class TransactionLog {
  private readonly records: StoredEvent[] = [];
  private readonly streams = new Map<string, StoredEvent[]>();
  private readonly recentIds = new Map<string, { streamId: string; revision: bigint }>();
  private readonly listeners = new Set<(events: readonly StoredEvent[]) => void>();
  private readonly idempotenceWindow: number;
  private readonly statsEvery: number;
  private readonly statsStream: string;
  private nextPosition = 0n;
  private writesSinceStats = 0;

  constructor(options: LogOptions = {}) {
    this.idempotenceWindow = options.idempotenceWindow ?? 64;
    this.statsEvery = options.statsEvery ?? 5;
    this.statsStream = options.statsStream ?? '$stats-127.0.0.1:2113';
    // A fresh node's log starts with its chunk header and epoch record, then system streams
    // ($epoch-information, $settings with the default ACL; $stats-<ip:port> every stats period).
    this.nextPosition = 1_536n;
    this.writeSystem('$epoch-information', '$epoch-information', { epochNumber: 0, epochId: randomUUID() });
    this.writeSystem('$settings', '$settings', { $userStreamAcl: { $r: '$all', $w: '$all' }, $systemStreamAcl: { $r: '$admins' } });
    this.writeSystem(this.statsStream, '$statsCollected', { 'proc-id': process.pid });
  }

  /** Every stored event in log order. */
  all(): readonly StoredEvent[] {
    return this.records;
  }

  /**
   * Index in `all()` of the first record at or after `position` (`inclusive`), or strictly after
   * it; binary search, since the log is ordered by (commit, prepare).
   */
  indexOf(position: { commit: bigint; prepare: bigint }, inclusive: boolean): number {
    let low = 0;
    let high = this.records.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      const order = comparePositions(this.records[middle]!, position);
      if (order < 0 || (!inclusive && order === 0)) low = middle + 1;
      else high = middle;
    }
    return low;
  }

  /** The events of one stream in revision order, or undefined when the stream does not exist. */
  stream(streamId: string): readonly StoredEvent[] | undefined {
    return this.streams.get(streamId);
  }

  /** The position the next record will get; a subscription from "end" starts here. */
  head(): { commit: bigint; prepare: bigint } {
    const last = this.records[this.records.length - 1];
    return last ? { commit: last.commit, prepare: last.prepare } : { commit: 0n, prepare: 0n };
  }

  /** Calls `listener` with each committed batch; returns the function that stops it. */
  onCommit(listener: (events: readonly StoredEvent[]) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Checks every stream's expected revision, then writes all events as one transaction or none.
   * A write whose ids are already stored (see the idempotence rules above) succeeds without
   * storing anything again.
   */
  write(writes: readonly StreamWrite[]): WriteResult {
    const conflicts: RevisionConflict[] = [];
    const idempotent: { streamId: string; lastRevision: bigint; last: StoredEvent }[] = [];
    const toWrite: StreamWrite[] = [];
    for (const w of writes) {
      const current = this.currentRevision(w.streamId);
      const replay = this.idempotentReplay(w, current);
      if (replay === 'conflict') {
        conflicts.push({ streamId: w.streamId, expected: w.expected, current });
      } else if (replay) {
        idempotent.push({ streamId: w.streamId, lastRevision: replay.revision, last: replay });
      } else if (!expectationHolds(w.expected, current)) {
        conflicts.push({ streamId: w.streamId, expected: w.expected, current });
      } else {
        toWrite.push(w);
      }
    }
    if (conflicts.length > 0) return { ok: false, conflicts };
    if (toWrite.length === 0) {
      const last = idempotent[idempotent.length - 1]!.last;
      return { ok: true, streams: idempotent.map(({ streamId, lastRevision }) => ({ streamId, lastRevision })), commit: last.commit, prepare: last.prepare };
    }
    const stored = this.append(toWrite);
    const lastOf = new Map(stored.map((e) => [e.streamId, e.revision]));
    const last = stored[stored.length - 1]!;
    const streams = writes.map((w) => ({ streamId: w.streamId, lastRevision: lastOf.get(w.streamId) ?? idempotent.find((i) => i.streamId === w.streamId)!.lastRevision }));
    this.maybeWriteStats();
    return { ok: true, streams, commit: last.commit, prepare: last.prepare };
  }

  private currentRevision(streamId: string): bigint {
    const events = this.streams.get(streamId);
    return events ? BigInt(events.length - 1) : -1n;
  }

  /**
   * The stored event that makes this write a replay, 'conflict' for a partial replay (KurrentDB's
   * CorruptedIdempotency, reported as a wrong expected version), or undefined for a new write.
   * IndexWriter.CheckCommit: with `any` / `stream_exists` every id must be in the bounded cache of
   * committed events (for this stream) — a first id missing from it makes the write new; with an
   * exact revision or `no_stream` below the current revision the ids are compared with the stored
   * events after the expected revision, however old.
   */
  private idempotentReplay(w: StreamWrite, current: bigint): StoredEvent | 'conflict' | undefined {
    if (w.events.length === 0) return undefined;
    const stored = this.streams.get(w.streamId) ?? [];
    if (w.expected.kind === 'any' || w.expected.kind === 'stream_exists') {
      const cached = w.events.map((e) => this.recentIds.get(e.eventId));
      if (cached[0]?.streamId !== w.streamId) return undefined;
      if (cached.some((c) => c?.streamId !== w.streamId)) return 'conflict';
      return stored[Number(cached[cached.length - 1]!.revision)];
    }
    const expected = w.expected.kind === 'exact' ? w.expected.revision : -1n;
    if (expected >= current) return undefined;
    const from = Number(expected + 1n);
    const matches = w.events.every((e, i) => stored[from + i]?.eventId === e.eventId);
    return matches ? stored[from + w.events.length - 1] : 'conflict';
  }

  private append(writes: readonly StreamWrite[]): StoredEvent[] {
    const commit = this.nextPosition;
    const created = BigInt(Date.now()) * TICKS_PER_MS;
    const stored: StoredEvent[] = [];
    for (const w of writes) {
      let events = this.streams.get(w.streamId);
      if (!events) {
        events = [];
        this.streams.set(w.streamId, events);
      }
      for (const p of w.events) {
        const prepare = this.nextPosition;
        const size = RECORD_HEADER_BYTES + BigInt(encoder.encode(w.streamId).length + encoder.encode(p.type).length + p.data.length + p.metadata.length);
        // Records are aligned like the chunk writer's, which keeps positions visibly sparse.
        this.nextPosition += (size + 7n) & ~7n;
        const event: StoredEvent = { streamId: w.streamId, revision: BigInt(events.length), ...p, created, commit, prepare };
        events.push(event);
        this.records.push(event);
        stored.push(event);
        this.remember(p.eventId, { streamId: w.streamId, revision: event.revision });
      }
    }
    for (const listener of this.listeners) listener(stored);
    return stored;
  }

  private remember(eventId: string, at: { streamId: string; revision: bigint }): void {
    this.recentIds.delete(eventId);
    this.recentIds.set(eventId, at);
    if (this.recentIds.size > this.idempotenceWindow) {
      const oldest = this.recentIds.keys().next().value;
      if (oldest !== undefined) this.recentIds.delete(oldest);
    }
  }

  private writeSystem(streamId: string, type: string, body: unknown): void {
    const data = encoder.encode(JSON.stringify(body));
    this.append([{ streamId, expected: { kind: 'any' }, events: [{ eventId: randomUUID(), type, contentType: 'application/json', data, metadata: new Uint8Array() }] }]);
  }

  /** The real node appends to $stats-<ip:port> every stats period; here every few client writes. */
  private maybeWriteStats(): void {
    if (this.statsEvery <= 0) return;
    this.writesSinceStats += 1;
    if (this.writesSinceStats < this.statsEvery) return;
    this.writesSinceStats = 0;
    this.writeSystem(this.statsStream, '$statsCollected', { 'proc-id': process.pid, 'sys-freeMem': 1 });
  }
}

/** Whether an expected revision holds for a stream whose last revision is `current` (-1n: none). */
export function expectationHolds(expected: ExpectedRevision, current: bigint): boolean {
  switch (expected.kind) {
    case 'any':
      return true;
    case 'no_stream':
      return current === -1n;
    case 'stream_exists':
      return current >= 0n;
    case 'exact':
      return current === expected.revision;
  }
}

/** Compares two $all positions in log order (commit first, then prepare). */
export function comparePositions(a: { commit: bigint; prepare: bigint }, b: { commit: bigint; prepare: bigint }): number {
  if (a.commit !== b.commit) return a.commit < b.commit ? -1 : 1;
  if (a.prepare !== b.prepare) return a.prepare < b.prepare ? -1 : 1;
  return 0;
}
