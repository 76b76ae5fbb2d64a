import { DuplicateEventIds, WrongExpectedRevision } from '../eventstore/event-store.js';

/**
 * When a command tries again after another writer got to its streams first. One policy for every
 * command: the single-stream commands and the movements over many streams retry alike.
 */
export interface RetryPolicy {
  /** Tries at one command before it gives up with ConcurrencyConflict. */
  readonly attempts: number;
  /** Whether an append failed because someone else wrote first, so reading again and deciding again can succeed. */
  isConflict(error: unknown): boolean;
  /** Waits before try `attempt + 1`. */
  pause(attempt: number): Promise<void>;
}

/** Tries at one command when other processes keep winning the race, unless configured. */
export const defaultAttempts = 5;

/**
 * The retry policy: a wrong expected revision (another writer), or event ids already stored by a
 * retry of this same request that raced this one (the next try finds them and records nothing
 * twice). The pause is short and random, so competing processes spread out.
 */
export function retryPolicy(attempts = defaultAttempts): RetryPolicy {
  return {
    attempts,
    isConflict: (error) => error instanceof WrongExpectedRevision || error instanceof DuplicateEventIds,
    pause: async (attempt) => await new Promise((resolve) => setTimeout(resolve, Math.random() * 5 * 2 ** attempt)),
  };
}
