import type { Subscription } from 'rxjs';
import type { EventStore, Position, RecordedEvent } from '../eventstore/event-store.js';
import type { ReadSchemas } from './read-schemas.js';
import { StoreCheckpoints } from './store-checkpoints.js';

/** What following needs of the daemon's record of a tenant (daemon.ts): its state, subscription and work under way. */
export interface FollowingWorker {
  state: string;
  subscription?: Subscription;
  busy?: Promise<void>;
}

/** The schema to follow, where from, and how (the daemon's settings), and what to call when it fails. */
export interface Following {
  readonly store: EventStore;
  readonly schemas: ReadSchemas;
  readonly tenant: string;
  readonly schema: string;
  readonly after: Position;
  readonly batchSize: number;
  readonly checkpointEveryMs: number;
  readonly fail: (error: unknown) => void;
}

/**
 * Follows a tenant's events into a schema from `after`, for as long as the worker's state stays
 * `following` (the state the daemon set it to): subscribes to the tenant's events and applies them
 * in batches of at most `batchSize`, recording the store's checkpoints (store-checkpoints.ts).
 * The subscription is the worker's (the daemon ends it); a failure goes to `fail`.
 */
export function followSchema(worker: FollowingWorker, following: string, follow: Following): void {
  // Events that arrive while a batch is being written make up the next batch: one event goes
  // through at once when all is quiet, and batches grow by themselves under load.
  const pending: RecordedEvent[] = [];
  let draining = false;
  // The store's checkpoints (KurrentDB: how far the server scanned past other tenants' events)
  // become the schema's position once everything delivered before them is applied.
  const checkpoints = new StoreCheckpoints((position) => follow.schemas.advanceCheckpoint(follow.schema, position), follow.checkpointEveryMs, () => {
    if (!draining) worker.busy = drain();
  });
  const drain = async (): Promise<void> => {
    draining = true;
    try {
      for (;;) {
        while (pending.length > 0 && worker.state === following) await follow.schemas.apply(follow.schema, pending.splice(0, follow.batchSize));
        if (worker.state !== following || !checkpoints.due()) break;
        await checkpoints.record();
      }
    } catch (error) {
      follow.fail(error);
    } finally {
      draining = false;
    }
  };
  worker.subscription = follow.store.subscribeTenant(follow.tenant, { after: follow.after, onCheckpoint: (position) => checkpoints.offer(position) }).subscribe({
    next: (event) => {
      pending.push(event);
      if (!draining) worker.busy = drain();
    },
    error: (error: unknown) => follow.fail(error),
  });
  worker.subscription.add(() => checkpoints.stop());
}
