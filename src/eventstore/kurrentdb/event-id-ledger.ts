/**
 * The event ids each stream holds, as far as this process has read it: what makes appends
 * idempotent beyond the server's own memory of recent ids.
 *
 * KurrentDB recognises a retried append only while its ids are in a bounded cache of recent
 * writes; a retry after that (a client that timed out and came back later, a command re-sent with
 * the same idempotency key the next day) would be stored a second time under 'any', or refused as
 * a conflict under an expected revision. The port promises that stored ids are never stored again
 * and that the retry is answered like the first time. So before writing, the adapter checks the
 * ids against the stream itself: this ledger holds each stream's ids with their revisions (and the
 * positions it knows) up to the revision it has read to, and catches up by reading the stream
 * forward from there. Appends to one stream are serialised in this process (one lock per
 * stream), so a check and its write cannot interleave with another of this process's appends.
 *
 * Memory is bounded: streams are kept least-recently-used first out, up to `capacity` ids in all;
 * a stream dropped is read from its start again at its next append.
 */
import type { Position, RecordedEvent } from '../event-store.js';

/** Where a stored id lies; the position is known for events read back and for the last of each append. */
export interface StoredEvent {
  readonly revision: bigint;
  readonly position: Position | undefined;
}

/** What the ledger knows of one stream. */
export interface StreamIds {
  /** The revision read to; undefined when the stream did not exist when last read. */
  revision: bigint | undefined;
  readonly ids: Map<string, StoredEvent>;
}

/** How the ids of an append relate to what the stream holds. */
export type IdsStored = { readonly kind: 'none' } | { readonly kind: 'some' } | { readonly kind: 'all'; readonly last: StoredEvent };

/** Reads a stream forward from a revision; nothing for a stream that does not exist. */
export type ReadStreamFrom = (stream: string, from: bigint) => AsyncIterable<RecordedEvent>;

/** The ids per stream, with a lock per stream; see the file comment for why. */
export class EventIdLedger {
  private readonly streams = new Map<string, StreamIds>();
  private readonly locks = new Map<string, Promise<void>>();
  /** The ids counted for each stream kept, and their sum. */
  private readonly counted = new Map<string, number>();
  private held = 0;

  constructor(
    private readonly readFrom: ReadStreamFrom,
    private readonly capacity = 200_000,
  ) {}

  /** Runs `work` holding the locks of `streams`, taken in name order so that two callers cannot deadlock. */
  async withStreams<T>(streams: readonly string[], work: () => Promise<T>): Promise<T> {
    const releases: Array<() => void> = [];
    try {
      for (const stream of [...new Set(streams)].sort()) releases.push(await this.lock(stream));
      return await work();
    } finally {
      for (const release of releases.reverse()) release();
    }
  }

  /** What the ledger knows of `stream` without reading; undefined when it has not read it. */
  known(stream: string): StreamIds | undefined {
    return this.streams.get(stream);
  }

  /** Reads what `stream` got since the ledger last read it (all of it the first time). Call with its lock held. */
  async catchUp(stream: string): Promise<StreamIds> {
    const entry = this.streams.get(stream) ?? { revision: undefined, ids: new Map<string, StoredEvent>() };
    const from = entry.revision === undefined ? 0n : entry.revision + 1n;
    for await (const event of this.readFrom(stream, from)) {
      entry.ids.set(event.id, { revision: event.revision, position: event.position });
      entry.revision = event.revision;
    }
    this.keep(stream, entry);
    return entry;
  }

  /** Which of `ids` the stream holds, as far as `entry` knows. */
  static stored(entry: StreamIds, ids: readonly string[]): IdsStored {
    const found = ids.map((id) => entry.ids.get(id));
    const last = found.at(-1);
    if (found.every((stored) => stored !== undefined) && last) return { kind: 'all', last };
    return found.some((stored) => stored !== undefined) ? { kind: 'some' } : { kind: 'none' };
  }

  /**
   * Takes note of an append this process made: its ids at the revisions up to `revision`, the last
   * at `position`. When the stream had moved on since the ledger read it (an 'any' append after
   * another process's), the gap is unknown, so the stream is dropped and read again next time.
   */
  appended(stream: string, ids: readonly string[], revision: bigint, position: Position | undefined): void {
    const entry = this.streams.get(stream);
    const firstRevision = revision - BigInt(ids.length) + 1n;
    const contiguous = entry !== undefined && (entry.revision === undefined ? firstRevision === 0n : entry.revision + 1n === firstRevision);
    if (!entry || !contiguous) {
      this.forget(stream);
      return;
    }
    ids.forEach((id, index) => entry.ids.set(id, { revision: firstRevision + BigInt(index), position: index === ids.length - 1 ? position : undefined }));
    entry.revision = revision;
    this.keep(stream, entry);
  }

  /** Drops what is known of `stream` (its next append reads it again). */
  forget(stream: string): void {
    this.held -= this.counted.get(stream) ?? 0;
    this.counted.delete(stream);
    this.streams.delete(stream);
  }

  /** Marks `stream` as most recently used and drops the least recently used ones beyond capacity. */
  private keep(stream: string, entry: StreamIds): void {
    this.held += entry.ids.size - (this.counted.get(stream) ?? 0);
    this.counted.set(stream, entry.ids.size);
    this.streams.delete(stream);
    this.streams.set(stream, entry);
    for (const [oldest] of this.streams) {
      if (this.held <= this.capacity || oldest === stream) break;
      this.forget(oldest);
    }
  }

  private async lock(stream: string): Promise<() => void> {
    const previous = this.locks.get(stream) ?? Promise.resolve();
    let release: () => void = () => undefined;
    const mine = new Promise<void>((resolve) => {
      release = resolve;
    });
    const tail = previous.then(() => mine);
    this.locks.set(stream, tail);
    await previous;
    return () => {
      release();
      if (this.locks.get(stream) === tail) this.locks.delete(stream);
    };
  }
}
