import type { Database } from '../database/connection.js';

/** What a login attempt may do: go on (and say whether it succeeded), or wait. */
export type LoginAttempt = { readonly allowed: true; succeeded(): Promise<void> } | { readonly allowed: false; readonly retryAfterSeconds: number };

/** The first key of the two-part advisory locks of login attempts ('LGIN'). */
const loginLockSpace = 0x4c47494e;

const userKey = (tenant: string, username: string): string => `u:${tenant}:${username.toLowerCase()}`;
const clientKey = (client: string): string => `c:${client}`;

/**
 * Failed logins per username (within its tenant) and per client address over a sliding minute,
 * kept in PostgreSQL so every API process counts the same attempts: with `limit` attempts in the
 * last minute for either key, the next is refused (429) until the oldest of them is a minute old.
 *
 * An attempt is counted before its password is checked, under a lock per key, so parallel
 * attempts cannot all slip under the limit while the first ones are still hashing; a success
 * takes its own attempt back and forgets the username's failures (not the client's, so a guesser
 * cannot reset its count with an account of its own).
 */
export class LoginLimiter {
  constructor(
    private readonly db: Database,
    private readonly limit = 10,
    private readonly windowSeconds = 60,
  ) {}

  /** Counts an attempt of `username` in `tenant` from `client`, unless the limit is reached. */
  async attempt(tenant: string, username: string, client: string): Promise<LoginAttempt> {
    const keys = [userKey(tenant, username), clientKey(client)];
    const outcome = await this.db.tx('login-attempt', async (t) => {
      // Locks of their own key space (the two-argument form; the projector's leases use the
      // one-argument one), taken in one order, and never waited for long.
      await t.none('set local lock_timeout = 5000');
      await t.any(`select pg_advisory_xact_lock($1, lock_id) from (select distinct hashtext(key) as lock_id from unnest($2::text[]) key order by 1) ids`, [
        loginLockSpace,
        keys,
      ]);
      await t.none(`delete from login_attempts where key = any($1) and at <= clock_timestamp() - make_interval(secs => $2)`, [keys, this.windowSeconds]);
      // Per key, when the attempt that would have to age out for another to be allowed ages out.
      const waits = await t.map(
        `select key, extract(epoch from (min(at) filter (where rank > count - $3)) + make_interval(secs => $2) - clock_timestamp()) as wait
           from (select key, at, row_number() over (partition by key order by at) as rank, count(*) over (partition by key) as count
                   from login_attempts where key = any($1)) attempts
          group by key, count having count >= $3`,
        [keys, this.windowSeconds, this.limit],
        (row: { wait: number }) => Number(row.wait),
      );
      if (waits.length > 0) return { allowed: false as const, retryAfterSeconds: Math.max(1, Math.ceil(Math.max(...waits))) };
      const ids = await t.map('insert into login_attempts (key) select unnest($1::text[]) returning id, key', [keys], (row: { id: string; key: string }) => row);
      return { allowed: true as const, ids };
    });
    if (!outcome.allowed) return outcome;
    return {
      allowed: true,
      succeeded: async () => {
        const own = outcome.ids.filter((row) => row.key.startsWith('c:')).map((row) => row.id);
        await this.db.none(`delete from login_attempts where key = $1 or id = any($2::bigint[])`, [userKey(tenant, username), own]);
      },
    };
  }

  /** Deletes attempts older than the window; returns how many. */
  async purge(): Promise<number> {
    return (await this.db.result(`delete from login_attempts where at <= clock_timestamp() - make_interval(secs => $1)`, [this.windowSeconds])).rowCount;
  }
}
