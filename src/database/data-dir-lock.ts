import { readFileSync, unlinkSync } from 'node:fs';
import { link, mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import path from 'node:path';
import { initialPidNamespace, isAlive, placeOfThisProcess, processStartTime, type ProcessPlace } from './process-identity.js';

/** Thrown when another process holds, or may hold, the data directory: an operator error, not a crash. */
export class DataDirInUseError extends Error {
  readonly code = 'data-dir-in-use';
  constructor(
    readonly dataDir: string,
    readonly holderPid: number,
    /** Set when the holder cannot be checked from here (another PID namespace or boot). */
    readonly unknowable?: { readonly reason: string; readonly holder: LockContent },
  ) {
    super(
      unknowable === undefined
        ? `DATA_DIR ${dataDir} is in use by process ${holderPid} (its embedded PostgreSQL belongs to that process). ` +
            'Stop that process, or give this one another DATA_DIR (or a DATABASE_URL).'
        : `DATA_DIR ${dataDir} is locked by process ${holderPid} ${describePlace(unknowable.holder.place)}, which cannot be checked from here ` +
            `(${unknowable.reason}): it may still be running, and a second PostgreSQL on the same cluster would corrupt it, so nothing was taken over or deleted. ` +
            `Stop that process where it runs (its container or machine). If it is truly gone, remove ${lockFile(dataDir)} by hand and start again.`,
    );
    this.name = 'DataDirInUseError';
  }
}

/**
 * What the lock file says: the holder's pid and its start time, so a recycled pid is told apart,
 * and where that pid means something (its PID namespace, boot and host). Lock files written
 * before the place was recorded have no place.
 */
export interface LockContent {
  readonly pid: number;
  readonly startedAt: string;
  readonly place?: ProcessPlace;
}

/** What can be said, from this process, about the process a lock file names. */
export type HolderVerdict = 'alive' | 'gone' | { readonly unknowable: string };

/** How a pid is looked at here; a parameter so that the judging can be specified without processes. */
export interface HolderProbe {
  isAlive(pid: number): boolean;
  startTimeOf(pid: number): string;
}

const probeHere: HolderProbe = { isAlive, startTimeOf: processStartTime };

/** A held lock; released by release() or, at the latest, when the process exits. */
export interface DataDirLock {
  readonly file: string;
  /** The pid of the process whose lock was taken over (it was gone), if any. */
  readonly tookOverFrom: number | undefined;
  release(): void;
}

/** The lock file of a data directory. */
export const lockFile = (dataDir: string): string => path.join(dataDir, 'stockcontrol.lock');

function describePlace(place: ProcessPlace | undefined): string {
  if (place === undefined) return '';
  return `(recorded: PID namespace ${place.pidNamespace || 'unknown'}, boot ${place.bootId || 'unknown'}, host ${place.host || 'unknown'})`;
}

function parse(text: string): LockContent | undefined {
  try {
    const content = JSON.parse(text) as { pid?: unknown; startedAt?: unknown; pidNamespace?: unknown; bootId?: unknown; host?: unknown };
    if (typeof content.pid !== 'number' || content.pid <= 0) return undefined;
    const startedAt = String(content.startedAt ?? '');
    const recorded = content.pidNamespace !== undefined || content.bootId !== undefined || content.host !== undefined;
    if (!recorded) return { pid: content.pid, startedAt };
    // A missing or odd field stays '' and then differs from this process's: refused, not guessed.
    const field = (value: unknown): string => (typeof value === 'string' ? value : '');
    return { pid: content.pid, startedAt, place: { pidNamespace: field(content.pidNamespace), bootId: field(content.bootId), host: field(content.host) } };
  } catch {
    return undefined;
  }
}

function serialise(content: LockContent): string {
  return JSON.stringify({ pid: content.pid, startedAt: content.startedAt, ...content.place });
}

/** The pid and start time checked here: only meaningful when the holder ran in this namespace and boot. */
function judgeHere(content: LockContent, probe: HolderProbe): HolderVerdict {
  if (!probe.isAlive(content.pid)) return 'gone';
  const startedAt = probe.startTimeOf(content.pid);
  return startedAt === '' || content.startedAt === '' || startedAt === content.startedAt ? 'alive' : 'gone';
}

/**
 * Judges the process a lock file names, from a process at `here`. A pid (and its start time) is
 * checked only where it means the same thing: the same boot and the same PID namespace. Another
 * namespace (another container sharing the volume, or a container and the host) is never judged:
 * pid 1 there is not pid 1 here, and PostgreSQL's own shared-memory interlock does not reach
 * across IPC namespaces either, so a wrong "gone" means two postmasters on one cluster.
 *
 * Another boot id means another kernel: this machine restarted (the holder is surely gone), or
 * another machine or VM shares the volume (it may be running). The two are told apart only when
 * both processes run in the initial PID namespace (whose id is the same on every boot, so the
 * holder was a host process, not a container) under the same non-empty host name: that is the
 * host of this machine, restarted. A container's recorded place says nothing about which machine
 * it ran on (its host name is its own, its namespace id is allocated at run time), so it is
 * refused, as are two machines that share a volume; the operator removes the lock by hand.
 * Lock files from before the place was recorded are judged as they always were.
 */
export function judgeHolder(content: LockContent, here: ProcessPlace, probe: HolderProbe = probeHere): HolderVerdict {
  const place = content.place;
  if (place === undefined) return judgeHere(content, probe);
  if (place.bootId !== here.bootId) {
    const hostRestarted =
      place.bootId !== '' && here.bootId !== '' && place.pidNamespace === initialPidNamespace && here.pidNamespace === initialPidNamespace && place.host !== '' && place.host === here.host;
    return hostRestarted ? 'gone' : { unknowable: `it was written during another boot (boot id ${place.bootId || 'unknown'}, this one is ${here.bootId || 'unknown'}), by another machine or from a container` };
  }
  if (place.pidNamespace !== here.pidNamespace) {
    return { unknowable: `it runs in another PID namespace (${place.pidNamespace || 'unknown'}, this one is ${here.pidNamespace || 'unknown'}): another container, or a container and its host` };
  }
  return judgeHere(content, probe);
}

/**
 * Whether the process a lock file names may still hold it: alive here, or somewhere this process
 * cannot check (then it must be left alone).
 */
export function isHeld(content: LockContent): boolean {
  return judgeHolder(content, placeOfThisProcess()) !== 'gone';
}

/** The error for a lock whose holder is alive or cannot be judged; undefined when it is gone. */
export function holderError(dataDir: string, content: LockContent): DataDirInUseError | undefined {
  const verdict = judgeHolder(content, placeOfThisProcess());
  if (verdict === 'gone') return undefined;
  return verdict === 'alive' ? new DataDirInUseError(dataDir, content.pid) : new DataDirInUseError(dataDir, content.pid, { reason: verdict.unknowable, holder: content });
}

/** Reads a data directory's lock file; undefined when there is none or it is unreadable. */
export async function readDataDirLock(dataDir: string): Promise<LockContent | undefined> {
  return parse(await readFile(lockFile(dataDir), 'utf8').catch(() => ''));
}

/** The folder that guards the removal of a stale lock (see lockDataDir). */
const takeoverGuard = (file: string): string => `${file}.takeover`;

/** A guard older than this was left by a process that died while taking a lock over (it is held for milliseconds). */
const staleGuardMs = 10_000;

/** Takes the takeover guard, or answers false when another process holds it (a guard left by a dead process is removed first). */
async function enterTakeoverGuard(file: string): Promise<boolean> {
  const guard = takeoverGuard(file);
  try {
    await mkdir(guard);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    const age = await stat(guard).then(
      (info) => Date.now() - info.mtimeMs,
      () => 0,
    );
    if (age > staleGuardMs) await rm(guard, { recursive: true, force: true });
    return false;
  }
}

/** Whether two readings of the lock file name the same holder. */
function sameHolder(a: LockContent, b: LockContent | undefined): boolean {
  return b !== undefined && a.pid === b.pid && a.startedAt === b.startedAt;
}

/**
 * Creates the lock file with its content in one step: written to a file of our own, then
 * hard-linked to the lock's name, which fails if that exists (as O_EXCL does). Another process
 * never sees the lock empty, half-written, and taken for stale.
 */
async function createExclusive(file: string, content: LockContent): Promise<boolean> {
  const own = `${file}.${process.pid}`;
  await writeFile(own, serialise(content), { mode: 0o644, flag: 'w' });
  try {
    await link(own, file);
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'ENOSYS') throw error;
    // A file system without hard links: O_EXCL, with the short window of an empty file.
    return await writeFile(file, serialise(content), { mode: 0o644, flag: 'wx' }).then(
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
 * exclusively (a hard link, which fails when the name exists) and holding the pid, start time
 * and place (PID namespace, boot id, host). A lock whose process is gone is taken over; a live
 * holder, or one that cannot be judged from here (see judgeHolder), makes this throw
 * DataDirInUseError at once, leaving the lock file as it is. The file is removed on release() and when the process exits (a
 * SIGKILL leaves it, and the next start takes it over).
 */
export async function lockDataDir(dataDir: string): Promise<DataDirLock> {
  const file = lockFile(dataDir);
  const mine: LockContent = { pid: process.pid, startedAt: processStartTime(process.pid), place: placeOfThisProcess() };
  let tookOverFrom: number | undefined;
  for (let attempt = 0; ; attempt += 1) {
    if (await createExclusive(file, mine)) break;
    const current = parse(await readFile(file, 'utf8').catch(() => ''));
    const refusal = current && holderError(dataDir, current);
    if (refusal) throw refusal;
    if (attempt >= 50) throw new Error(`could not take the lock ${file}: it keeps changing`);
    // Stale. Its removal is decided under a guard that every process taking a lock over must
    // hold (a folder: mkdir is atomic), after reading the file again: so a lock that another
    // process took over a moment ago is never removed, and of two processes taking the same stale
    // lock over at once, exactly one ends up holding it (the other finds the new lock live).
    if (!(await enterTakeoverGuard(file))) {
      await sleep(20 + Math.random() * 30);
      continue;
    }
    try {
      const again = parse(await readFile(file, 'utf8').catch(() => ''));
      if (again && sameHolder(again, current) && !holderError(dataDir, again)) {
        await rm(file, { force: true });
        tookOverFrom = again.pid;
      }
    } finally {
      await rm(takeoverGuard(file), { recursive: true, force: true });
    }
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
