import { describe, expect, it } from '@jest/globals';
import { IdempotencyMismatch, IdempotencyRecords } from '../../src/tenancy/idempotency.js';
import { registerAndLogin, useApi } from '../support/api.js';

/** A handler the test finishes by hand. */
function pending(): { handle: (scope: string) => Promise<{ status: number; body: unknown }>; scope: Promise<string>; finish(status: number, body: unknown): void; fail(): void } {
  let finish: (value: { status: number; body: unknown }) => void = () => undefined;
  let fail: (error: Error) => void = () => undefined;
  let started: (scope: string) => void = () => undefined;
  const scope = new Promise<string>((resolve) => (started = resolve));
  return {
    handle: (given) => {
      started(given);
      return new Promise((resolve, reject) => {
        finish = resolve;
        fail = reject;
      });
    },
    scope,
    finish: (status, body) => finish({ status, body }),
    fail: () => fail(new Error('the attempt failed')),
  };
}

describe('idempotency records under overlapping attempts', () => {
  const api = useApi();

  it('lets a stale attempt neither release nor answer for the attempt that took its key over', async () => {
    await registerAndLogin(api.app, 'overlap');
    const records = new IdempotencyRecords(api.database.db, 300);
    const other = new IdempotencyRecords(api.database.db, 300);
    const r1 = pending();
    const first = records.run('overlap', 'k', 'hash-a', r1.handle);
    const scope1 = await r1.scope;
    // R1's database session ends (its connection broke) while its request still runs: the claim
    // went with the session, so a retry of the same body (here from another process) takes it over.
    await api.database.db.any(
      `select pg_terminate_backend(l.pid) from pg_locks l join idempotency_records r on r.key = 'k'
        where l.locktype = 'advisory' and l.objsubid = 1 and ((l.classid::bigint << 32) | l.objid::bigint) = ('x' || left(replace(r.claim::text, '-', ''), 16))::bit(64)::bigint`,
    );
    const r2 = pending();
    const second = other.run('overlap', 'k', 'hash-a', r2.handle);
    expect(await r2.scope).toBe(scope1); // the same ids: the event store records the movement once
    // R1 fails now: it no longer holds the key, so it does not let it go.
    r1.fail();
    await expect(first).rejects.toThrow('the attempt failed');
    // Another body cannot take the key while R2 holds it.
    await expect(records.run('overlap', 'k', 'hash-b', async () => ({ status: 201, body: 'B' }))).rejects.toBeInstanceOf(IdempotencyMismatch);
    r2.finish(201, { movement: 'A' });
    expect(await second).toEqual({ status: 201, body: { movement: 'A' }, replayed: false });
    expect(await records.run('overlap', 'k', 'hash-a', async () => ({ status: 500, body: 'never run' }))).toEqual({ status: 201, body: { movement: 'A' }, replayed: true });
    await expect(records.run('overlap', 'k', 'hash-b', async () => ({ status: 201, body: 'B' }))).rejects.toBeInstanceOf(IdempotencyMismatch);
    await records.close();
    await other.close();
  });

  it('gives another body after a failed attempt its own scope, and the first body its old one back', async () => {
    await registerAndLogin(api.app, 'scopes');
    const records = new IdempotencyRecords(api.database.db, 300);
    let scopeA = '';
    await expect(
      records.run('scopes', 'k', 'hash-a', async (scope) => {
        scopeA = scope;
        throw new Error('refused');
      }),
    ).rejects.toThrow('refused');
    let scopeB = '';
    await records.run('scopes', 'k', 'hash-b', async (scope) => {
      scopeB = scope;
      return { status: 422, body: 'refused too' };
    });
    let scopeAgain = '';
    await records.run('scopes', 'k', 'hash-a', async (scope) => {
      scopeAgain = scope;
      return { status: 201, body: 'A' };
    });
    expect(scopeB).not.toBe(scopeA);
    expect(scopeAgain).toBe(scopeA);
  });
});
