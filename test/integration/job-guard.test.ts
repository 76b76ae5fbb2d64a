import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
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
