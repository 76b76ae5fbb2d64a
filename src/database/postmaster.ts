import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { holderError, readDataDirLock, type LockContent } from './data-dir-lock.js';
import { isAlive, placeOfThisProcess, processStartTime } from './process-identity.js';

// Where it has always been imported from.
export { isAlive } from './process-identity.js';

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

/** Whether a data directory's lock is this very process's (same pid, start and place). */
function isOwn(holder: LockContent): boolean {
  const here = placeOfThisProcess();
  const place = holder.place;
  const samePlace = place === undefined || (place.pidNamespace === here.pidNamespace && place.bootId === here.bootId && place.host === here.host);
  return holder.pid === process.pid && holder.startedAt === processStartTime(process.pid) && samePlace;
}

/**
 * Stops a PostgreSQL server that an earlier, killed run left running on this data directory.
 *
 * First the data directory's lock (`dataDir`, by default the cluster's parent folder, where
 * DATA_DIR keeps it unless the cluster lives elsewhere as root): when another process holds it, or
 * may hold it where this one cannot check (another PID namespace or boot), the server belongs to
 * that process and this throws DataDirInUseError, touching nothing. A postmaster.pid whose pid is
 * not visible here is then no proof that the server is gone.
 *
 * The server is recognised by its `postmaster.pid`: the pid must be alive and be a postgres
 * process for this very directory, so a recycled pid of an unrelated program is never signalled.
 * It gets a fast shutdown (SIGINT), then an immediate one (SIGQUIT) if it does not go in time.
 * A lock file whose process is gone is removed so the next start is not refused.
 */
export async function stopStalePostmaster(clusterDir: string, options: { readonly dataDir?: string; readonly timeoutMs?: number } = {}): Promise<StaleServerOutcome> {
  const lock = await readPostmasterLock(clusterDir);
  if (!lock) return 'none';
  const dataDir = options.dataDir ?? path.dirname(clusterDir);
  const holder = await readDataDirLock(dataDir);
  const refusal = holder && !isOwn(holder) ? holderError(dataDir, holder) : undefined;
  if (refusal) throw refusal;
  const commandLine = isAlive(lock.pid) ? await commandLineOf(lock.pid) : '';
  const ours = commandLine.includes('postgres') && path.resolve(lock.dataDir) === path.resolve(clusterDir);
  if (!ours) {
    await rm(path.join(clusterDir, 'postmaster.pid'), { force: true });
    return 'removed-stale-lock';
  }
  process.kill(lock.pid, 'SIGINT');
  if (!(await waitForExit(lock.pid, options.timeoutMs ?? 15_000))) {
    process.kill(lock.pid, 'SIGQUIT');
    if (!(await waitForExit(lock.pid, 5_000))) {
      throw new Error(`PostgreSQL (pid ${lock.pid}) left running on ${clusterDir} did not stop`);
    }
  }
  return 'stopped';
}
