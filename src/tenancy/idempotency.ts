import { createHash, randomUUID } from 'node:crypto';
import type { Database } from '../database/connection.js';
import { releaseConnection } from '../database/release-connection.js';
import { isTransientDatabaseError } from '../projections/transient-error.js';
import * as sql from './idempotency.sql.js';

/** The answer recorded for a request, returned again to a retry with the same key and body. */
export interface RecordedResponse {
  readonly status: number;
  readonly body: unknown;
}

/** The same Idempotency-Key came with another request (409 idempotency-mismatch). */
export class IdempotencyMismatch extends Error {
  readonly code = 'idempotency-mismatch';
  constructor(readonly key: string) {
    super(`the Idempotency-Key ${key} was used with another request`);
    this.name = 'IdempotencyMismatch';
  }
}

/**
 * A request with the same key is still being handled by a live attempt, and did not finish within
 * the wait (409 idempotency-in-progress with Retry-After).
 */
export class IdempotencyInProgress extends Error {
  readonly code = 'idempotency-in-progress';
  constructor(
    readonly key: string,
    readonly retryAfterSeconds: number,
  ) {
    super(`a request with the Idempotency-Key ${key} is still being handled`);
    this.name = 'IdempotencyInProgress';
  }
}

/** How long a key is remembered (API.md: 24 h). */
export const idempotencyHours = 24;

/** How long a retry waits for a live attempt with its key to finish by default (ms). */
export const idempotencyWaitMs = 5_000;

/** What a retry that overlaps a live attempt beyond the wait is told: try again after this (s). */
const retryAfterSeconds = 1;

type ClaimsConnection = Awaited<ReturnType<Database['connect']>>;

/** The hash that tells a retry from another request: method, path and body. */
export function requestHash(method: string, path: string, body: unknown): string {
  return createHash('sha256').update(`${method} ${path}\n`).update(JSON.stringify(body ?? null)).digest('hex');
}

/**
 * Idempotency records (API.md): the first request with a key is handled and its successful answer
 * kept 24 h; a retry with the same body gets that answer and records nothing new; another body is
 * refused. A retry arriving while the first is still running waits for it (up to `waitMs`, then
 * IdempotencyInProgress). A failed first attempt keeps no answer, so a corrected retry with the
 * same key can succeed.
 *
 * A claim lives exactly as long as the database session of the process that made it: each claim
 * is a session advisory lock (keyed by the claim's id) on one connection per process kept for
 * claims. When that process dies, PostgreSQL ends its session and the lock with it, and the next
 * retry of the same body takes the claim over at once; a claim whose lock is held is never taken,
 * however long its request runs. (The lock is taken in the statement that writes the claim, so no
 * one ever sees a claim without its lock.)
 *
 * Below this layer the command's ids are derived from the key and its scope (the start of the
 * key's 24 hours and the body's hash), so the event store itself refuses to record one movement
 * twice: a request that committed its events but failed or crashed before its answer was kept is
 * answered, when retried, with the movement it recorded; another body never meets those ids; and
 * a key used again after its 24 hours records a new movement.
 */
export class IdempotencyRecords {
  private claims: ClaimsConnection | undefined;
  private connecting: Promise<ClaimsConnection> | undefined;
  /** The claims connection's statements, one after the other (node-postgres queues them, deprecated). */
  private claimsQueue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly db: Database,
    private readonly waitMs = idempotencyWaitMs,
  ) {}

  /**
   * Runs `handle` once per (tenant, key, body) within the key's 24 h: returns the recorded answer
   * to a retry (`replayed`), or the fresh answer of `handle`. `handle` gets the scope to derive
   * the movement's ids from (with the key): the start of the key's 24 hours and the body's hash.
   */
  async run(tenant: string, key: string, hash: string, handle: (scope: string) => Promise<RecordedResponse>): Promise<RecordedResponse & { readonly replayed: boolean }> {
    const deadline = Date.now() + this.waitMs;
    for (;;) {
      const claim = randomUUID();
      const held = await this.claimOnce(tenant, key, hash, claim);
      if (held) return { ...(await this.handleClaimed(tenant, key, claim, held.session, held.scope, handle)), replayed: false };
      const existing = await this.db.oneOrNone<{ request_hash: string; status: number | null; response: unknown }>(sql.selectRecord(), [tenant, key]);
      if (!existing) continue;
      if (existing.request_hash !== hash) throw new IdempotencyMismatch(key);
      if (existing.status !== null) return { status: existing.status, body: existing.response, replayed: true };
      if (Date.now() >= deadline) throw new IdempotencyInProgress(key, retryAfterSeconds);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  /**
   * Claims the key for `claim` when it is free, or takes it over when the same body's claim has
   * lost its session; undefined when a live attempt or an answer holds it. A claims connection
   * found broken is replaced once (the claims it held are gone with it).
   */
  private async claimOnce(tenant: string, key: string, hash: string, claim: string): Promise<{ scope: string; session: ClaimsConnection } | undefined> {
    const lock = claimLockKey(claim);
    for (let attempt = 1; ; attempt += 1) {
      const session = await this.claimsSession();
      try {
        // A new key; one whose 24 hours are over (a new day); or one no request holds and none has
        // answered (a failed attempt let it go): take it.
        const claimed = await this.onClaims(() => session.oneOrNone<{ scope: string }>(sql.claim(), [tenant, key, hash, idempotencyHours, claim, lock]));
        if (claimed) return { scope: claimed.scope, session };
        // The same body, claimed by a request whose session is gone (its process died): take it over.
        const taken = await this.onClaims(() => session.oneOrNone<{ scope: string }>(sql.takeOver(), [tenant, key, hash, claim, lock]));
        return taken ? { scope: taken.scope, session } : undefined;
      } catch (error) {
        if (attempt > 1 || !isTransientDatabaseError(error)) throw error;
        this.forget(session);
      }
    }
  }

  /** Forgets keys older than 24 hours; returns how many. */
  async purgeExpired(): Promise<number> {
    const result = await this.db.result(sql.purgeExpired(), [idempotencyHours]);
    return result.rowCount;
  }

  /** Gives up the claims connection (and with it every claim this process still holds). */
  async close(): Promise<void> {
    const claims = this.claims ?? (await this.connecting?.catch(() => undefined));
    this.claims = undefined;
    if (claims) await releaseConnection(claims);
  }

  private async handleClaimed(
    tenant: string,
    key: string,
    claim: string,
    session: ClaimsConnection,
    scope: string,
    handle: (scope: string) => Promise<RecordedResponse>,
  ): Promise<RecordedResponse> {
    try {
      let response: RecordedResponse;
      try {
        response = await handle(scope);
      } catch (error) {
        await this.release(tenant, key, claim);
        throw error;
      }
      if (response.status >= 200 && response.status < 300) {
        // Kept only while this request still holds the key (one that took it over answers for itself).
        await this.db.none(sql.recordAnswer(), [tenant, key, claim, response.status, JSON.stringify(response.body)]);
      } else {
        await this.release(tenant, key, claim);
      }
      return response;
    } finally {
      // Only after the record says the key is answered or free: until then the lock tells others
      // that this attempt lives. Not waited for: the record already speaks for the key.
      if (session === this.claims) void this.onClaims(() => session.any(sql.unlockClaim(), [claimLockKey(claim)])).catch(() => undefined);
    }
  }

  /** Lets a key go after a failed attempt (if this request still holds it); its day and body stay. */
  private async release(tenant: string, key: string, claim: string): Promise<void> {
    await this.db.none(sql.releaseClaim(), [tenant, key, claim]);
  }

  /** Runs a statement on the claims connection after the ones before it. */
  private onClaims<T>(statement: () => Promise<T>): Promise<T> {
    const result = this.claimsQueue.then(statement, statement);
    this.claimsQueue = result.catch(() => undefined);
    return result;
  }

  /** Stops using a broken claims connection; the next claim opens another. */
  private forget(connection: ClaimsConnection): void {
    if (this.claims === connection) this.claims = undefined;
    void releaseConnection(connection);
  }

  /**
   * The connection whose session holds this process's claims, opened on first use. When it
   * breaks, its claims are gone (others may take them over: the event ids keep that safe) and the
   * next claim opens a new one.
   */
  private async claimsSession(): Promise<ClaimsConnection> {
    if (this.claims) return this.claims;
    this.connecting ??= this.db
      .connect({ direct: true })
      .then((connection) => {
        connection.client.on('error', () => this.forget(connection));
        this.claims = connection;
        return connection;
      })
      .finally(() => {
        this.connecting = undefined;
      });
    return await this.connecting;
  }
}

/** The advisory lock key of a claim: the first 64 bits of its id, as PostgreSQL's bigint (idempotency.sql.ts reads it back the same way). */
function claimLockKey(claim: string): string {
  return BigInt.asIntN(64, BigInt(`0x${claim.replaceAll('-', '').slice(0, 16)}`)).toString();
}
