/**
 * PostgreSQL's CPU split by who used it: every backend of the local server is sampled once a
 * second (pg_stat_activity for its application_name or, for the server's own processes, its
 * backend_type; /proc/<pid>/schedstat for its CPU time in ns), so that a phase's server CPU can be
 * put down to the process whose connections caused it (stockctl, the services, the benchmark)
 * or to the server's background work (autovacuum, checkpointer, WAL writer).
 */
import { readFile } from 'node:fs/promises';
import type { Database } from '../src/database/connection.js';
import { serverCpuMs } from './cpu-time.js';

interface Seen {
  readonly group: string;
  /** CPU ms at the first sample, 0 for a backend that started after the sampling did. */
  readonly first: number;
  last: number;
}

/** CPU ms of one group of backends over the sampled time. */
export interface BackendGroupCpu {
  readonly group: string;
  readonly ms: number;
  /** Backends of the group seen. */
  readonly backends: number;
}

/** What a sampling found: the groups, largest first, and the server's CPU no sample saw (processes that ended between two samples, the postmaster). */
export interface BackendCpuSplit {
  readonly groups: readonly BackendGroupCpu[];
  readonly unattributedMs: number | undefined;
}

async function schedCpuMs(pid: number): Promise<number | undefined> {
  try {
    return Number((await readFile(`/proc/${pid}/schedstat`, 'utf8')).split(' ')[0]) / 1e6;
  } catch {
    return undefined;
  }
}

/**
 * Starts sampling the server's backends through `db` (one of its connections is sampled too, as
 * part of `samplerGroup`); `stop()` ends it and returns the split. Needs the server on this
 * machine (`serverPid`) and /proc.
 */
export async function sampleBackendCpu(db: Database, serverPid: number, everyMs = 1000): Promise<{ stop(): Promise<BackendCpuSplit> }> {
  const seen = new Map<number, Seen>();
  let firstRound = true;
  const totalBefore = await serverCpuMs(serverPid);
  const sample = async (): Promise<void> => {
    const rows = await db.any<{ pid: number; grp: string }>(
      // Another role's background processes show no backend_type to this one: the server's own work.
      `select pid, coalesce(case when backend_type = 'client backend' then coalesce(nullif(application_name, ''), '(no name)') else backend_type end, '(server processes)') as grp
         from pg_stat_activity`,
    );
    for (const { pid, grp } of rows) {
      const ms = await schedCpuMs(pid);
      if (ms === undefined) continue;
      const known = seen.get(pid);
      if (known) known.last = ms;
      else seen.set(pid, { group: grp, first: firstRound ? ms : 0, last: ms });
    }
    firstRound = false;
  };
  await sample();
  let running = Promise.resolve();
  const timer = setInterval(() => {
    running = running.then(sample).catch(() => undefined);
  }, everyMs);
  return {
    async stop(): Promise<BackendCpuSplit> {
      clearInterval(timer);
      await running;
      await sample();
      const totalAfter = await serverCpuMs(serverPid);
      const groups = new Map<string, { ms: number; backends: number }>();
      for (const { group, first, last } of seen.values()) {
        const entry = groups.get(group) ?? { ms: 0, backends: 0 };
        entry.ms += last - first;
        entry.backends += 1;
        groups.set(group, entry);
      }
      const list = [...groups.entries()].map(([group, { ms, backends }]) => ({ group, ms, backends })).sort((a, b) => b.ms - a.ms);
      const attributed = list.reduce((sum, entry) => sum + entry.ms, 0);
      return { groups: list, unattributedMs: totalBefore === undefined || totalAfter === undefined ? undefined : totalAfter - totalBefore - attributed };
    },
  };
}

/** CPU ms of one group in a split (0 when absent). */
export function groupMs(split: BackendCpuSplit, group: string): number {
  return split.groups.find((entry) => entry.group === group)?.ms ?? 0;
}

/** "stockctl 12.3 s (5 backends), autovacuum worker 4.5 s (30), ...": a split as one line. */
export function backendCpuLine(split: BackendCpuSplit): string {
  const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;
  const parts = split.groups.filter((entry) => entry.ms >= 50).map((entry) => `${entry.group} ${seconds(entry.ms)} (${entry.backends} ${entry.backends === 1 ? 'process' : 'processes'})`);
  if (split.unattributedMs !== undefined) parts.push(`not seen by a sample ${seconds(split.unattributedMs)}`);
  return parts.join(', ');
}
