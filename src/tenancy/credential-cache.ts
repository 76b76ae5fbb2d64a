import type { Database } from '../database/connection.js';
import { releaseConnection } from '../database/release-connection.js';
import type { Logger } from '../logger.js';
import { listenRevoked } from './credentials.sql.js';
import type { Principal } from './principal.js';

type Listener = Awaited<ReturnType<Database['connect']>>;

/** The channel on which a revoked session or token id is announced to every process. */
export const revocationChannel = 'sc_credentials_revoked';

interface Entry {
  readonly principal: Principal;
  /** A session's end (ms since epoch); Infinity for a token. */
  readonly expiresAt: number;
  readonly cachedUntil: number;
}

/**
 * Who holds which secret, remembered for a few seconds so that a request does not pay a database
 * round trip to authenticate. A revocation must hold at once, in every process: revoking
 * announces the credential's id with NOTIFY, and every process evicts it on receipt. The cache is
 * only used while its LISTEN connection is up; while it is down (not started, broken, reconnecting)
 * every request asks the database, so a missed announcement can never keep a revoked secret alive.
 */
export class CredentialCache {
  private readonly entries = new Map<string, Entry>();
  /** Counts evictions (and losses of the listener): a lookup that began before one may not be cached. */
  private evictions = 0;
  private listener: Listener | undefined;
  private stopped = true;
  private retry: NodeJS.Timeout | undefined;

  constructor(
    private readonly db: Database,
    private readonly logger: Logger,
    private readonly ttlMs = 30_000,
    private readonly capacity = 50_000,
  ) {}

  /** Starts listening for revocations; the cache serves from then on. */
  async start(): Promise<void> {
    this.stopped = false;
    await this.listen();
  }

  /** Stops listening and forgets everything. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.retry) clearTimeout(this.retry);
    this.entries.clear();
    const listener = this.listener;
    this.listener = undefined;
    if (listener) await releaseConnection(listener);
  }

  /** The principal of a secret hash, when cached, fresh and not expired. */
  get(hash: string): Principal | undefined {
    if (!this.listener) return undefined;
    const entry = this.entries.get(hash);
    if (!entry) return undefined;
    const now = Date.now();
    if (entry.cachedUntil <= now || entry.expiresAt <= now) {
      this.entries.delete(hash);
      return undefined;
    }
    return entry.principal;
  }

  /**
   * Taken before reading a credential from the database; `set` refuses the result when an
   * eviction happened meanwhile (the read may predate a revocation that was already announced).
   */
  ticket(): number {
    return this.evictions;
  }

  /** Remembers a principal that the database confirmed, read after `ticket` was taken. */
  set(hash: string, principal: Principal, expiresAt: number, ticket: number): void {
    if (!this.listener || ticket !== this.evictions) return;
    if (this.entries.size >= this.capacity) this.entries.clear();
    this.entries.set(hash, { principal, expiresAt, cachedUntil: Date.now() + this.ttlMs });
  }

  /** Forgets a credential in this process (the revoking process calls it before announcing). */
  evict(credentialId: string): void {
    this.evictions += 1;
    for (const [hash, entry] of this.entries) if (entry.principal.credentialId === credentialId) this.entries.delete(hash);
  }

  private async listen(): Promise<void> {
    if (this.stopped || this.listener) return;
    try {
      const listener = await this.db.connect({ direct: true });
      listener.client.on('notification', (message) => {
        if (message.channel === revocationChannel && message.payload) this.evict(message.payload);
      });
      listener.client.on('error', (error: Error) => this.lost(listener, error));
      listener.client.on('end', () => this.lost(listener));
      await listener.none(listenRevoked(), [revocationChannel]);
      this.listener = listener;
    } catch (error) {
      this.logger.warn({ err: error }, 'cannot listen for credential revocations; authenticating every request against the database');
      this.scheduleRetry();
    }
  }

  private lost(listener: Listener, error?: Error): void {
    if (this.listener !== listener) return;
    this.listener = undefined;
    this.evictions += 1;
    this.entries.clear();
    if (this.stopped) return;
    this.logger.warn({ err: error }, 'lost the credential revocation listener; authenticating every request against the database until it is back');
    this.scheduleRetry();
  }

  private scheduleRetry(): void {
    if (this.stopped) return;
    this.retry = setTimeout(() => void this.listen(), 1000);
    this.retry.unref();
  }
}
