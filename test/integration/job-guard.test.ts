import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { ProjectionJobGuard } from '../../src/projections/job-guard.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

describe('projection job guard', () => {
  let database: TestDatabase;
  let guard: ProjectionJobGuard;

  beforeAll(async () => {
    database = await createTestDatabase();
    guard = new ProjectionJobGuard(database.db);
  });
  afterAll(async () => {
    await database.drop();
  });

  it('lets two tenants whose names have the same 32-bit hashtext run the same job at once', async () => {
    // Two slugs with one hashtext, found by searching (about 4 pairs are expected among 200,000 names).
    const pair = await database.db.one<{ first: string; second: string }>(`
      select min(name) as first, max(name) as second
        from (select 'tenant-' || n as name from generate_series(1, 200000) n) names
       group by hashtext(name) having count(*) > 1 limit 1`);
    const hashes = await database.db.one<{ first: number; second: number }>('select hashtext($1) as first, hashtext($2) as second', [pair.first, pair.second]);
    expect(hashes.first).toBe(hashes.second);

    const first = await guard.acquire(pair.first, 'rebuild');
    try {
      const second = await guard.acquire(pair.second, 'rebuild');
      // Each tenant's own job is still excluded, and named with its own start.
      await expect(guard.acquire(pair.first, 'rebuild')).rejects.toMatchObject({ running: { kind: 'rebuild', tenant: pair.first, startedAt: first.startedAt } });
      await expect(guard.acquire(pair.second, 'rebuild')).rejects.toMatchObject({ running: { kind: 'rebuild', tenant: pair.second, startedAt: second.startedAt } });
      await second.release();
    } finally {
      await first.release();
    }
  });

  it("excludes an old release's job (its advisory lock keyed by hashtext) and holds that lock for them, during a rolling deploy", async () => {
    const tenant = 'rolling-deploy';
    // A process of the release before the claims by name: pg_try_advisory_lock(hashtext(kind), hashtext(tenant)).
    const oldProcess = new pg.Client({ connectionString: database.url });
    await oldProcess.connect();
    try {
      const oldLock = async (): Promise<boolean> =>
        (await oldProcess.query<{ locked: boolean }>('select pg_try_advisory_lock(hashtext($1), hashtext($2)) as locked', ['rebuild', tenant])).rows[0]?.locked === true;
      expect(await oldLock()).toBe(true);
      await expect(guard.acquire(tenant, 'rebuild')).rejects.toMatchObject({ code: 'already-running', running: { kind: 'rebuild', tenant, startedAt: expect.stringMatching(/^\d{4}-/) } });
      // Another kind is another job.
      await (await guard.acquire(tenant, 'verify')).release();
      await oldProcess.query('select pg_advisory_unlock(hashtext($1), hashtext($2))', ['rebuild', tenant]);

      const lease = await guard.acquire(tenant, 'rebuild');
      // The old release's process finds this one's job as running.
      expect(await oldLock()).toBe(false);
      await lease.release();
      expect(await oldLock()).toBe(true);
      await oldProcess.query('select pg_advisory_unlock(hashtext($1), hashtext($2))', ['rebuild', tenant]);
    } finally {
      await oldProcess.end();
    }
  });

  it("does not see another database's job: a tenant of the same name in another installation on the server runs its own", async () => {
    const other = await createTestDatabase();
    try {
      const here = await guard.acquire('shared-name', 'rebuild');
      try {
        const there = await new ProjectionJobGuard(other.db).acquire('shared-name', 'rebuild');
        await there.release();
      } finally {
        await here.release();
      }
    } finally {
      await other.drop();
    }
  });

  it('lets a verify run beside a rebuild of the same tenant, and a job start again right after its release', async () => {
    const rebuild = await guard.acquire('acme', 'rebuild');
    const verify = await guard.acquire('acme', 'verify');
    await verify.release();
    await rebuild.release();
    // The claim is given up before the connection closes: no "already running" from a job just ended.
    const again = await guard.acquire('acme', 'rebuild');
    expect(again.startedAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    await again.release();
  });

  it('refuses a tenant name too long to be told apart in a claim rather than guard it wrongly', async () => {
    await expect(guard.acquire('x'.repeat(60), 'verify')).rejects.toThrow('cannot be guarded');
  });
});
