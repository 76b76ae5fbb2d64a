import { HttpProblem } from '../problem.js';

/** What bounds the live streams (GET /api/live) of one process. */
export interface LiveStreamLimits {
  /** Streams open at once in this process; one more is answered 429. */
  readonly perProcess: number;
  /**
   * Streams open at once per tenant, whatever its credentials; one more is answered 429. Without
   * it one tenant minting tokens (10 streams each) could take every place of the process.
   */
  readonly perTenant: number;
  /** Streams open at once per credential (session or API token); one more is answered 429. */
  readonly perCredential: number;
  /** A comment line this often (ms), so that proxies and browsers keep an idle stream open (API.md: 15 s). */
  readonly heartbeatMs: number;
  /** The stream's credential is checked again this often (ms): a revoked one ends the stream. */
  readonly recheckMs: number;
  /** Bytes a client may leave unread in the response's and socket's buffers before it is dropped. */
  readonly maxBufferedBytes: number;
}

/**
 * The defaults. 1,000 streams cost about 1,000 idle sockets and subscriptions (each woken by its
 * tenant's appends only); 100 per tenant is a tenth of them, enough for a large team's screens and
 * leaving the rest to other tenants; 10 per credential covers a user's tabs and devices. A revocation holds
 * within 5 s (the credential cache evicts at once, so the check asks the database). 1 MiB is some
 * 5,000 unread notices: a client that far behind reconnects with Last-Event-ID and catches up.
 */
export const defaultLiveStreamLimits: LiveStreamLimits = {
  perProcess: 1000,
  perTenant: 100,
  perCredential: 10,
  heartbeatMs: 15_000,
  recheckMs: 5_000,
  maxBufferedBytes: 1024 * 1024,
};

/** Seconds a client refused for the caps is asked to wait before trying again. */
const retryAfterSeconds = 5;

/**
 * The open live streams of this process: admits new ones within the caps, and ends them all when
 * the service shuts down (an open stream would otherwise hold the HTTP drain until its timeout).
 */
export class LiveStreams {
  /** Each open stream's function that ends it, by credential id. */
  private readonly open = new Map<string, Set<() => void>>();
  /** How many streams each tenant has open (absent: none). */
  private readonly perTenant = new Map<string, number>();
  private count = 0;
  private closed = false;

  constructor(readonly limits: LiveStreamLimits = defaultLiveStreamLimits) {}

  /** How many streams are open. */
  get size(): number {
    return this.count;
  }

  /**
   * Admits a stream of `tenant`'s credential `credentialId` whose `end` ends it; answers the
   * function that releases its place (call it once the stream has ended). Throws 429
   * `rate-limited` over a cap, 503 `unavailable` once the service is shutting down.
   */
  admit(tenant: string, credentialId: string, end: () => void): () => void {
    if (this.closed) {
      throw new HttpProblem(503, 'unavailable', 'Shutting down', 'The service is shutting down; reconnect with Last-Event-ID.', undefined, { retryAfter: 1 });
    }
    const mine = this.open.get(credentialId) ?? new Set<() => void>();
    const tenantCount = this.perTenant.get(tenant) ?? 0;
    const which =
      mine.size >= this.limits.perCredential
        ? `${this.limits.perCredential} live streams per credential`
        : tenantCount >= this.limits.perTenant
          ? `${this.limits.perTenant} live streams per tenant`
          : this.count >= this.limits.perProcess
            ? `${this.limits.perProcess} live streams`
            : undefined;
    if (which !== undefined) {
      throw new HttpProblem(429, 'rate-limited', 'Too many live streams', `This server keeps at most ${which} open; close one or retry later.`, undefined, { retryAfter: retryAfterSeconds });
    }
    mine.add(end);
    this.open.set(credentialId, mine);
    this.perTenant.set(tenant, tenantCount + 1);
    this.count += 1;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      mine.delete(end);
      if (mine.size === 0 && this.open.get(credentialId) === mine) this.open.delete(credentialId);
      const left = (this.perTenant.get(tenant) ?? 1) - 1;
      if (left > 0) this.perTenant.set(tenant, left);
      else this.perTenant.delete(tenant);
      this.count -= 1;
    };
  }

  /** Ends every open stream and refuses new ones: the first step of a shutdown. */
  endAll(): void {
    this.closed = true;
    for (const ends of [...this.open.values()]) for (const end of [...ends]) end();
  }
}
