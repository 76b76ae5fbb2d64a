import type { Decider } from '../domain/decider.js';
import type { EventStore } from '../eventstore/event-store.js';
import { decodeEvent, type DomainEvent } from '../events/codec.js';
import { KeyedLock } from './keyed-lock.js';

/** A stream's folded state and the revision it was folded up to (undefined: no events yet). */
export interface Loaded<State> {
  readonly state: State;
  readonly revision: bigint | undefined;
  /** Whether this load read the store (false: the cached state was young enough to use as it was). */
  readonly fresh: boolean;
}

interface Entry {
  state: unknown;
  revision: bigint | undefined;
  /** When the state was last known current (read forward, or updated by our own append), ms. */
  checkedAt: number;
}

/**
 * Folded states of recently used streams, kept in memory (least recently used ones dropped past
 * `capacity`). A load reads only the events after the cached revision, so deciding on an article
 * with 100,000 movements costs what it costs for one with 10. With `maxAgeMs`, a state checked
 * that recently is used without reading at all: command handlers do that optimistically (the
 * append's expected revision still catches anything another process wrote meanwhile, and a
 * refusal is only given after a fresh read).
 *
 * We cache instead of writing snapshots: nothing to migrate when a state's shape changes (a new
 * process starts empty), and other processes' appends are still seen because loads read forward
 * from the cached revision. The price is one full fold per stream per process.
 */
export class AggregateCache {
  private readonly entries = new Map<string, Entry>();
  // Two loads of one stream at once would fold the same new events twice into one state.
  private readonly loading = new KeyedLock();

  constructor(
    private readonly store: EventStore,
    private readonly capacity = 10_000,
  ) {}

  /**
   * The stream's state, folded with `decider` from the cached state onwards; a cached state
   * checked less than `maxAgeMs` ago is returned without reading (0: always read forward).
   */
  async load<E extends DomainEvent, State>(
    stream: string,
    decider: Pick<Decider<never, E, State>, 'evolve' | 'initialState'>,
    maxAgeMs = 0,
  ): Promise<Loaded<State>> {
    const cached = this.entries.get(stream);
    if (cached && Date.now() - cached.checkedAt < maxAgeMs) {
      this.touch(stream, cached);
      return { state: cached.state as State, revision: cached.revision, fresh: false };
    }
    return await this.loading.run([stream], async () => await this.readForward(stream, decider));
  }

  private async readForward<E extends DomainEvent, State>(stream: string, decider: Pick<Decider<never, E, State>, 'evolve' | 'initialState'>): Promise<Loaded<State>> {
    const entry = this.entries.get(stream) ?? { state: decider.initialState(), revision: undefined, checkedAt: 0 };
    this.touch(stream, entry);
    const checkedAt = Date.now();
    const from = entry.revision === undefined ? 0n : entry.revision + 1n;
    for await (const recorded of this.store.readStream(stream, { from })) {
      entry.state = decider.evolve(entry.state as State, decodeEvent<E>(recorded));
      entry.revision = recorded.revision;
    }
    entry.checkedAt = checkedAt;
    return { state: entry.state as State, revision: entry.revision, fresh: true };
  }

  /** Marks an entry most recently used. */
  private touch(stream: string, entry: Entry): void {
    this.entries.delete(stream);
    this.entries.set(stream, entry);
    this.evictBeyondCapacity();
  }

  /** Folds events just appended by this process into the cached state. */
  applyAppended<E extends DomainEvent, State>(stream: string, decider: Pick<Decider<never, E, State>, 'evolve'>, events: readonly E[], revision: bigint): void {
    const entry = this.entries.get(stream);
    if (!entry) return;
    const expectedBefore = revision - BigInt(events.length);
    if ((entry.revision ?? -1n) !== expectedBefore) {
      this.entries.delete(stream);
      return;
    }
    for (const event of events) entry.state = decider.evolve(entry.state as State, event);
    entry.revision = revision;
    entry.checkedAt = Date.now();
  }

  private evictBeyondCapacity(): void {
    while (this.entries.size > this.capacity) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) return;
      this.entries.delete(oldest);
    }
  }
}
