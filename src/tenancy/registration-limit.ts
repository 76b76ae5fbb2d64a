/**
 * Registrations per client address over a sliding hour: registering is public and costly (a
 * password hash, a read schema, a tenant the projector follows), so one client may register at
 * most `limit` companies an hour. In memory per process, like the login limiter.
 */
export class RegistrationLimit {
  private readonly attempts = new Map<string, number[]>();

  constructor(
    private readonly limit = 20,
    private readonly windowMs = 3_600_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** Counts a registration of `client`; returns 0 when allowed, else the seconds until it would be. */
  take(client: string): number {
    const now = this.now();
    const recent = (this.attempts.get(client) ?? []).filter((at) => at > now - this.windowMs);
    if (recent.length >= this.limit) {
      this.attempts.set(client, recent);
      return Math.max(1, Math.ceil(((recent[0] ?? now) + this.windowMs - now) / 1000));
    }
    recent.push(now);
    this.attempts.set(client, recent);
    if (this.attempts.size > 100_000) for (const [key, times] of this.attempts) if (times.every((at) => at <= now - this.windowMs)) this.attempts.delete(key);
    return 0;
  }
}
