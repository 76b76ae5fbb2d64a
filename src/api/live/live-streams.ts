import { HttpProblem } from '../problem.js';

/** What bounds the live streams (GET /api/live) of one process. */
export interface LiveStreamLimits {
  /** Streams open at once in this process; one more is answered 429. */
  readonly perProcess: number;
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
 * tenant's appends only); 10 per credential covers a user's tabs and devices. A revocation holds
 * within 5 s (the credential cache evicts at once, so the check asks the database). 1 MiB is some
 * 5,000 unread notices: a client that far behind reconnects with Last-Event-ID and catches up.
 */
export const defaultLiveStreamLimits: LiveStreamLimits = {
  perProcess: 1000,
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
  private count = 0;
  private closed = false;

  constructor(readonly limits: LiveStreamLimits = defaultLiveStreamLimits) {}

  /** How many streams are open. */
  get size(): number {
    return this.count;
  }

  /**
   * Admits a stream of `credentialId` whose `end` ends it; answers the function that releases its
   * place (call it once the stream has ended). Throws 429 `rate-limited` over a cap, 503
   * `unavailable` once the service is shutting down.
   */
  admit(credentialId: string, end: () => void): () => void {
    if (this.closed) {
      throw new HttpProblem(503, 'unavailable', 'Shutting down', 'The service is shutting down; reconnect with Last-Event-ID.', undefined, { retryAfter: 1 });
    }
    const mine = this.open.get(credentialId) ?? new Set<() => void>();
    if (this.count >= this.limits.perProcess || mine.size >= this.limits.perCredential) {
      const which = mine.size >= this.limits.perCredential ? `${this.limits.perCredential} live streams per credential` : `${this.limits.perProcess} live streams`;
      throw new HttpProblem(429, 'rate-limited', 'Too many live streams', `This server keeps at most ${which} open; close one or retry later.`, undefined, { retryAfter: retryAfterSeconds });
    }
    mine.add(end);
    this.open.set(credentialId, mine);
    this.count += 1;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      mine.delete(end);
      if (mine.size === 0 && this.open.get(credentialId) === mine) this.open.delete(credentialId);
      this.count -= 1;
    };
  }

  /** Ends every open stream and refuses new ones: the first step of a shutdown. */
  endAll(): void {
    this.closed = true;
    for (const ends of [...this.open.values()]) for (const end of [...ends]) end();
  }
}
