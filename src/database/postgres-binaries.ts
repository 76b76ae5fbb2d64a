import { execFile, spawn } from 'node:child_process';
import { chmod, cp, mkdir, readFile, rename, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Thrown when the embedded PostgreSQL cannot run here; the message says why, where and what to set. */
export class EmbeddedPostgresUnavailableError extends Error {
  readonly code = 'embedded-postgres-unavailable';
  constructor(message: string, options?: { cause?: unknown }) {
    super(`${message} Set DATABASE_URL to use a PostgreSQL of your own, or DATA_DIR to a folder the server can use.`, options);
    this.name = 'EmbeddedPostgresUnavailableError';
  }
}

/** The PostgreSQL programs the server is started from. */
export interface PostgresBinaries {
  readonly initdb: string;
  readonly postgres: string;
  /** The installation folder (`bin/`, `lib/`, `share/`). */
  readonly home: string;
  readonly version: string;
}

/** The unprivileged user the server runs as when this process is root (PostgreSQL refuses root). */
export interface ServerUser {
  readonly name: string;
  readonly uid: number;
  readonly gid: number;
}

/** Where a root process keeps what the server's user must reach: binaries and relocated clusters. */
export const defaultSharedRoot = '/var/lib/stockcontrol';

/** True when this process runs as root, and the server therefore as another user. */
export const runningAsRoot = (): boolean => process.getuid?.() === 0;

/** The binaries the platform package of `embedded-postgres` installed (`@embedded-postgres/<os>-<arch>`). */
export async function installedBinaries(): Promise<PostgresBinaries> {
  const name = `@embedded-postgres/${os.platform()}-${os.arch()}`;
  let paths: { initdb: string; postgres: string };
  try {
    paths = (await import(name)) as { initdb: string; postgres: string };
  } catch (error) {
    throw new EmbeddedPostgresUnavailableError(`The embedded PostgreSQL has no binaries for ${os.platform()}-${os.arch()} (${name} is not installed).`, { cause: error });
  }
  const home = path.dirname(path.dirname(paths.postgres));
  const manifest = JSON.parse(await readFile(path.join(home, '..', 'package.json'), 'utf8').catch(() => '{}')) as { version?: string };
  return { initdb: paths.initdb, postgres: paths.postgres, home, version: manifest.version ?? 'unknown' };
}

async function userIds(name: string): Promise<ServerUser | undefined> {
  try {
    const [uid, gid] = await Promise.all([run('id', ['-u', name]), run('id', ['-g', name])]);
    return { name, uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
  } catch {
    return undefined;
  }
}

/** The `postgres` user, created (with its group) when missing, as embedded-postgres does. */
export async function serverUser(): Promise<ServerUser> {
  const found = await userIds('postgres');
  if (found) return found;
  try {
    await run('groupadd', ['postgres']).catch(() => undefined);
    await run('useradd', ['-g', 'postgres', 'postgres']);
  } catch (error) {
    throw new EmbeddedPostgresUnavailableError('PostgreSQL does not run as root, and the user `postgres` to run it as does not exist and could not be created (useradd failed).', { cause: error });
  }
  const created = await userIds('postgres');
  if (!created) throw new EmbeddedPostgresUnavailableError('The user `postgres` was created but cannot be looked up.');
  return created;
}

/**
 * Whether `user` can search `folder` or execute `file` (`test -x`): each folder on the way must
 * let it through. Asked of the kernel as that very user, not worked out from mode bits, so
 * ACLs, groups and mount options count as they will for the server.
 */
export async function reachableBy(user: ServerUser, target: string): Promise<boolean> {
  return await new Promise<boolean>((resolve) => {
    const child = spawn('/bin/sh', ['-c', 'test -x "$1"', 'sh', target], { uid: user.uid, gid: user.gid, stdio: 'ignore', cwd: '/' });
    child.once('error', () => resolve(false));
    child.once('exit', (code) => resolve(code === 0));
  });
}

/**
 * A folder under `root` for the server's user, owned by root and not writable by others: made
 * if missing, refused if someone else made it (it would hold programs the server runs).
 */
export async function sharedFolder(root: string, ...parts: string[]): Promise<string> {
  const folder = path.join(root, ...parts);
  for (const dir of [root, ...parts.map((_, index) => path.join(root, ...parts.slice(0, index + 1)))]) {
    await mkdir(dir, { mode: 0o755 }).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'EEXIST') throw error;
    });
    const info = await stat(dir);
    if (info.uid !== 0 || (info.mode & 0o022) !== 0) {
      throw new EmbeddedPostgresUnavailableError(`${dir} is not owned by root or is writable by others; it is not safe to keep the embedded PostgreSQL there.`);
    }
    await chmod(dir, 0o755);
  }
  return folder;
}

/**
 * The binaries as the server's user can run them: those of node_modules when it can reach
 * them, else a copy in `<sharedRoot>/postgres-<version>` (made once, atomically, kept for later
 * starts). A clone in a folder only root can enter (under /root, or a `mktemp -d`) needs the copy.
 */
export async function binariesFor(user: ServerUser, sharedRoot: string): Promise<{ binaries: PostgresBinaries; copied: boolean }> {
  const installed = await installedBinaries();
  if (await reachableBy(user, installed.postgres)) return { binaries: installed, copied: false };
  let home: string;
  try {
    const root = await sharedFolder(sharedRoot);
    home = path.join(root, `postgres-${installed.version}`);
    const present = await stat(path.join(home, 'bin', 'postgres')).then(
      () => true,
      () => false,
    );
    if (!present) {
      const partial = `${home}.partial-${process.pid}`;
      await rm(partial, { recursive: true, force: true });
      await cp(installed.home, partial, { recursive: true, verbatimSymlinks: true });
      await chmod(partial, 0o755);
      // Another process may have finished its copy meanwhile: then ours is dropped.
      await rename(partial, home).catch(async () => await rm(partial, { recursive: true, force: true }));
    }
  } catch (error) {
    if (error instanceof EmbeddedPostgresUnavailableError) throw error;
    throw new EmbeddedPostgresUnavailableError(
      `The user ${user.name} cannot reach the PostgreSQL binaries in ${installed.home}, and copying them to ${sharedRoot} failed (${(error as Error).message}).`,
      { cause: error },
    );
  }
  const binaries = { ...installed, home, initdb: path.join(home, 'bin', 'initdb'), postgres: path.join(home, 'bin', 'postgres') };
  if (!(await reachableBy(user, binaries.postgres))) {
    throw new EmbeddedPostgresUnavailableError(`The user ${user.name} can reach neither the PostgreSQL binaries in ${installed.home} nor their copy in ${home}.`);
  }
  return { binaries, copied: true };
}
