/**
 * CPU time of the benchmark's two sides, Node and the local PostgreSQL server, so that a figure
 * can be put down to CPU (the two share the machine's cores) or to waiting.
 */
import { readdir, readFile } from 'node:fs/promises';

// /proc/<pid>/stat counts in clock ticks of USER_HZ, which is 100 on every mainstream Linux.
const msPerTick = 10;

async function statFields(pid: string): Promise<string[] | undefined> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    // The command name in parentheses may contain spaces: the fields start after its `)`.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

/**
 * CPU ms used so far by the PostgreSQL server whose postmaster is `postmasterPid`: the postmaster,
 * every process it started, and those of them that have already exited. Undefined without /proc.
 */
export async function serverCpuMs(postmasterPid: number): Promise<number | undefined> {
  let entries: string[];
  try {
    entries = await readdir('/proc');
  } catch {
    return undefined;
  }
  let ticks = 0;
  for (const entry of entries.filter((name) => /^\d+$/.test(name))) {
    const fields = await statFields(entry);
    if (!fields) continue;
    // Fields after the name: state, ppid, ..., utime (12th), stime, cutime, cstime.
    const isPostmaster = Number(entry) === postmasterPid;
    if (!isPostmaster && Number(fields[1]) !== postmasterPid) continue;
    ticks += Number(fields[11]) + Number(fields[12]);
    if (isPostmaster) ticks += Number(fields[13]) + Number(fields[14]);
  }
  return ticks * msPerTick;
}

/** CPU ms used so far by one process (user + system), or undefined when it is gone or /proc is missing. */
export async function processCpuMs(pid: number): Promise<number | undefined> {
  const fields = await statFields(String(pid));
  if (!fields) return undefined;
  // utime and stime are fields 14 and 15 of stat, 12 and 13 after the command name.
  return (Number(fields[11]) + Number(fields[12])) * msPerTick;
}

/** Busy CPU ms of the whole machine so far (all cores, every process); undefined without /proc. */
export async function machineBusyMs(): Promise<number | undefined> {
  try {
    const line = (await readFile('/proc/stat', 'utf8')).split('\n')[0] ?? '';
    // cpu user nice system idle iowait irq softirq steal ...: busy is all but idle and iowait.
    const ticks = line.trim().split(/\s+/).slice(1, 9).map(Number);
    const total = ticks.reduce((sum, value) => sum + value, 0);
    return (total - (ticks[3] ?? 0) - (ticks[4] ?? 0)) * msPerTick;
  } catch {
    return undefined;
  }
}

/** CPU used while some work ran. */
export interface CpuUse {
  readonly nodeMs: number;
  /** Undefined when the server is not local (DATABASE_URL) or /proc is missing. */
  readonly serverMs: number | undefined;
  /** Every process of the machine, this benchmark's and others' (a test run, a build). */
  readonly machineMs: number | undefined;
  readonly wallMs: number;
}

/** Runs `work` and returns its result with the CPU this process and the local server used meanwhile. */
export async function measureCpu<T>(postmasterPid: number | undefined, work: () => Promise<T>): Promise<{ result: T; cpu: CpuUse }> {
  const serverBefore = postmasterPid === undefined ? undefined : await serverCpuMs(postmasterPid);
  const machineBefore = await machineBusyMs();
  const nodeBefore = process.cpuUsage();
  const startedAt = performance.now();
  const result = await work();
  const wallMs = performance.now() - startedAt;
  const node = process.cpuUsage(nodeBefore);
  const machineAfter = await machineBusyMs();
  const serverAfter = postmasterPid === undefined ? undefined : await serverCpuMs(postmasterPid);
  const difference = (before: number | undefined, after: number | undefined): number | undefined =>
    before === undefined || after === undefined ? undefined : after - before;
  return {
    result,
    cpu: { nodeMs: (node.user + node.system) / 1000, serverMs: difference(serverBefore, serverAfter), machineMs: difference(machineBefore, machineAfter), wallMs },
  };
}
