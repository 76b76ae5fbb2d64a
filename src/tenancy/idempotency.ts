import { createHash } from 'node:crypto';
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
 * Below this layer the command's ids are derived from the key and its scope (the time the key was
 * first claimed), so the event store itself refuses to record one movement twice: a request that
 * committed its events but crashed before its answer was kept is answered, when retried, with the
 * movement it recorded; and a key used again after its 24 hours gets a new scope, new ids and a
 * new movement.
 */
export class IdempotencyRecords {
  constructor(
    private readonly db: Database,
    private readonly waitMs = 10_000,
  ) {}

  /**
   * Runs `handle` once per (tenant, key) within 24 h: returns the recorded answer to a retry
   * (`replayed`), or the fresh answer of `handle`. `handle` gets the key's scope (its claim time,
   * in ms): the command layer derives the movement's ids from key and scope.
   */
  async run(tenant: string, key: string, hash: string, handle: (scope: string) => Promise<RecordedResponse>): Promise<RecordedResponse & { readonly replayed: boolean }> {
    const deadline = Date.now() + this.waitMs;
    for (;;) {
      // A new key, one whose 24 hours are over, or one a failed attempt let go that now comes with
      // another body: a new scope (another body must never meet the ids of the failed attempt).
      const claimed = await this.db.oneOrNone<{ scope: string }>(
        `insert into idempotency_records (tenant, key, request_hash) values ($1, $2, $3)
         on conflict (tenant, key) do update
           set request_hash = excluded.request_hash, status = null, response = null, created_at = now(), claimed_at = now()
           where idempotency_records.created_at < now() - make_interval(hours => $4)
              or (idempotency_records.status is null and idempotency_records.claimed_at = '-infinity'
                  and idempotency_records.request_hash <> excluded.request_hash)
         returning ${scopeColumn}`,
        [tenant, key, hash, idempotencyHours],
      );
      if (claimed) return { ...(await this.handleClaimed(tenant, key, claimed.scope, handle)), replayed: false };
      // The same body again after a failed attempt, or after a crashed process left its claim: same scope.
      const taken = await this.db.oneOrNone<{ scope: string }>(
        `update idempotency_records set claimed_at = now()
          where tenant = $1 and key = $2 and status is null and request_hash = $3 and claimed_at < now() - make_interval(secs => $4)
          returning ${scopeColumn}`,
        [tenant, key, hash, abandonedClaimSeconds],
      );
      if (taken) return { ...(await this.handleClaimed(tenant, key, taken.scope, handle)), replayed: false };
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
    const result = await this.db.result(`delete from idempotency_records where created_at < now() - make_interval(hours => $1)`, [idempotencyHours]);
    return result.rowCount;
  }

  private async handleClaimed(tenant: string, key: string, scope: string, handle: (scope: string) => Promise<RecordedResponse>): Promise<RecordedResponse> {
    let response: RecordedResponse;
    try {
      response = await handle(scope);
    } catch (error) {
      await this.release(tenant, key);
      throw error;
    }
    if (response.status >= 200 && response.status < 300) {
      await this.db.none('update idempotency_records set status = $3, response = $4 where tenant = $1 and key = $2', [tenant, key, response.status, JSON.stringify(response.body)]);
    } else {
      await this.release(tenant, key);
    }
    return response;
  }

  /**
   * Lets a key go after a failed attempt, keeping its scope and body: a retry of the same body
   * derives the same ids, so if the attempt did commit its events (and failed afterwards), the
   * retry finds that movement; another body gets a new scope.
   */
  private async release(tenant: string, key: string): Promise<void> {
    await this.db.none(`update idempotency_records set claimed_at = '-infinity' where tenant = $1 and key = $2 and status is null`, [tenant, key]);
  }
}

/** The claim time in ms, as text: the scope of a key's ids. */
const scopeColumn = `(extract(epoch from created_at) * 1000)::bigint::text as scope`;
