import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { loadMigrations, migrate, migrationChecksum, MigrationMismatchError, type Migration } from '../../src/database/migrations.js';
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

  it('start, with a warning, on a database whose newer migrations are all marked compatible with the previous release (a deploy under way)', async () => {
    const { db } = await emptyDatabase();
    // The newer release migrated the database: every project file, 0008 marked.
    const files = await loadMigrations();
    await migrate(db, logger);
    const previous = files.filter((file) => file.version <= 7);
    const watched = createLogger('silent');
    const warn = jest.spyOn(watched, 'warn');

    expect(await migrate(db, watched, previous)).toEqual([]);
    expect(warn).toHaveBeenCalledWith({ migrations: ['8_append_with_recorded_at'] }, expect.stringContaining('compatible with the previous release'));
  });

  it('still refuse a database with a newer migration that is not marked, among marked ones, naming it', async () => {
    const { db } = await emptyDatabase();
    const marked = (version: number, sql: string): Migration => ({ ...migration(version, sql), compatibleWithPreviousRelease: true });
    await migrate(db, logger, [migration(1, 'select 1;'), marked(2, 'create table added (id int);'), migration(3, 'select 3;'), marked(4, 'select 4;')]);
    const older = migrate(db, logger, [migration(1, 'select 1;')]);
    await expect(older).rejects.toBeInstanceOf(MigrationMismatchError);
    await expect(older).rejects.toThrow(/migration 3 \(m3\) that this code does not know and that is not marked compatible/);
    // The project's own 0006 (users' disabled_at: older code would let a disabled user log in) is not marked.
    const { db: project } = await emptyDatabase();
    await migrate(project, logger);
    await expect(migrate(project, logger, (await loadMigrations()).filter((file) => file.version <= 5))).rejects.toThrow(/migration 6 \(user_administration\)/);
  });

  it('keep the checksums of released migrations that were marked later, and record the mark on databases that applied them before', async () => {
    const files = await loadMigrations();
    // What every database that applied 0005, 0007 and 0008 before they were marked has recorded.
    expect(files.filter((file) => file.compatibleWithPreviousRelease).map((file) => [file.version, file.checksum])).toEqual([
      [5, '72107ca2843c396b278a66306682374c779dca1c244685c0f6dd94a519052172'],
      [7, '38bfd5f945c21afe5ad3b153c0c91c9ee0eab2f6332e5d48499f298421172ae5'],
      [8, 'd8564aeefbf678fef533141d36bc5beb0c6de82086bdd84dac7d5d26da64c4a7'],
    ]);
    const { db } = await emptyDatabase();
    const sql = 'create table kept (id int);\n';
    await migrate(db, logger, [{ version: 1, name: 'kept', sql, checksum: migrationChecksum(sql) }]);
    const markedSql = `-- compatible-with-previous-release\n${sql}`;
    expect(await migrate(db, logger, [{ version: 1, name: 'kept', sql: markedSql, checksum: migrationChecksum(markedSql), compatibleWithPreviousRelease: true }])).toEqual([]);
    expect(await db.one('select compatible_with_previous_release as compatible from schema_migrations where version = 1')).toEqual({ compatible: true });
  });

  it('refuse gaps in the numbering of the files', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'migrations-'));
    await writeFile(path.join(dir, '0001_first.sql'), 'select 1;');
    await writeFile(path.join(dir, '0003_third.sql'), 'select 3;');
    await expect(loadMigrations(dir)).rejects.toBeInstanceOf(MigrationMismatchError);
  });
});
