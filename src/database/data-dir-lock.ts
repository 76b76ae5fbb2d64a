import { readFileSync, unlinkSync } from 'node:fs';
import { link, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { isAlive } from './postmaster.js';

/** Thrown when another live process holds the data directory: an operator error, not a crash. */
export class DataDirInUseError extends Error {
  readonly code = 'data-dir-in-use';
  constructor(
    readonly dataDir: string,
    readonly holderPid: number,
  ) {
    super(
      `DATA_DIR ${dataDir} is in use by process ${holderPid} (its embedded PostgreSQL belongs to that process). ` +
        'Stop that process, or give this one another DATA_DIR (or a DATABASE_URL).',
    );
    this.name = 'DataDirInUseError';
  }
}

/** What the lock file says: the holder's pid and its start time, so a recycled pid is told apart. */
interface LockContent {
  readonly pid: number;
  readonly startedAt: string;
}

/** A held lock; released by release() or, at the latest, when the process exits. */
export interface DataDirLock {
  readonly file: string;
  /** The pid of the process whose lock was taken over (it was gone), if any. */
  readonly tookOverFrom: number | undefined;
  release(): void;
}

/** The lock file of a data directory. */
export const lockFile = (dataDir: string): string => path.join(dataDir, 'stockcontrol.lock');

/**
 * A process's start time in clock ticks since boot (field 22 of /proc/<pid>/stat), or '' where
 * /proc is not there. With the pid, it names one process for good: a pid is reused, this pair is not.
 */
export function processStartTime(pid: number): string {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) is in parentheses and may hold spaces: count from its end.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? '';
  } catch {
    return '';
  }
}

function parse(text: string): LockContent | undefined {
  try {
    const content = JSON.parse(text) as Partial<LockContent>;
    return typeof content.pid === 'number' && content.pid > 0 ? { pid: content.pid, startedAt: String(content.startedAt ?? '') } : undefined;
  } catch {
    return undefined;
  }
}

/** Whether the process a lock file names is still the one that wrote it. */
export function isHeld(content: LockContent): boolean {
  if (!isAlive(content.pid)) return false;
  const startedAt = processStartTime(content.pid);
  return startedAt === '' || content.startedAt === '' || startedAt === content.startedAt;
}

/** Reads a data directory's lock file; undefined when there is none or it is unreadable. */
export async function readDataDirLock(dataDir: string): Promise<LockContent | undefined> {
  return parse(await readFile(lockFile(dataDir), 'utf8').catch(() => ''));
}

/**
 * Creates the lock file with its content in one step: written to a file of our own, then
 * hard-linked to the lock's name, which fails if that exists (as O_EXCL does). Another process
 * never sees the lock empty, half-written, and taken for stale.
 */
async function createExclusive(file: string, content: LockContent): Promise<boolean> {
  const own = `${file}.${process.pid}`;
  await writeFile(own, JSON.stringify(content), { mode: 0o644, flag: 'w' });
  try {
    await link(own, file);
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'ENOSYS') throw error;
    // A file system without hard links: O_EXCL, with the short window of an empty file.
    return await writeFile(file, JSON.stringify(content), { mode: 0o644, flag: 'wx' }).then(
      () => true,
      (failure: NodeJS.ErrnoException) => {
        if (failure.code === 'EEXIST') return false;
        throw failure;
      },
    );
  } finally {
    await rm(own, { force: true });
  }
}

/**
 * Takes the data directory's lock for this process's life: `stockcontrol.lock`, created
 * exclusively (a hard link, which fails when the name exists) and holding the pid and start
 * time. A lock whose process is gone is taken over; a live holder makes this throw
 * DataDirInUseError at once. The file is removed on release() and when the process exits (a
 * SIGKILL leaves it, and the next start takes it over).
 */
export async function lockDataDir(dataDir: string): Promise<DataDirLock> {
  const file = lockFile(dataDir);
  const mine: LockContent = { pid: process.pid, startedAt: processStartTime(process.pid) };
  let tookOverFrom: number | undefined;
  for (let attempt = 0; ; attempt += 1) {
    if (await createExclusive(file, mine)) break;
    const current = parse(await readFile(file, 'utf8').catch(() => ''));
    if (current && isHeld(current)) throw new DataDirInUseError(dataDir, current.pid);
    if (attempt >= 5) throw new Error(`could not take the lock ${file}: it keeps changing`);
    // Stale: move it aside under a name of our own, so that of two processes taking it over at
    // once only one removes it; if what we moved turns out live (taken over meanwhile), put it back.
    const aside = `${file}.stale-${process.pid}`;
    const moved = await rename(file, aside).then(
      () => true,
      () => false,
    );
    if (!moved) continue;
    const what = parse(await readFile(aside, 'utf8').catch(() => ''));
    if (what && isHeld(what)) await link(aside, file).catch(() => undefined);
    else tookOverFrom = what?.pid ?? current?.pid;
    await rm(aside, { force: true });
  }
  let released = false;
  const release = (): void => {
    if (released) return;
    released = true;
    process.removeListener('exit', release);
    try {
      // Only our own lock: never one that another process took over after a mistake.
      if (parse(readFileSync(file, 'utf8'))?.pid === process.pid) unlinkSync(file);
    } catch {
      // Already gone.
    }
  };
  process.on('exit', release);
  return { file, tookOverFrom, release };
}
