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
  /**
   * The file says `-- compatible-with-previous-release` on a line of its own: code that does not
   * know this migration still runs correctly on a database that has it (expand-only: new tables,
   * nullable columns, a function kept with its old signature). Recorded in `schema_migrations`,
   * so that a process of the previous release, restarted in the middle of a deploy, starts.
   */
  readonly compatibleWithPreviousRelease?: boolean;
}

/** The mark of a migration that older code tolerates (see Migration), a line of its own. */
const compatibleMark = /^-- compatible-with-previous-release[ \t]*\r?\n/m;

/**
 * A migration's checksum: of its text without the compatibility mark, so that marking a released
 * migration later does not make every database that applied it refuse it as edited.
 */
export function migrationChecksum(sql: string): string {
  return createHash('sha256').update(sql.replace(compatibleMark, '')).digest('hex');
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
      checksum: migrationChecksum(sql),
      compatibleWithPreviousRelease: compatibleMark.test(sql),
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
 * run against a database whose recorded checksum of a migration differs from the file's
 * (released migrations are never edited), or that has a migration this code does not know,
 * unless every such migration was recorded as compatible with the previous release (a newer
 * release's, mid-deploy): then it starts and logs a warning.
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
      // The bookkeeping table is the migrator's own, not a migration's (as its creation above):
      // an older release reads its three columns by name and never sees this one.
      await connection.none('alter table schema_migrations add column if not exists compatible_with_previous_release boolean not null default false');
      const applied = await connection.map(
        'select version, name, checksum, compatible_with_previous_release as compatible from schema_migrations order by version',
        [],
        (row: { version: number; name: string; checksum: string; compatible: boolean }) => row,
      );
      const unknown = applied.filter((row) => !known.some((candidate) => candidate.version === row.version));
      const refused = unknown.filter((row) => !row.compatible);
      if (refused.length > 0) {
        const names = refused.map((row) => `${row.version} (${row.name})`).join(', ');
        throw new MigrationMismatchError(
          `the database has migration ${names} that this code does not know and that is not marked compatible with the previous release: it was migrated by a newer version; refusing to start`,
        );
      }
      if (unknown.length > 0) {
        logger.warn(
          { migrations: unknown.map((row) => `${row.version}_${row.name}`) },
          'the database has newer migrations than this code knows, each marked compatible with the previous release (a deploy under way): starting',
        );
      }
      const marks: number[] = [];
      for (const row of applied) {
        const migration = known.find((candidate) => candidate.version === row.version);
        if (!migration) continue;
        if (migration.checksum !== row.checksum) {
          throw new MigrationMismatchError(`migration ${row.version} (${row.name}) was changed after it was applied; released migrations must never be edited`);
        }
        if (migration.compatibleWithPreviousRelease === true && !row.compatible) marks.push(migration.version);
      }
      // A mark added to a released migration reaches the databases that applied it before.
      if (marks.length > 0) await connection.none('update schema_migrations set compatible_with_previous_release = true where version = any($1::int[])', [marks]);
      const done = new Set(applied.map((row) => row.version));
      const appliedNow: number[] = [];
      for (const migration of known) {
        if (done.has(migration.version)) continue;
        logger.info({ version: migration.version, name: migration.name }, 'applying migration');
        await connection.tx(async (transaction) => {
          await transaction.multiResult(migration.sql);
          await transaction.none('insert into schema_migrations (version, name, checksum, compatible_with_previous_release) values ($1, $2, $3, $4)', [
            migration.version,
            migration.name,
            migration.checksum,
            migration.compatibleWithPreviousRelease === true,
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
