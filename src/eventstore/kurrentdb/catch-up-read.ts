/**
 * Reads that go through a catch-up subscription and end where it catches up.
 *
 * Why not the client's readStream/readAll: in @kurrent/kurrentdb-client 1.3.1 those go through
 * its Rust bridge, which hands back an event's recorded time in whole seconds, while
 * subscriptions (plain gRPC in the client) keep the server's 100 ns ticks. Events read one way and
 * delivered live the other would disagree on `recordedAt` (as-of replays cutting a second
 * wrong, audit hashes that include the time differing between a rebuild and the live chain). So
 * every read that returns events goes through a subscription, which the server runs as a read
 * up to the end of the log ("caught up", sent by KurrentDB and EventStoreDB 23.10 and later) and
 * which is then dropped. Reads of positions, revisions and ids only (heads, the idempotency
 * ledger) keep to the plain reads.
 */
import type { AllStreamResolvedEvent, ResolvedEvent, StreamSubscription, AllStreamSubscription } from '@kurrent/kurrentdb-client';
import { EventStoreUnavailable } from '../event-store.js';
import { translateClientError } from './errors.js';

/** Events waiting for the reader beyond which the subscription is paused (gRPC flow control does the rest). */
const highWater = 1000;

/** Attempts of a read whose connection broke before it delivered anything. */
const attempts = 3;

/**
 * The events `open()`'s subscription delivers until it has caught up, in order; the subscription
 * is dropped when the reader stops, and its errors are the port's (see errors.ts). A read whose
 * connection breaks before its first event (the client's HTTP/2 session reset under load, a
 * leader change) is opened again, at most {@link attempts} times in all; one that breaks later
 * fails, as the reader cannot be handed events twice.
 */
export async function* readUntilCaughtUp<E extends ResolvedEvent | AllStreamResolvedEvent>(
  open: () => StreamSubscription | AllStreamSubscription,
  doing: string,
): AsyncIterable<E> {
  for (let attempt = 1; ; attempt += 1) {
    let delivered = false;
    try {
      for await (const event of readOnce<E>(open, doing)) {
        delivered = true;
        yield event;
      }
      return;
    } catch (error) {
      if (delivered || attempt >= attempts || !(error instanceof EventStoreUnavailable)) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50 * attempt));
    }
  }
}

async function* readOnce<E extends ResolvedEvent | AllStreamResolvedEvent>(open: () => StreamSubscription | AllStreamSubscription, doing: string): AsyncIterable<E> {
  const subscription = open();
  const queue: E[] = [];
  let head = 0;
  let caughtUp = false;
  let failure: unknown;
  let wake: (() => void) | undefined;
  const notify = (): void => {
    const resume = wake;
    wake = undefined;
    resume?.();
  };
  subscription.on('data', (event: unknown) => {
    queue.push(event as E);
    if (queue.length - head >= highWater) subscription.pause();
    notify();
  });
  subscription.on('caughtUp', () => {
    caughtUp = true;
    notify();
  });
  subscription.on('error', (error: unknown) => {
    failure = error;
    notify();
  });
  try {
    for (;;) {
      while (head < queue.length) {
        const event = queue[head] as E;
        head += 1;
        yield event;
      }
      queue.length = 0;
      head = 0;
      if (failure !== undefined) throw translateClientError(failure, doing);
      // Caught up is signalled while earlier events may still wait in the paused stream's buffer.
      if (caughtUp && subscription.readableLength === 0) return;
      if (subscription.isPaused()) subscription.resume();
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
    }
  } finally {
    await subscription.unsubscribe().catch(() => undefined);
  }
}
