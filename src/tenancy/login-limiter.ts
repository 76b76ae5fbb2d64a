import type { Database } from '../database/connection.js';
import { clientKey } from './client-address.js';
import { whileLimiterLocks } from './limiter-busy.js';
import * as sql from './login-limiter.sql.js';

/**
 * What a login attempt may do: go on (after waiting `delayMs`, and saying whether it succeeded),
 * or not at all. `alert` is true for the one attempt, in all processes, that first finds the
 * username over the limit in a window: the caller logs it.
 */
export type LoginAttempt =
  | { readonly allowed: true; readonly delayMs: number; readonly alert: boolean; succeeded(): Promise<void> }
  | { readonly allowed: false; readonly retryAfterSeconds: number };

/** The first key of the two-part advisory locks of login attempts ('LGIN'). */
const loginLockSpace = 0x4c47494e;

/** Login usernames as they are created (API.md): 3 to 40 of `[a-zA-Z0-9._-]`. */
const loginUsernamePattern = /^[a-zA-Z0-9._-]{3,40}$/;

/**
 * The one form a login username is compared in, by the limiter and by the user lookup alike:
 * ASCII lower case of a name that matches the creation pattern; undefined for any other text,
 * which can name no user. Only ASCII is ever folded, so no locale (JavaScript's or the
 * database's) can make two different texts one name: `adm\u0130n` is not `admin` here.
 */
export function canonicalLoginUsername(text: string): string | undefined {
  return loginUsernamePattern.test(text) ? text.toLowerCase() : undefined;
}

interface KeyCount {
  readonly key: string;
  readonly count: number;
  /** Seconds until the attempt that has to age out for another to be allowed does; null under the limit. */
  readonly wait: number | null;
}

/**
 * Failed logins over a sliding window, kept in PostgreSQL so every API process counts the same
 * attempts. Three counts, each at most `limit` in the window:
 * - per (tenant, username, client) and per client address (an IPv6 client by its /64): the hard
 *   limits. At the limit the next attempt is refused (429) until the oldest counted one is a
 *   window old.
 * - per (tenant, username) over all clients: never refuses, or anyone could lock a user out for
 *   everyone by guessing from one address. At the limit an attempt waits `slowdownMs` before its
 *   password is checked, and the first such attempt in a window raises an alert.
 *
 * An attempt is counted before its password is checked, under a lock per hard key, so parallel
 * attempts cannot all slip under the limit while the first ones are still hashing. The username's
 * count is kept under a lock only tried, never waited for (a flood from many clients would queue
 * every login of the username on it): it may miss attempts made while it is busy. A lock not
 * had within the short lock timeout is {@link LimiterBusy} (429 with Retry-After). A success
 * takes its own attempt back and forgets the pair's failures (not the client's, so a guesser
 * cannot reset its count with an account of its own; nor the username's, the trace of a guesser).
 */
export class LoginLimiter {
  constructor(
    private readonly db: Database,
    private readonly limit = 10,
    private readonly windowSeconds = 60,
    private readonly slowdownMs = 1000,
  ) {}

  /**
   * Counts an attempt of `username` (canonical, see canonicalLoginUsername; undefined for a text
   * that names no user, counted for the client only) in `tenant` from the client `address`.
   */
  async attempt(tenant: string, username: string | undefined, address: string): Promise<LoginAttempt> {
    const client = `c:${clientKey(address)}`;
    const pair = username === undefined ? undefined : `p:${tenant}:${username}:${clientKey(address)}`;
    const user = username === undefined ? undefined : `u:${tenant}:${username}`;
    const alerted = username === undefined ? undefined : `a:${tenant}:${username}`;
    const hard = [client, pair].filter((key) => key !== undefined);
    const soft = [user, alerted].filter((key) => key !== undefined);
    const outcome = await whileLimiterLocks(async () =>
      this.db.tx('login-attempt', async (t) => {
        // Locks of their own key space (the two-argument form; the projector's leases use the
        // one-argument one), taken in one order, and never waited for long. Only the hard keys
        // are waited for: they are one client's, so only that client's attempts queue there.
        await t.none(sql.shortLockTimeout());
        await t.any(sql.lockKeys(), [loginLockSpace, hard]);
        // The username's keys are every client's: waiting for them would queue the real user
        // behind a flood (and time out). They are only tried; a busy username is not counted
        // by this attempt (its count is approximate) and only the holder may raise the alert.
        const softLocked = user !== undefined && (await t.one<{ locked: boolean }>(sql.tryLockKey(), [loginLockSpace, user])).locked;
        const locked = softLocked ? [...hard, ...soft] : hard;
        await t.none(sql.deleteAgedOut(), [locked, this.windowSeconds]);
        // A key at the limit waits for its limit-th newest attempt to age out.
        const rows = await t.map(sql.selectCounts(), [[...hard, ...soft], this.windowSeconds, this.limit], (row: KeyCount) => row);
        const counts = new Map(rows.map((row) => [row.key, row]));
        const waits = hard.map((key) => counts.get(key)?.wait ?? null).filter((wait) => wait !== null);
        if (waits.length > 0) return { allowed: false as const, retryAfterSeconds: Math.max(1, Math.ceil(Math.max(...waits))) };
        // The username's count stops at the limit: it only has to say "at the limit", and a
        // guesser with many addresses should not grow it without bound.
        const userOver = user !== undefined && (counts.get(user)?.count ?? 0) >= this.limit;
        const alert = softLocked && userOver && alerted !== undefined && !counts.has(alerted);
        const counted = [client, pair, softLocked && !userOver ? user : undefined, alert ? alerted : undefined].filter((key) => key !== undefined);
        const ids = await t.map(sql.insertAttempts(), [counted], (row: { id: string; key: string }) => row);
        return { allowed: true as const, ids, delayMs: userOver ? this.slowdownMs : 0, alert };
      }),
    );
    if (!outcome.allowed) return outcome;
    return {
      allowed: true,
      delayMs: outcome.delayMs,
      alert: outcome.alert,
      succeeded: async () => {
        const own = outcome.ids.filter((row) => row.key !== alerted).map((row) => row.id);
        await this.db.none(sql.deleteForgiven(), [pair ?? null, own]);
      },
    };
  }

  /** Deletes attempts older than the window; returns how many. */
  async purge(): Promise<number> {
    return (await this.db.result(sql.purgeAgedOut(), [this.windowSeconds])).rowCount;
  }
}
