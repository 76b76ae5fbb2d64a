/** PostgreSQL's SQLSTATE for a lock not granted within `lock_timeout`. */
const lockNotAvailable = '55P03';

/**
 * A rate limiter (login or registration) could not take its lock in time: other attempts of the
 * same key hold it. The attempt is neither counted nor checked; the client is told to retry
 * (429 rate-limited, with Retry-After), never a 500: a flood on one key must not look like a fault.
 */
export class LimiterBusy extends Error {
  readonly code = 'limiter-busy';
  constructor(
    readonly retryAfterSeconds: number,
    options?: { cause?: unknown },
  ) {
    super('too many attempts of this key at once; try again shortly', options);
    this.name = 'LimiterBusy';
  }
}

/**
 * Runs a limiter's transaction, turning its lock timeout into {@link LimiterBusy}: the limiter owns
 * the lock, so it says what the timeout means (issue 11: no SQLSTATE is mapped in src/api).
 */
export async function whileLimiterLocks<T>(work: () => Promise<T>, retryAfterSeconds = 1): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if ((error as { code?: unknown } | null)?.code === lockNotAvailable) throw new LimiterBusy(retryAfterSeconds, { cause: error });
    throw error;
  }
}
