import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/** What `postmaster.pid` in a PostgreSQL data directory says about the server that wrote it. */
export interface PostmasterLock {
  readonly pid: number;
  readonly dataDir: string;
  readonly port: number | undefined;
}

/** Reads `<dataDir>/postmaster.pid`; undefined when there is none or it is unreadable. */
export async function readPostmasterLock(dataDir: string): Promise<PostmasterLock | undefined> {
  let text: string;
  try {
    text = await readFile(path.join(dataDir, 'postmaster.pid'), 'utf8');
  } catch {
    return undefined;
  }
  const [pidLine, dirLine, , portLine] = text.split('\n');
  const pid = Number(pidLine);
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  const port = Number(portLine);
  return { pid, dataDir: dirLine ?? '', port: Number.isInteger(port) && port > 0 ? port : undefined };
}

/** True while a process with this pid exists (signal 0 probes without delivering anything). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function commandLineOf(pid: number): Promise<string> {
  try {
    return (await readFile(`/proc/${pid}/cmdline`, 'utf8')).replaceAll('\0', ' ');
  } catch {
    return '';
  }
}

async function waitForExit(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!isAlive(pid)) return true;
    await sleep(50);
  }
  return !isAlive(pid);
}

/** How a stale server was dealt with, for the start-up log. */
export type StaleServerOutcome = 'none' | 'stopped' | 'removed-stale-lock';

/**
 * Stops a PostgreSQL server that an earlier, killed run left running on this data directory.
 *
 * The server is recognised by its `postmaster.pid`: the pid must be alive and be a postgres
 * process for this very directory, so a recycled pid of an unrelated program is never signalled.
 * It gets a fast shutdown (SIGINT), then an immediate one (SIGQUIT) if it does not go in time.
 * A lock file whose process is gone is removed so the next start is not refused.
 */
export async function stopStalePostmaster(dataDir: string, timeoutMs = 15_000): Promise<StaleServerOutcome> {
  const lock = await readPostmasterLock(dataDir);
  if (!lock) return 'none';
  const commandLine = isAlive(lock.pid) ? await commandLineOf(lock.pid) : '';
  const ours = commandLine.includes('postgres') && path.resolve(lock.dataDir) === path.resolve(dataDir);
  if (!ours) {
    await rm(path.join(dataDir, 'postmaster.pid'), { force: true });
    return 'removed-stale-lock';
  }
  process.kill(lock.pid, 'SIGINT');
  if (!(await waitForExit(lock.pid, timeoutMs))) {
    process.kill(lock.pid, 'SIGQUIT');
    if (!(await waitForExit(lock.pid, 5_000))) {
      throw new Error(`PostgreSQL (pid ${lock.pid}) left running on ${dataDir} did not stop`);
    }
  }
  return 'stopped';
}
