import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Database } from './connection.js';
import type { Logger } from '../logger.js';

/** One numbered SQL file of `migrations/`. */
export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
  readonly checksum: string;
}

/** Thrown when the database and this code disagree about the migrations; the service must not start. */
export class MigrationMismatchError extends Error {
  readonly code = 'migration-mismatch';
  constructor(message: string) {
    super(message);
    this.name = 'MigrationMismatchError';
  }
}

/** The `migrations/` folder at the project root (also from `dist/`). */
export const defaultMigrationsDir = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  import.meta.url.includes('/dist/') ? '../../../migrations' : '../../migrations',
);

const fileName = /^(\d{4})_([a-z0-9_]+)\.sql$/;

/** Reads `NNNN_name.sql` files in version order; refuses gaps and duplicate numbers. */
export async function loadMigrations(dir = defaultMigrationsDir): Promise<Migration[]> {
  const migrations: Migration[] = [];
  for (const file of (await readdir(dir)).sort()) {
    const match = fileName.exec(file);
    if (!match) continue;
    const sql = await readFile(path.join(dir, file), 'utf8');
    migrations.push({
      version: Number(match[1]),
      name: match[2] ?? file,
      sql,
      checksum: createHash('sha256').update(sql).digest('hex'),
    });
  }
  migrations.forEach((migration, index) => {
    if (migration.version !== index + 1) {
      throw new MigrationMismatchError(`migrations must be numbered 0001, 0002, ... without gaps; found ${migration.version} at place ${index + 1}`);
    }
  });
  return migrations;
}

// A fixed key for pg_advisory_lock: one migrator at a time per database.
const migrationLockKey = 0x5c_0001;

/**
 * Applies every migration the database does not have yet, in order, each in its own transaction,
 * under a session advisory lock so that two processes starting at once do not race. Refuses to
 * run against a database that has a migration this code does not know, or whose recorded
 * checksum differs from the file's (released migrations are never edited).
 * @returns the versions applied by this call.
 */
export async function migrate(db: Database, logger: Logger, migrations?: readonly Migration[]): Promise<number[]> {
  const known = migrations ?? (await loadMigrations());
  return await db.task('migrate', async (connection) => {
    await connection.any('select pg_advisory_lock($1)', [migrationLockKey]);
    try {
      await connection.none(`create table if not exists schema_migrations (
        version int primary key, name text not null, checksum text not null,
        applied_at timestamptz not null default now())`);
      const applied = await connection.map(
        'select version, name, checksum from schema_migrations order by version',
        [],
        (row: { version: number; name: string; checksum: string }) => row,
      );
      for (const row of applied) {
        const migration = known.find((candidate) => candidate.version === row.version);
        if (!migration) {
          throw new MigrationMismatchError(
            `the database has migration ${row.version} (${row.name}) that this code does not know: it was migrated by a newer version; refusing to start`,
          );
        }
        if (migration.checksum !== row.checksum) {
          throw new MigrationMismatchError(`migration ${row.version} (${row.name}) was changed after it was applied; released migrations must never be edited`);
        }
      }
      const done = new Set(applied.map((row) => row.version));
      const appliedNow: number[] = [];
      for (const migration of known) {
        if (done.has(migration.version)) continue;
        logger.info({ version: migration.version, name: migration.name }, 'applying migration');
        await connection.tx(async (transaction) => {
          await transaction.multiResult(migration.sql);
          await transaction.none('insert into schema_migrations (version, name, checksum) values ($1, $2, $3)', [
            migration.version,
            migration.name,
            migration.checksum,
          ]);
        });
        appliedNow.push(migration.version);
      }
      return appliedNow;
    } finally {
      await connection.any('select pg_advisory_unlock($1)', [migrationLockKey]);
    }
  });
}
