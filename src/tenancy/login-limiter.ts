/**
 * Counts failed logins per username (within its tenant) and per client address over a sliding
 * minute: more than `limit` failures in a minute and further attempts are refused (429) until
 * the oldest failure is a minute old. A success does not clear the client's other failures, so a
 * guesser cannot reset its count with an account of its own.
 *
 * Kept in memory per process: with several API processes each allows `limit`, which still bounds
 * guessing; a shared store would be the next step (noted in the README).
 */
export class LoginLimiter {
  private readonly failures = new Map<string, number[]>();

  constructor(
    private readonly limit = 10,
    private readonly windowMs = 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** Seconds until another attempt is allowed for this user and client; 0 when allowed now. */
  retryAfter(tenant: string, username: string, client: string): number {
    const wait = Math.max(this.waitFor(userKey(tenant, username)), this.waitFor(clientKey(client)));
    return Math.ceil(wait / 1000);
  }

  /**
   * Counts an attempt as failed before its password is checked, so that parallel attempts cannot
   * all pass the limit while the first ones are still hashing. Returns what to call when it
   * turns out to succeed: the username's failures are forgotten and this attempt is taken back.
   */
  attempt(tenant: string, username: string, client: string): { succeeded(): void } {
    const at = this.now();
    for (const key of [userKey(tenant, username), clientKey(client)]) {
      const times = this.recent(key);
      times.push(at);
      this.failures.set(key, times);
    }
    if (this.failures.size > 100_000) this.prune();
    return {
      succeeded: () => {
        this.failures.delete(userKey(tenant, username));
        const times = this.failures.get(clientKey(client));
        const index = times?.lastIndexOf(at) ?? -1;
        if (times && index >= 0) times.splice(index, 1);
      },
    };
  }

  private waitFor(key: string): number {
    const times = this.recent(key);
    if (times.length < this.limit) return 0;
    const oldestCounted = times[times.length - this.limit] ?? this.now();
    return Math.max(1, oldestCounted + this.windowMs - this.now());
  }

  private recent(key: string): number[] {
    const since = this.now() - this.windowMs;
    return (this.failures.get(key) ?? []).filter((at) => at > since);
  }

  private prune(): void {
    for (const key of [...this.failures.keys()]) if (this.recent(key).length === 0) this.failures.delete(key);
  }
}

const userKey = (tenant: string, username: string): string => `u:${tenant}:${username.toLowerCase()}`;
const clientKey = (client: string): string => `c:${client}`;
