import type { Database } from '../database/connection.js';
import { clientKey } from './client-address.js';
import { whileLimiterLocks } from './limiter-busy.js';
import * as sql from './registration-limit.sql.js';

/** The first key of the two-part advisory locks of registrations ('REGS'). */
const registrationLockSpace = 0x52454753;

/** At most this many refused clients remembered per process (the oldest forgotten first). */
const refusedClientsRemembered = 10_000;

/**
 * Registrations per client address (an IPv6 client by its /64) over a sliding hour: registering
 * is public and costly (a password hash, a read schema, a tenant the projector follows), so one
 * client may register at most `limit` companies an hour. Counted in PostgreSQL
 * (`registration_attempts`), so every API process counts the same registrations and a restart
 * forgets none; every attempt counts, also one refused afterwards (a taken slug).
 */
export class RegistrationLimit {
  /** Client key → when (ms since the epoch) this process last saw it refused will end. */
  private readonly refused = new Map<string, number>();

  constructor(
    private readonly db: Database,
    private readonly limit = 20,
    private readonly windowSeconds = 3600,
  ) {}

  /** Counts a registration from the client `address`; returns 0 when allowed, else the seconds until it would be. */
  async take(address: string): Promise<number> {
    const client = clientKey(address);
    // A lock not had within the short timeout is LimiterBusy (429 with Retry-After), not a fault.
    return await whileLimiterLocks(async () =>
      this.db.tx('registration-attempt', async (t) => {
        // One client's registrations one at a time, so parallel ones cannot all slip under the
        // limit; at the limit, the next registration waits for the limit-th newest to age out.
        await t.none(sql.beginAttempt(), [registrationLockSpace, client, this.windowSeconds]);
        const { wait } = await t.one<{ wait: number | null }>(sql.countAttemptUnlessLimited(), [client, this.windowSeconds, this.limit]);
        if (wait === null) return 0;
        const seconds = Math.max(1, Math.ceil(wait));
        this.rememberRefused(client, seconds);
        return seconds;
      }),
    );
  }

  /**
   * Whether this process refused the client `address` and its wait has not passed: a registration
   * hashes its password while the limit is asked only when this is false, so a client at the
   * limit costs at most one unused hash per process and refusal, not one per request. Only a hint
   * (another process may have refused it, the database decides); never a reason to refuse.
   */
  refusedRecently(address: string): boolean {
    const client = clientKey(address);
    const until = this.refused.get(client);
    if (until === undefined) return false;
    if (until > Date.now()) return true;
    this.refused.delete(client);
    return false;
  }

  private rememberRefused(client: string, seconds: number): void {
    this.refused.delete(client);
    this.refused.set(client, Date.now() + seconds * 1000);
    // A Map iterates in insertion order: the first key is the longest remembered.
    if (this.refused.size > refusedClientsRemembered) this.refused.delete(this.refused.keys().next().value as string);
  }

  /** Deletes registrations older than the window; returns how many. */
  async purge(): Promise<number> {
    return (await this.db.result(sql.purgeAgedOut(), [this.windowSeconds])).rowCount;
  }
}
