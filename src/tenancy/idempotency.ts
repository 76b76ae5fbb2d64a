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

/** The hash that tells a retry from another request: method, path and body. */
export function requestHash(method: string, path: string, body: unknown): string {
  return createHash('sha256').update(`${method} ${path}\n`).update(JSON.stringify(body ?? null)).digest('hex');
}

/**
 * Idempotency records (API.md): the first request with a key is handled and its successful answer
 * kept 24 h; a retry with the same body gets that answer and records nothing new; another body
 * is refused. A retry arriving while the first is still running waits for it (up to `waitMs`).
 * A failed first attempt keeps nothing, so a corrected retry with the same key can succeed.
 *
 * The events a retry would write are also protected below this layer: command ids derived from
 * the key make the event store refuse to record a movement twice.
 */
export class IdempotencyRecords {
  constructor(
    private readonly db: Database,
    private readonly waitMs = 10_000,
  ) {}

  /**
   * Runs `handle` once per (tenant, key): returns `{ replay }` with the recorded answer for a retry,
   * or the fresh answer of `handle`.
   */
  async run(tenant: string, key: string, hash: string, handle: () => Promise<RecordedResponse>): Promise<RecordedResponse & { readonly replayed: boolean }> {
    const deadline = Date.now() + this.waitMs;
    for (;;) {
      const claimed = await this.db.result(
        `insert into idempotency_records (tenant, key, request_hash) values ($1, $2, $3)
         on conflict (tenant, key) do update set request_hash = excluded.request_hash, status = null, response = null, created_at = now()
           where idempotency_records.created_at < now() - make_interval(hours => $4)`,
        [tenant, key, hash, idempotencyHours],
      );
      if (claimed.rowCount === 1) return { ...(await this.handleClaimed(tenant, key, handle)), replayed: false };
      const existing = await this.db.oneOrNone<{ request_hash: string; status: number | null; response: unknown }>(
        'select request_hash, status, response from idempotency_records where tenant = $1 and key = $2',
        [tenant, key],
      );
      if (!existing) continue; // the first attempt failed and let the key go: claim it now
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

  private async handleClaimed(tenant: string, key: string, handle: () => Promise<RecordedResponse>): Promise<RecordedResponse> {
    let response: RecordedResponse;
    try {
      response = await handle();
    } catch (error) {
      await this.db.none('delete from idempotency_records where tenant = $1 and key = $2 and status is null', [tenant, key]);
      throw error;
    }
    if (response.status >= 200 && response.status < 300) {
      await this.db.none('update idempotency_records set status = $3, response = $4 where tenant = $1 and key = $2', [tenant, key, response.status, JSON.stringify(response.body)]);
    } else {
      await this.db.none('delete from idempotency_records where tenant = $1 and key = $2 and status is null', [tenant, key]);
    }
    return response;
  }
}
