import { randomBytes } from 'node:crypto';
import { readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import type { Logger } from '../logger.js';
import type { Database } from './connection.js';

/** A login role and its password. */
export interface RoleCredentials {
  readonly user: string;
  readonly password: string;
}

/** The login role the service connects as on its embedded server. */
export const applicationRoleName = 'stockcontrol';

/** Where the application role's credentials are kept: beside the superuser's, mode 600. */
export const applicationCredentialsFile = (dataDir: string): string => path.join(dataDir, 'pg-application-credentials.json');

/**
 * The application role's credentials from DATA_DIR, made (and written, mode 600) when there are
 * none yet: on a cluster's first start, and on the first start of a cluster made by a version
 * that connected as the superuser. Written before the role is created, and the role's password
 * is set from the file on every start, so a start that fails in between loses nothing.
 */
export async function applicationCredentials(dataDir: string): Promise<RoleCredentials> {
  const file = applicationCredentialsFile(dataDir);
  const kept = await readFile(file, 'utf8').then(
    (text) => JSON.parse(text) as RoleCredentials,
    () => undefined,
  );
  if (kept !== undefined) return kept;
  const made = { user: applicationRoleName, password: randomBytes(18).toString('base64url') };
  // Written aside and renamed, so that the file is never seen half-written.
  const aside = `${file}.${process.pid}.tmp`;
  await writeFile(aside, JSON.stringify(made), { mode: 0o600 });
  await rename(aside, file);
  return made;
}

// Utility statements take no parameters: the name and password are quoted by pg.
const roleAttributes = 'login nosuperuser nocreatedb nocreaterole noreplication nobypassrls inherit';

/**
 * Creates the application role, or brings an existing one back to what it must be: a login role
 * with no other attribute and the password of DATA_DIR's file. Runs as the superuser on every
 * start (it is idempotent and cheap).
 */
export async function ensureApplicationRole(superuser: pg.Client, role: RoleCredentials): Promise<void> {
  const name = pg.escapeIdentifier(role.user);
  const password = pg.escapeLiteral(role.password);
  // The statement carries the password: kept out of the server's log (which the service logs at
  // debug level) even where postgresql.conf logs statements or failed ones.
  await superuser.query("set log_statement = 'none'; set log_min_error_statement = 'panic'");
  const found = await superuser.query('select 1 from pg_roles where rolname = $1', [role.user]);
  await superuser.query(`${found.rowCount === 0 ? 'create' : 'alter'} role ${name} with ${roleAttributes} password ${password}`);
}

/**
 * Creates the application database owned by `owner`, or gives an existing one (made by an
 * earlier version, owned by the superuser) to it.
 * @returns whether its owner was changed.
 */
export async function ensureDatabaseOwnedBy(superuser: pg.Client, database: string, owner: string): Promise<boolean> {
  const found = await superuser.query<{ owner: string }>('select pg_get_userbyid(datdba) as owner from pg_database where datname = $1', [database]);
  const current = found.rows[0]?.owner;
  if (current === undefined) {
    await superuser.query(`create database ${pg.escapeIdentifier(database)} owner ${pg.escapeIdentifier(owner)}`);
    return false;
  }
  if (current === owner) return false;
  await superuser.query(`alter database ${pg.escapeIdentifier(database)} owner to ${pg.escapeIdentifier(owner)}`);
  return true;
}

// The objects of the database's own schemas (not pg_catalog, information_schema, pg_toast or
// temporary ones, and not members of an extension) owned by $1, each with the statement that
// gives it away. Indexes, triggers, rules, a table's row type and the sequences of its identity
// and serial columns follow their table; array types follow their element type.
const ownedObjectsSql = `
  with own_schemas as (
    select oid, nspname, nspowner from pg_namespace
     where nspname <> 'information_schema' and nspname not like 'pg\\_%'
  ), extension_members as (
    select classid, objid from pg_depend where deptype = 'e'
  )
  select 'schema' as kind, format('alter schema %I owner to %I', n.nspname, $2::text) as statement
    from own_schemas n
   where n.nspowner = (select oid from pg_roles where rolname = $1)
     and not exists (select 1 from extension_members e where e.classid = 'pg_namespace'::regclass and e.objid = n.oid)
  union all
  select 'relation', format('alter %s %I.%I owner to %I',
           case c.relkind when 'v' then 'view' when 'm' then 'materialized view' when 'S' then 'sequence'
                          when 'f' then 'foreign table' when 'c' then 'type' else 'table' end,
           n.nspname, c.relname, $2::text)
    from pg_class c join own_schemas n on n.oid = c.relnamespace
   where c.relowner = (select oid from pg_roles where rolname = $1) and c.relkind in ('r', 'p', 'v', 'm', 'S', 'f', 'c')
     and not exists (select 1 from extension_members e where e.classid = 'pg_class'::regclass and e.objid = c.oid)
     and not (c.relkind = 'S' and exists (select 1 from pg_depend d
               where d.classid = 'pg_class'::regclass and d.objid = c.oid and d.refclassid = 'pg_class'::regclass and d.deptype in ('a', 'i')))
  union all
  select 'routine', format('alter %s %s owner to %I', case p.prokind when 'a' then 'aggregate' else 'routine' end, p.oid::regprocedure, $2::text)
    from pg_proc p join own_schemas n on n.oid = p.pronamespace
   where p.proowner = (select oid from pg_roles where rolname = $1)
     and not exists (select 1 from extension_members e where e.classid = 'pg_proc'::regclass and e.objid = p.oid)
  union all
  select 'type', format('alter %s %I.%I owner to %I', case t.typtype when 'd' then 'domain' else 'type' end, n.nspname, t.typname, $2::text)
    from pg_type t join own_schemas n on n.oid = t.typnamespace
   where t.typowner = (select oid from pg_roles where rolname = $1) and t.typtype in ('b', 'd', 'e', 'r') and t.typrelid = 0
     and not exists (select 1 from pg_type a where a.typarray = t.oid)
     and not exists (select 1 from extension_members e where e.classid = 'pg_type'::regclass and e.objid = t.oid)`;

/** How many objects of each kind were given to the application role. */
export type OwnershipTransfer = Readonly<Record<string, number>>;

/**
 * Gives every schema of the application database, and every table, view, sequence, function and
 * type in them, that `from` (the superuser) owns to `to`, in one transaction. This upgrades a
 * database made by a version that connected as the superuser; on one made by this version it
 * finds nothing. System objects and extension members are left alone. `superuser` must be
 * connected to the application database.
 */
export async function transferOwnership(superuser: pg.Client, from: string, to: string): Promise<OwnershipTransfer> {
  const counts: Record<string, number> = {};
  await superuser.query('begin');
  try {
    const objects = await superuser.query<{ kind: string; statement: string }>(ownedObjectsSql, [from, to]);
    for (const { kind, statement } of objects.rows) {
      await superuser.query(statement);
      counts[kind] = (counts[kind] ?? 0) + 1;
    }
    await superuser.query('commit');
  } catch (error) {
    await superuser.query('rollback').catch(() => undefined);
    throw error;
  }
  return counts;
}

async function connected<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/**
 * The embedded set-up's one use of the superuser: the application role as DATA_DIR's file says,
 * the database owned by it, and everything in the database that the superuser owns given to it
 * (a cluster made by a version that connected as the superuser is upgraded in place; later
 * starts find nothing to give), logged when anything was given. Idempotent.
 * @param superuserUrl the superuser's URL of a database of the cluster
 */
export async function prepareApplicationDatabase(
  superuserUrl: (database: string) => string,
  superuser: string,
  role: RoleCredentials,
  database: string,
  logger: Logger,
): Promise<void> {
  const upgraded = await connected(superuserUrl('postgres'), async (client) => {
    await ensureApplicationRole(client, role);
    return await ensureDatabaseOwnedBy(client, database, role.user);
  });
  const transferred = await connected(superuserUrl(database), async (client) => await transferOwnership(client, superuser, role.user));
  if (upgraded || Object.keys(transferred).length > 0) {
    logger.info({ database, role: role.user, transferred }, `gave the database ${database} and the superuser's objects in it to the role ${role.user}, which the service now connects as`);
  }
}

/**
 * Logs one warning when the pool's connections are made as a PostgreSQL superuser (a
 * DATABASE_URL naming one): the service works, but a flaw in it would then reach every
 * database of the server and the server's host. Says nothing when the database cannot be asked:
 * the start-up's migration reports that.
 */
export async function warnIfSuperuser(db: Database, logger: Logger): Promise<void> {
  const found = await db.oneOrNone<{ user: string; rolsuper: boolean }>('select current_user as user, rolsuper from pg_roles where rolname = current_user').catch(() => null);
  if (found?.rolsuper) {
    logger.warn({ role: found.user }, `connected to PostgreSQL as the superuser ${found.user}: connect as a role that owns only the service's database (see README, Security)`);
  }
}
