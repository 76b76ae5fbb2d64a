import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Config } from '../../config.js';
import { openConfiguredDatabase } from '../../database/configured-database.js';
import { closeDatabase, openDatabase, type Database } from '../../database/connection.js';
import { DataDirInUseError, isHeld, readDataDirLock } from '../../database/data-dir-lock.js';
import type { Logger } from '../../logger.js';

/** How the operator mode reached the installation's database. */
export type OperatorRoute = 'database-url' | 'running-service' | 'started-embedded';

/** The installation's database, opened for one stockctl command. */
export interface OperatorDatabase {
  readonly db: Database;
  readonly route: OperatorRoute;
  /** Ends the pool; stops the embedded server when this process started it. */
  close(): Promise<void>;
}

/** The superuser the embedded cluster was created with (written by src/database/embedded-postgres.ts). */
interface ClusterCredentials {
  readonly user: string;
  readonly password: string;
}

/**
 * The URL of the embedded cluster a running service holds: its credentials from
 * `DATA_DIR/pg-credentials.json`, and its Unix socket in `<cluster home>/run` (the cluster home is
 * DATA_DIR, or the folder `DATA_DIR/cluster-home` names), whose file name carries the port the
 * service chose; TCP on localhost and EMBEDDED_PG_PORT when there is no socket. Undefined when
 * the credentials cannot be read (another user's DATA_DIR).
 */
export async function runningClusterUrl(dataDir: string, port: number): Promise<string | undefined> {
  const credentials = await readFile(path.join(dataDir, 'pg-credentials.json'), 'utf8').then(
    (text) => JSON.parse(text) as ClusterCredentials,
    () => undefined,
  );
  if (!credentials) return undefined;
  const home = (await readFile(path.join(dataDir, 'cluster-home'), 'utf8').catch(() => '')).trim() || dataDir;
  const runDir = path.join(home, 'run');
  const sockets = (await readdir(runDir).catch(() => [] as string[])).map((name) => /^\.s\.PGSQL\.(\d+)$/.exec(name)?.[1]).filter((found): found is string => found !== undefined);
  const auth = `${encodeURIComponent(credentials.user)}:${encodeURIComponent(credentials.password)}`;
  const socketPort = sockets[0];
  return socketPort === undefined ? `postgres://${auth}@localhost:${port}/stockcontrol` : `postgres://${auth}@localhost:${socketPort}/stockcontrol?host=${encodeURIComponent(runDir)}`;
}

/** Connects to the cluster of a service that holds DATA_DIR's lock, without starting anything. */
async function attach(config: Config, applicationName: string): Promise<OperatorDatabase> {
  const dataDir = path.resolve(config.DATA_DIR);
  const url = await runningClusterUrl(dataDir, config.EMBEDDED_PG_PORT);
  if (!url) throw new DataDirInUseError(dataDir, (await readDataDirLock(dataDir))?.pid ?? 0);
  const db = openDatabase(url, { max: 4, applicationName });
  return { db, route: 'running-service', close: async () => closeDatabase(db) };
}

/**
 * Opens the installation's database the way the service does (DATABASE_URL, else the embedded
 * cluster of DATA_DIR), safely while the service runs: the service holds DATA_DIR's lock and a
 * second server on the cluster would be refused (or worse), so when a live process holds the lock
 * stockctl connects to that process's server through its socket and credentials, and starts a
 * server of its own (taking the lock for the command's life) only when none runs.
 */
export async function openOperatorDatabase(config: Config, logger: Logger, applicationName = 'stockctl'): Promise<OperatorDatabase> {
  if (config.DATABASE_URL) {
    const opened = await openConfiguredDatabase(config, logger, { applicationName });
    return { db: opened.db, route: 'database-url', close: () => opened.close() };
  }
  const holder = await readDataDirLock(path.resolve(config.DATA_DIR));
  if (holder && isHeld(holder)) return await attach(config, applicationName);
  try {
    const opened = await openConfiguredDatabase(config, logger, {
      applicationName,
      onLost: (error) => {
        process.stderr.write(`stockctl: the embedded PostgreSQL stopped and could not be restarted: ${error.message}\n`);
        process.exit(3);
      },
    });
    return { db: opened.db, route: 'started-embedded', close: () => opened.close() };
  } catch (error) {
    // A service that started between the look at the lock and the start: use its server.
    if (error instanceof DataDirInUseError) return await attach(config, applicationName);
    throw error;
  }
}
