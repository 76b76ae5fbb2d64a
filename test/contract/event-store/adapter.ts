/**
 * What an adapter's test file hands the event-store contract suite: a factory that opens the
 * adapter on fresh storage, and a description of what the adapter can do that not every adapter
 * can. The suite checks each capability where it is declared and skips (visibly) where it is not.
 */
import type { EventStore, EventToAppend, Position } from '../../../src/eventstore/event-store.js';

/** A transaction an adapter holds open after its events took their positions. */
export interface HeldAppend {
  readonly position: Position;
  commit(): Promise<void>;
}

/** What an adapter can do beyond the port, declared up front so that a missing hook fails the suite. */
export interface EventStoreCapabilities {
  /**
   * Positions are taken while an append runs, before it commits (PostgreSQL), so a reader could
   * pass an event that commits later: the no-skipped-events test holds an append open through
   * {@link OpenedEventStore.holdOpenAppend}. False where positions are taken at commit (KurrentDB):
   * nothing can be skipped, and that test is skipped.
   */
  readonly positionsTakenBeforeCommit: boolean;
  /**
   * A second instance on the same storage stands for another process
   * ({@link OpenedEventStore.otherProcess}): live delivery is then measured across processes.
   */
  readonly otherProcess: boolean;
  /**
   * The events of one append get consecutive positions (PostgreSQL numbers them within the
   * writing transaction). False where positions are log offsets with other records between
   * (KurrentDB): there they only grow.
   */
  readonly densePositions: boolean;
}

/** An adapter opened on storage of its own by {@link EventStoreAdapter.open}. */
export interface OpenedEventStore {
  readonly store: EventStore;
  /** Required with `capabilities.otherProcess`: it learns of appends only through the storage. */
  readonly otherProcess?: EventStore;
  /** Required with `capabilities.positionsTakenBeforeCommit`: appends in a transaction that stays open until commit(). */
  readonly holdOpenAppend?: (stream: string, events: readonly EventToAppend[]) => Promise<HeldAppend>;
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
    if (capabilities.positionsTakenBeforeCommit && !opened.holdOpenAppend) {
      throw new Error(`${name} declares positionsTakenBeforeCommit but gives no holdOpenAppend`);
    }
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

  /** Appends in a transaction held open until commit(); only for adapters that take positions before commit. */
  holdOpenAppend(stream: string, events: readonly EventToAppend[]): Promise<HeldAppend> {
    const { holdOpenAppend } = this.opened;
    if (!holdOpenAppend) throw new Error(`${this.adapter.name} cannot hold an append open`);
    return holdOpenAppend(stream, events);
  }
}
