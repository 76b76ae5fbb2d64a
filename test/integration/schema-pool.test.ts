import { beforeAll, describe, expect, it } from '@jest/globals';
import { closeDatabase, openDatabase, type Database } from '../../src/database/connection.js';
import { createLogger } from '../../src/logger.js';
import { reservedStockLines } from '../../src/projections/reserved-stock.js';
import { ReadSchemas } from '../../src/projections/read-schemas.js';
import { SchemaPool } from '../../src/projections/schema-pool.js';
import { projectionVersion } from '../../src/projections/version.js';
import { registerTenant } from '../../src/tenancy/registration.js';
import { Users } from '../../src/tenancy/users.js';
import { freshTenant, metadataFor } from '../support/command-handlers.js';
import { registerAndLogin, useApi } from '../support/api.js';
import { useReadSide } from '../support/read-side.js';

const logger = createLogger('silent');

describe('the spare read-schema pool', () => {
  const readSide = useReadSide();
  let db: Database;
  let version: string;
  beforeAll(() => {
    db = readSide.database.db;
    version = readSide.schemas.version;
  });

  const spares = async (): Promise<string[]> =>
    (await db.any<{ name: string }>(`select nspname::text as name from pg_namespace where nspname like $1 order by 1`, [`rp\\_${version}\\_%`])).map((row) => row.name);
  const schemaExists = async (name: string): Promise<boolean> => (await db.one<{ exists: boolean }>('select exists (select 1 from pg_namespace where nspname = $1) as exists', [name])).exists;
  const registryRows = async (tenant: string): Promise<number> =>
    (await db.one<{ count: number }>('select ((select count(*) from read_schemas where tenant = $1) + (select count(*) from read_schema_live where tenant = $1))::int as count', [tenant])).count;
  const pooled = (pool: SchemaPool): ReadSchemas => new ReadSchemas(db, readSide.store, logger, undefined, undefined, pool);
  /** Records what each claim of `pool` returned (a test of a failure after the rename checks there was one). */
  const recordClaims = (pool: SchemaPool): boolean[] => {
    const claims: boolean[] = [];
    const claim = pool.claim.bind(pool);
    pool.claim = async (t, schema) => {
      const claimed = await claim(t, schema);
      claims.push(claimed);
      return claimed;
    };
    return claims;
  };
  /** Drops every spare of this version, so each test starts from an empty pool. */
  const emptied = async (): Promise<void> => {
    await new SchemaPool(db, version).dropSpares({ everyVersion: true });
  };

  it("gives a new tenant a spare renamed to its schema, with the read model's tables, and refills once started", async () => {
    await emptied();
    const pool = new SchemaPool(db, version, { size: 2 });
    await pool.fill();
    const before = await spares();
    expect(before).toHaveLength(2);

    const tenant = freshTenant('pooled');
    const live = await pooled(pool).ensureLive(tenant);
    expect(live.schema).toBe(`rm_${tenant.replaceAll('-', '_')}_${version}`);
    expect(live.status).toBe('ready');
    const left = await spares();
    expect(left).toHaveLength(1);
    expect(before).toContain(left[0]);
    // The renamed spare is a working read schema: its tables answer and events apply to it.
    expect(await reservedStockLines(db, live.schema)).toEqual([]);
    await readSide.side.catalog.registerArticle(metadataFor(tenant), { sku: 'BOLT', name: 'Bolt', unit: 'pcs', tracking: 'none' });
    expect(await pooled(pool).catchUp(tenant, live.schema)).toBe(1);
    expect(await db.one<{ sku: string }>(`select sku from $1:name.articles`, [live.schema])).toEqual({ sku: 'BOLT' });

    // Not started, nothing is refilled; started, the pool refills at once and after every claim.
    expect(await spares()).toHaveLength(1);
    pool.start();
    await waitFor(async () => (await spares()).length === 2);
    await pooled(pool).ensureLive(freshTenant('pooled'));
    expect((await spares()).length).toBeLessThan(2);
    await waitFor(async () => (await spares()).length === 2);
    await pool.stop();
  });

  it('never hands one spare to two tenants: concurrent registrations each get a schema of their own', async () => {
    await emptied();
    const pool = new SchemaPool(db, version, { size: 3 });
    await pool.fill();
    const tenants = Array.from({ length: 8 }, () => freshTenant('many'));
    const schemas = pooled(pool);
    // 8 at once for 3 spares: 3 renamed, the others built in their transaction.
    const lives = await Promise.all(tenants.map(async (tenant) => await schemas.ensureLive(tenant)));
    expect(new Set(lives.map((live) => live.schema)).size).toBe(8);
    for (const live of lives) expect(await reservedStockLines(db, live.schema)).toEqual([]);
    expect(await spares()).toEqual([]);
  });

  it('a spare being claimed is skipped by a second claim, which gets another one or none', async () => {
    await emptied();
    const pool = new SchemaPool(db, version, { size: 1 });
    await pool.fill();
    const [spare] = await spares();
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    let claimedFirst: (claimed: boolean) => void = () => undefined;
    const firstClaimed = new Promise<boolean>((resolve) => (claimedFirst = resolve));
    const first = db.tx(async (t) => {
      claimedFirst(await pool.claim(t, 'rm_claimed_first'));
      await held;
    });
    expect(await firstClaimed).toBe(true);
    // The first claim's transaction is open and holds the only spare.
    const second = await db.tx(async (t) => await pool.claim(t, 'rm_claimed_second'));
    expect(second).toBe(false);
    release();
    await first;
    expect(await schemaExists('rm_claimed_first')).toBe(true);
    expect(await schemaExists('rm_claimed_second')).toBe(false);
    expect(await schemaExists(spare ?? '')).toBe(false);
    await db.none('drop schema rm_claimed_first cascade');
  });

  it('a registration that fails after the rename leaves the spare in the pool and no tenant, schema or registry row', async () => {
    await emptied();
    const pool = new SchemaPool(db, version, { size: 1 });
    await pool.fill();
    const before = await spares();
    const claims = recordClaims(pool);
    const tenant = freshTenant('failing');
    // The admin's row fails after the schema was renamed in the same transaction.
    const users = new Users(db);
    users.create = async () => {
      throw new Error('the admin could not be created');
    };
    await expect(
      registerTenant(
        { db, users, readSchemas: pooled(pool), logger, baseDomain: 'localhost' },
        { companyName: 'Failing Ltd', tenant, email: 'a@failing.example', username: 'admin', password: 'correct horse battery' },
      ),
    ).rejects.toThrow('the admin could not be created');
    expect(claims).toEqual([true]);
    expect(await spares()).toEqual(before);
    expect(await schemaExists(`rm_${tenant.replaceAll('-', '_')}_${version}`)).toBe(false);
    expect(await registryRows(tenant)).toBe(0);
    expect(await db.oneOrNone('select 1 from tenants where slug = $1', [tenant])).toBeNull();
  });

  it('a connection killed between the rename and the commit leaves nothing half-made', async () => {
    await emptied();
    const pool = new SchemaPool(db, version, { size: 1 });
    await pool.fill();
    const before = await spares();
    const claims = recordClaims(pool);
    const tenant = freshTenant('killed');
    const other = openDatabase(readSide.database.url, { max: 1 });
    try {
      await expect(
        db.tx(async (t) => {
          await pooled(pool).createLiveIn(t, tenant);
          const { pid } = await t.one<{ pid: number }>('select pg_backend_pid() as pid');
          await other.one('select pg_terminate_backend($1)', [pid]);
          await t.one('select 1');
        }),
      ).rejects.toThrow();
    } finally {
      await closeDatabase(other);
    }
    expect(claims).toEqual([true]);
    expect(await spares()).toEqual(before);
    expect(await schemaExists(`rm_${tenant.replaceAll('-', '_')}_${version}`)).toBe(false);
    expect(await registryRows(tenant)).toBe(0);
  });

  it("drops another version's spares left for over an hour, never this version's nor one being claimed", async () => {
    await emptied();
    const old = (Date.now() - 2 * 60 * 60_000).toString(36);
    const recent = `rp_0ldversion_${Date.now().toString(36)}_00000003`;
    await db.none(`create schema $1:name; create schema $2:name; create schema $3:name`, [`rp_0ldversion_${old}_00000001`, `rp_0ldversion_${old}_00000002`, recent]);
    const pool = new SchemaPool(db, version, { size: 1 });
    await pool.fill();
    const ours = await spares();
    // One old spare is being claimed by an old process's open transaction.
    const dropped = await db.tx(async (t) => {
      await t.one(`select pg_advisory_xact_lock(${0x53504152}, hashtext('rp_0ldversion_${old}_00000002'))`);
      return await pool.dropSpares({ olderThanMs: 60 * 60_000 });
    });
    expect(dropped).toEqual([`rp_0ldversion_${old}_00000001`]);
    expect(await schemaExists(`rp_0ldversion_${old}_00000002`)).toBe(true);
    expect(await schemaExists(recent)).toBe(true);
    expect(await spares()).toEqual(ours);
    await db.none('drop schema $1:name; drop schema $2:name', [`rp_0ldversion_${old}_00000002`, recent]);
  });
});

describe('the service keeps spares and registers companies with them (READ_SCHEMA_POOL_SIZE=2)', () => {
  const api = useApi({ READ_SCHEMA_POOL_SIZE: '2' });

  it('builds 2 spares when it starts, gives a registered company one of them and builds another', async () => {
    const version = projectionVersion();
    const spares = async (): Promise<string[]> =>
      (await api.database.db.any<{ name: string }>(`select nspname::text as name from pg_namespace where nspname like $1 order by 1`, [`rp\\_${version}\\_%`])).map((row) => row.name);
    await waitFor(async () => (await spares()).length === 2);
    const before = await spares();
    const oids = new Map(
      (await api.database.db.any<{ name: string; oid: number }>('select nspname::text as name, oid::int from pg_namespace where nspname = any($1)', [before])).map((row) => [row.oid, row.name]),
    );
    const { tenant } = await registerAndLogin(api.app, 'spare-co');
    // The tenant's live schema is one of the spares, renamed (same namespace oid).
    const live = await api.database.db.one<{ oid: number }>('select n.oid::int from read_schema_live l join pg_namespace n on n.nspname = l.schema_name where l.tenant = $1', [tenant]);
    expect(oids.has(live.oid)).toBe(true);
    await waitFor(async () => (await spares()).length === 2);
    expect(await spares()).not.toContain(oids.get(live.oid));
  });
});

async function waitFor(condition: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
