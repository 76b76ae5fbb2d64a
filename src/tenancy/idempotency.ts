import { createHash, randomUUID } from 'node:crypto';
import type { Database } from '../database/connection.js';

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

/** A request with the same key is still being handled (409 conflict; retry shortly). */
export class IdempotencyInProgress extends Error {
  readonly code = 'conflict';
  constructor(readonly key: string) {
    super(`a request with the Idempotency-Key ${key} is still being handled`);
    this.name = 'IdempotencyInProgress';
  }
}

/** How long a key is remembered (API.md: 24 h). */
export const idempotencyHours = 24;

/** A claim older than this is taken to be left by a crashed process (no request runs this long). */
const abandonedClaimSeconds = 60;

/** The hash that tells a retry from another request: method, path and body. */
export function requestHash(method: string, path: string, body: unknown): string {
  return createHash('sha256').update(`${method} ${path}\n`).update(JSON.stringify(body ?? null)).digest('hex');
}

/**
 * Idempotency records (API.md): the first request with a key is handled and its successful answer
 * kept 24 h; a retry with the same body gets that answer and records nothing new; another body is
 * refused. A retry arriving while the first is still running waits for it (up to `waitMs`). A
 * failed first attempt keeps no answer, so a corrected retry with the same key can succeed. A
 * claim left by a crashed process is taken over after a minute.
 *
 * Below this layer the command's ids are derived from the key and its scope (the start of the
 * key's 24 hours and the body's hash), so the event store itself refuses to record one movement
 * twice: a request that committed its events but failed or crashed before its answer was kept is
 * answered, when retried, with the movement it recorded; another body never meets those ids; and
 * a key used again after its 24 hours records a new movement.
 */
export class IdempotencyRecords {
  constructor(
    private readonly db: Database,
    private readonly waitMs = 10_000,
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
      // A new key; one whose 24 hours are over (a new day); or one no request holds and none has
      // answered (a failed attempt let it go): take it.
      const claimed = await this.db.oneOrNone<{ scope: string }>(
        `insert into idempotency_records (tenant, key, request_hash, claim) values ($1, $2, $3, $5)
         on conflict (tenant, key) do update
           set request_hash = excluded.request_hash, status = null, response = null, claimed_at = now(), claim = excluded.claim,
               created_at = case when idempotency_records.created_at < now() - make_interval(hours => $4) then now() else idempotency_records.created_at end
           where idempotency_records.created_at < now() - make_interval(hours => $4)
              or (idempotency_records.status is null and idempotency_records.claim is null)
         returning ${scopeColumn}`,
        [tenant, key, hash, idempotencyHours, claim],
      );
      if (claimed) return { ...(await this.handleClaimed(tenant, key, claim, claimed.scope, handle)), replayed: false };
      // The same body, held by a request that has not been heard of for a minute (its process died).
      const taken = await this.db.oneOrNone<{ scope: string }>(
        `update idempotency_records set claim = $5, claimed_at = now()
          where tenant = $1 and key = $2 and status is null and request_hash = $3 and claimed_at < now() - make_interval(secs => $4)
          returning ${scopeColumn}`,
        [tenant, key, hash, abandonedClaimSeconds, claim],
      );
      if (taken) return { ...(await this.handleClaimed(tenant, key, claim, taken.scope, handle)), replayed: false };
      const existing = await this.db.oneOrNone<{ request_hash: string; status: number | null; response: unknown }>(
        'select request_hash, status, response from idempotency_records where tenant = $1 and key = $2',
        [tenant, key],
      );
      if (!existing) continue;
      if (existing.request_hash !== hash) throw new IdempotencyMismatch(key);
      if (existing.status !== null) return { status: existing.status, body: existing.response, replayed: true };
      if (Date.now() >= deadline) throw new IdempotencyInProgress(key);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  /** Forgets keys older than 24 hours; returns how many. */
  async purgeExpired(): Promise<number> {
    const result = await this.db.result(`delete from idempotency_records where created_at < now() - make_interval(hours => $1) and claim is null`, [idempotencyHours]);
    return result.rowCount;
  }

  private async handleClaimed(tenant: string, key: string, claim: string, scope: string, handle: (scope: string) => Promise<RecordedResponse>): Promise<RecordedResponse> {
    let response: RecordedResponse;
    try {
      response = await handle(scope);
    } catch (error) {
      await this.release(tenant, key, claim);
      throw error;
    }
    if (response.status >= 200 && response.status < 300) {
      // Kept only while this request still holds the key (one that took it over answers for itself).
      await this.db.none('update idempotency_records set status = $4, response = $5, claim = null where tenant = $1 and key = $2 and claim = $3', [
        tenant,
        key,
        claim,
        response.status,
        JSON.stringify(response.body),
      ]);
    } else {
      await this.release(tenant, key, claim);
    }
    return response;
  }

  /** Lets a key go after a failed attempt (if this request still holds it); its day and body stay. */
  private async release(tenant: string, key: string, claim: string): Promise<void> {
    await this.db.none('update idempotency_records set claim = null where tenant = $1 and key = $2 and claim = $3', [tenant, key, claim]);
  }
}

/** The scope of a key's ids: the start of its 24 hours (ms) and the request's hash. */
const scopeColumn = `(extract(epoch from created_at) * 1000)::bigint::text || ':' || request_hash as scope`;
