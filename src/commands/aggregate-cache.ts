import type { Decider } from '../domain/decider.js';
import type { EventStore } from '../eventstore/event-store.js';
import { decodeEvent, type DomainEvent } from '../events/codec.js';
import { KeyedLock } from './keyed-lock.js';

/** A stream's folded state and the revision it was folded up to (undefined: no events yet). */
export interface Loaded<State> {
  readonly state: State;
  readonly revision: bigint | undefined;
}

interface Entry {
  state: unknown;
  revision: bigint | undefined;
}

/**
 * Folded states of recently used streams, kept in memory (least recently used ones dropped past
 * `capacity`). Loading a stream reads only the events after the cached revision, so deciding on
 * an article with 100,000 movements costs what it costs for one with 10: one read that usually
 * finds nothing new. After a restart, the first command on a stream folds it once.
 *
 * We cache instead of writing snapshots: nothing to migrate when a state's shape changes (a new
 * process starts empty), and other processes' appends are still seen because every load reads
 * forward from the cached revision. The price is one full fold per stream per process.
 */
export class AggregateCache {
  private readonly entries = new Map<string, Entry>();
  // Two loads of one stream at once would fold the same new events twice into one state.
  private readonly loading = new KeyedLock();

  constructor(
    private readonly store: EventStore,
    private readonly capacity = 10_000,
  ) {}

  /** The stream's current state, folded with `decider` from the cached state onwards. */
  async load<E extends DomainEvent, State>(stream: string, decider: Pick<Decider<never, E, State>, 'evolve' | 'initialState'>): Promise<Loaded<State>> {
    return await this.loading.run([stream], async () => await this.readForward(stream, decider));
  }

  private async readForward<E extends DomainEvent, State>(stream: string, decider: Pick<Decider<never, E, State>, 'evolve' | 'initialState'>): Promise<Loaded<State>> {
    let entry = this.entries.get(stream);
    if (entry) this.entries.delete(stream);
    entry ??= { state: decider.initialState(), revision: undefined };
    this.entries.set(stream, entry);
    this.evictBeyondCapacity();
    const from = entry.revision === undefined ? 0n : entry.revision + 1n;
    for await (const recorded of this.store.readStream(stream, { from })) {
      entry.state = decider.evolve(entry.state as State, decodeEvent<E>(recorded));
      entry.revision = recorded.revision;
    }
    return { state: entry.state as State, revision: entry.revision };
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
  }

  /** Forgets a stream, so the next load folds it from the start. */
  forget(stream: string): void {
    this.entries.delete(stream);
  }

  private evictBeyondCapacity(): void {
    while (this.entries.size > this.capacity) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) return;
      this.entries.delete(oldest);
    }
  }
}
