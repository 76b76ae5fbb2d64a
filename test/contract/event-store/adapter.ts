/**
 * What an adapter's test file hands the event-store contract suite: a factory that opens the
 * adapter on fresh storage, and a description of what the adapter can do that not every adapter
 * can. Every test of the suite runs on every adapter, so the pass count is the same on each;
 * what holds for one store only (PostgreSQL's dense positions and its transactions held open,
 * KurrentDB's server checkpoints and lost answers) is tested in that adapter's own files.
 */
import type { EventStore } from '../../../src/eventstore/event-store.js';

/** What an adapter can do beyond the port, declared up front so that a missing hook fails the suite. */
export interface EventStoreCapabilities {
  /**
   * A second instance on the same storage stands for another process
   * ({@link OpenedEventStore.otherProcess}): live delivery is then measured across processes.
   */
  readonly otherProcess: boolean;
}

/** An adapter opened on storage of its own by {@link EventStoreAdapter.open}. */
export interface OpenedEventStore {
  readonly store: EventStore;
  /** Required with `capabilities.otherProcess`: it learns of appends only through the storage. */
  readonly otherProcess?: EventStore;
  /** Closes the stores and drops the storage. */
  cleanup(): Promise<void>;
}

/** One adapter under the contract. */
export interface EventStoreAdapter {
  /** Shown in the suite's name, e.g. `PostgreSQL`. */
  readonly name: string;
  readonly capabilities: EventStoreCapabilities;
  /** Opens the adapter on fresh storage; called once for the suite and again by tests that need their own instance. */
  open(): Promise<OpenedEventStore>;
}

/**
 * The adapter as the requirement modules see it. Their `describe` bodies run before the suite's
 * beforeAll opens the adapter, so the store is read inside tests only, through these getters.
 */
export class ContractSubject {
  private current: OpenedEventStore | undefined;

  constructor(readonly adapter: EventStoreAdapter) {}

  /** Opens the adapter for the suite and checks that it gives every hook its capabilities promise. */
  async open(): Promise<void> {
    const opened = await this.adapter.open();
    this.current = opened;
    const { capabilities, name } = this.adapter;
    if (capabilities.otherProcess && !opened.otherProcess) throw new Error(`${name} declares otherProcess but gives none`);
  }

  async cleanup(): Promise<void> {
    await this.current?.cleanup();
    this.current = undefined;
  }

  get opened(): OpenedEventStore {
    if (!this.current) throw new Error('the contract suite has not opened the adapter (read it inside a test)');
    return this.current;
  }

  get store(): EventStore {
    return this.opened.store;
  }

  /** The second instance standing for another process, where the adapter has one. */
  get otherProcess(): EventStore | undefined {
    return this.opened.otherProcess;
  }
}
