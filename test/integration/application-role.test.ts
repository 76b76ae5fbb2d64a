import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmod, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { loadConfig } from '../../src/config.js';
import { applicationCredentialsFile } from '../../src/database/application-role.js';
import { openConfiguredDatabase } from '../../src/database/configured-database.js';
import { closeDatabase, openDatabase } from '../../src/database/connection.js';
import { startEmbeddedPostgres } from '../../src/database/embedded-postgres.js';
import { loadMigrations, migrate } from '../../src/database/migrations.js';
import { findFreePort } from '../../src/database/tcp-port.js';
import { stopStalePostmaster } from '../../src/database/postmaster.js';
import { createLogger, type Logger } from '../../src/logger.js';
import { ProjectionJobGuard } from '../../src/projections/job-guard.js';
import { databaseUrl } from '../support/test-database.js';
import { startService } from '../support/service-process.js';

const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** A logger whose lines are kept, to look for one. */
function recordingLogger(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  return { logger: createLogger('info', 'test', { write: (line: string) => void lines.push(line) }), lines };
}

// Objects of the database's own schemas and who owns them (catalogs are readable by every role).
const ownersSql = `
  select 'schema ' || nspname as object, pg_get_userbyid(nspowner) as owner from pg_namespace
   where nspname <> 'information_schema' and nspname not like 'pg\\_%' and nspname <> 'public'
  union all
  select 'relation ' || n.nspname || '.' || c.relname, pg_get_userbyid(c.relowner) from pg_class c join pg_namespace n on n.oid = c.relnamespace
   where n.nspname <> 'information_schema' and n.nspname not like 'pg\\_%'
  union all
  select 'routine ' || p.oid::regprocedure, pg_get_userbyid(p.proowner) from pg_proc p join pg_namespace n on n.oid = p.pronamespace
   where n.nspname <> 'information_schema' and n.nspname not like 'pg\\_%'
  union all
  select 'type ' || n.nspname || '.' || t.typname, pg_get_userbyid(t.typowner) from pg_type t join pg_namespace n on n.oid = t.typnamespace
   where n.nspname <> 'information_schema' and n.nspname not like 'pg\\_%'
  union all
  select 'database ' || datname, pg_get_userbyid(datdba) from pg_database where datname = current_database()
  order by 1`;

async function runCli(script: string, args: readonly string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], { cwd: projectRoot, env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'warn', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return await new Promise((resolve) => child.once('close', (code) => resolve({ code, stdout, stderr })));
}

/**
 * Issue 16, finding 9: the service connected as the PostgreSQL superuser. The embedded set-up now
 * makes a login role that owns the application database, upgrades a cluster made the old way,
 * and the service, its migrations, projector and CLIs all run as that role.
 */
describe('the embedded PostgreSQL application role', () => {
  const folders: string[] = [];
  const dataDir = async (): Promise<string> => {
    const folder = await mkdtemp(path.join(os.tmpdir(), 'stockcontrol-role-'));
    // mkdtemp makes it 0700: opened so that, as root, the cluster stays in it.
    await chmod(folder, 0o755);
    folders.push(folder);
    return folder;
  };
  afterAll(async () => {
    for (const folder of folders) {
      await stopStalePostmaster(path.join(folder, 'pg'));
      await rm(folder, { recursive: true, force: true });
    }
  }, 60_000);

  it('upgrades a DATA_DIR whose database and objects the superuser owns, in place and idempotently', async () => {
    const folder = await dataDir();
    const port = await findFreePort();
    const migrations = await loadMigrations();

    // The previous version: the database made and migrated (0001-0003) as the superuser, and a read schema of every kind of object.
    const old = await startEmbeddedPostgres({ dataDir: folder, port, durable: false, applicationRole: false, logger: createLogger('silent') });
    const oldDb = openDatabase(old.url, { max: 1 });
    try {
      expect(await migrate(oldDb, createLogger('silent'), migrations.slice(0, 3))).toEqual([1, 2, 3]);
      await oldDb.multi(`
        create schema rm_acme_1;
        create table rm_acme_1.stock (id bigint generated always as identity primary key, n serial, article text);
        create sequence rm_acme_1.numbers;
        create view rm_acme_1.articles as select article from rm_acme_1.stock;
        create type rm_acme_1.state as enum ('open', 'closed');
        create domain rm_acme_1.quantity as numeric check (value >= 0);
        create type rm_acme_1.pair as (a int, b int);
        create function rm_acme_1.twice(x int) returns int language sql as 'select 2 * x';
        create materialized view rm_acme_1.counted as select count(*) from rm_acme_1.stock;`);
      expect((await oldDb.one<{ rolsuper: boolean }>('select rolsuper from pg_roles where rolname = current_user')).rolsuper).toBe(true);
    } finally {
      await closeDatabase(oldDb);
      await old.stop();
    }

    const { logger, lines } = recordingLogger();
    const upgraded = await startEmbeddedPostgres({ dataDir: folder, port, durable: false, logger });
    const db = openDatabase(upgraded.url, { max: 3 });
    try {
      const me = await db.one<{ user: string; rolsuper: boolean; rolcreatedb: boolean; rolcreaterole: boolean; rolreplication: boolean; rolbypassrls: boolean }>(
        'select current_user as user, rolsuper, rolcreatedb, rolcreaterole, rolreplication, rolbypassrls from pg_roles where rolname = current_user',
      );
      expect(me).toEqual({ user: 'stockcontrol', rolsuper: false, rolcreatedb: false, rolcreaterole: false, rolreplication: false, rolbypassrls: false });
      const notOurs = (await db.any<{ object: string; owner: string }>(ownersSql)).filter((row) => row.owner !== 'stockcontrol');
      expect(notOurs).toEqual([]);
      expect(lines.join('')).toContain('gave the database stockcontrol and the superuser\'s objects in it to the role stockcontrol');
      expect((await stat(applicationCredentialsFile(folder))).mode & 0o777).toBe(0o600);

      // As the role: the remaining migrations (0004 renames a function 0001 made), a read schema dropped, the events still append-only.
      expect(await migrate(db, createLogger('silent'), migrations)).toEqual(migrations.slice(3).map((migration) => migration.version));
      await db.none('drop schema rm_acme_1 cascade');
      await db.none('create schema rm_acme_2; create table rm_acme_2.t (id int); drop schema rm_acme_2 cascade');
      await expect(db.none('truncate es_events')).rejects.toThrow('es_events is append-only');
      // A job guard's holder is found through pg_locks and pg_stat_activity, both read as the role.
      const guard = new ProjectionJobGuard(db);
      const lease = await guard.acquire('acme', 'verify');
      try {
        await expect(guard.acquire('acme', 'verify')).rejects.toMatchObject({ running: { kind: 'verify', tenant: 'acme', startedAt: lease.startedAt } });
      } finally {
        await lease.release();
      }
    } finally {
      await closeDatabase(db);
      await upgraded.stop();
    }

    // Again: nothing left to give, and the same role and password.
    const { logger: againLogger, lines: againLines } = recordingLogger();
    const again = await startEmbeddedPostgres({ dataDir: folder, port, durable: false, logger: againLogger });
    const againDb = openDatabase(again.url, { max: 1 });
    try {
      expect((await againDb.one<{ user: string }>('select current_user as user')).user).toBe('stockcontrol');
      expect(againLines.join('')).not.toContain('gave the database');
    } finally {
      await closeDatabase(againDb);
      await again.stop();
    }
  }, 120_000);

  it('runs the service, its projector and its CLIs as a role that is not a superuser', async () => {
    const folder = await dataDir();
    const env = { DATA_DIR: folder, PORT: String(await findFreePort()), EMBEDDED_PG_PORT: String(await findFreePort()), DEMO: 'true' };
    const service = startService(env);
    try {
      await service.waitUntilHealthy(Number(env.PORT), 60_000);
      const superuser = JSON.parse(await readFile(path.join(folder, 'pg-credentials.json'), 'utf8')) as { user: string; password: string };
      const client = new pg.Client({ host: 'localhost', port: Number(env.EMBEDDED_PG_PORT), user: superuser.user, password: superuser.password, database: 'stockcontrol' });
      await client.connect();
      try {
        // The demo tenant's read schema is built by the service's projector, as the role.
        const deadline = Date.now() + 60_000;
        while ((await client.query("select 1 from read_schemas where tenant = 'demo' and status = 'ready'")).rowCount === 0) {
          if (Date.now() > deadline) throw new Error(`no ready read schema for the demo tenant:\n${service.output()}`);
          await new Promise((resolve) => setTimeout(resolve, 200));
        }
        const sessions = await client.query<{ user: string }>("select distinct usename as user from pg_stat_activity where datname = 'stockcontrol' and pid <> pg_backend_pid()");
        expect(sessions.rows).toEqual([{ user: 'stockcontrol' }]);
        const owners = await client.query<{ object: string; owner: string }>(ownersSql);
        expect(owners.rows.filter((row) => row.owner !== 'stockcontrol')).toEqual([]);
        expect(owners.rows.some((row) => row.object.startsWith('schema rm_demo'))).toBe(true);
      } finally {
        await client.end();
      }
      expect(service.output()).not.toContain('connected to PostgreSQL as the superuser');
    } finally {
      service.child.kill('SIGTERM');
      expect({ code: await service.exited, output: service.output() }).toMatchObject({ code: 0 });
    }

    const migrateRun = await runCli('src/cli/migrate.ts', [], { DATA_DIR: folder, EMBEDDED_PG_PORT: env.EMBEDDED_PG_PORT });
    expect(migrateRun).toMatchObject({ code: 0, stdout: 'database is up to date\n' });
    for (const command of [['status'], ['verify', '--tenant', 'demo'], ['gc', '--grace-minutes', '0']]) {
      const run = await runCli('src/cli/stockctl.ts', ['projections', ...command], { DATA_DIR: folder, EMBEDDED_PG_PORT: env.EMBEDDED_PG_PORT });
      expect({ command, ...run }).toMatchObject({ command, code: 0 });
    }

    // The configured database, opened as the service opens it: not a superuser.
    const database = await openConfiguredDatabase(loadConfig({ DATA_DIR: folder, EMBEDDED_PG_PORT: env.EMBEDDED_PG_PORT, LOG_LEVEL: 'silent' }), createLogger('silent'), { onLost: () => undefined });
    try {
      expect(await database.db.one('select current_user as user, rolsuper from pg_roles where rolname = current_user')).toEqual({ user: 'stockcontrol', rolsuper: false });
    } finally {
      await database.close();
    }
  }, 180_000);

  describe('with a DATABASE_URL', () => {
    const adminUrl = process.env.STOCKCONTROL_TEST_ADMIN_URL ?? '';
    const role = `sc_plain_${process.pid}`;
    const password = randomBytes(12).toString('hex');
    beforeAll(async () => {
      const admin = new pg.Client({ connectionString: adminUrl });
      await admin.connect();
      await admin.query(`create role ${role} login password '${password}'`);
      await admin.end();
    });
    afterAll(async () => {
      const admin = new pg.Client({ connectionString: adminUrl });
      await admin.connect();
      await admin.query(`drop role if exists ${role}`);
      await admin.end();
    });

    it('warns once when it is connected as a superuser, and not when it is not', async () => {
      const asSuperuser = recordingLogger();
      const superDatabase = await openConfiguredDatabase(loadConfig({ DATABASE_URL: databaseUrl(adminUrl, 'postgres'), LOG_LEVEL: 'silent' }), asSuperuser.logger);
      await superDatabase.close();
      expect(asSuperuser.lines).toHaveLength(1);
      expect(JSON.parse(asSuperuser.lines[0] ?? '{}')).toMatchObject({ level: 40, msg: expect.stringContaining('connected to PostgreSQL as the superuser') });

      const plainUrl = new URL(databaseUrl(adminUrl, 'postgres'));
      plainUrl.username = role;
      plainUrl.password = password;
      const plain = recordingLogger();
      const database = await openConfiguredDatabase(loadConfig({ DATABASE_URL: plainUrl.toString(), LOG_LEVEL: 'silent' }), plain.logger);
      try {
        expect(await database.db.one('select current_user as user')).toEqual({ user: role });
      } finally {
        await database.close();
      }
      expect(plain.lines).toEqual([]);
    }, 30_000);
  });
});
