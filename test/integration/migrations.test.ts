import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from '@jest/globals';
import { loadMigrations, migrate, MigrationMismatchError, type Migration } from '../../src/database/migrations.js';
import { createLogger } from '../../src/logger.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

const logger = createLogger('silent');
const migration = (version: number, sql: string): Migration => ({ version, name: `m${version}`, sql, checksum: `c${version}:${sql.length}` });

describe('migrations', () => {
  const databases: TestDatabase[] = [];
  const emptyDatabase = async (): Promise<TestDatabase> => {
    const database = await createTestDatabase({ migrated: false });
    databases.push(database);
    return database;
  };
  afterEach(async () => {
    await Promise.all(databases.splice(0).map((database) => database.drop()));
  });

  it('apply the project migrations in order, record them, and do nothing the second time', async () => {
    const { db } = await emptyDatabase();
    const files = await loadMigrations();
    expect(files.map((file) => file.version)).toEqual(files.map((_, index) => index + 1));
    expect(await migrate(db, logger)).toEqual(files.map((file) => file.version));
    expect(await migrate(db, logger)).toEqual([]);
    const recorded = await db.map('select version, checksum from schema_migrations order by version', [], (row: { version: number; checksum: string }) => row);
    expect(recorded).toEqual(files.map((file) => ({ version: file.version, checksum: file.checksum })));
    expect(await db.one('select to_regclass($1) as t', ['es_events'])).toEqual({ t: 'es_events' });
  });

  it('are applied once when two processes start at once', async () => {
    const { db } = await emptyDatabase();
    const slow = [migration(1, 'create table a (id int); select pg_sleep(0.3);'), migration(2, 'create table b (id int);')];
    const [first, second] = await Promise.all([migrate(db, logger, slow), migrate(db, logger, slow)]);
    expect([...(first ?? []), ...(second ?? [])].sort()).toEqual([1, 2]);
    expect((await db.one<{ n: string }>('select count(*) as n from schema_migrations')).n).toBe('2');
  });

  it('roll back a failing migration whole and keep the ones before it', async () => {
    const { db } = await emptyDatabase();
    const failing = [migration(1, 'create table ok (id int);'), migration(2, 'create table half (id int); select * from missing_table;')];
    await expect(migrate(db, logger, failing)).rejects.toThrow(/missing_table/);
    expect(await db.map('select version from schema_migrations', [], (row: { version: number }) => row.version)).toEqual([1]);
    expect(await db.one('select to_regclass($1) as t', ['half'])).toEqual({ t: null });
  });

  it('refuse a database that has a migration this code does not know', async () => {
    const { db } = await emptyDatabase();
    await migrate(db, logger, [migration(1, 'select 1;'), migration(2, 'select 2;')]);
    const older = migrate(db, logger, [migration(1, 'select 1;')]);
    await expect(older).rejects.toBeInstanceOf(MigrationMismatchError);
    await expect(older).rejects.toThrow(/migration 2 .* does not know/);
  });

  it('refuse a released migration that was edited afterwards', async () => {
    const { db } = await emptyDatabase();
    await migrate(db, logger, [migration(1, 'select 1;')]);
    await expect(migrate(db, logger, [migration(1, 'select 11;')])).rejects.toThrow(/changed after it was applied/);
  });

  it('refuse gaps in the numbering of the files', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'migrations-'));
    await writeFile(path.join(dir, '0001_first.sql'), 'select 1;');
    await writeFile(path.join(dir, '0003_third.sql'), 'select 3;');
    await expect(loadMigrations(dir)).rejects.toBeInstanceOf(MigrationMismatchError);
  });
});
