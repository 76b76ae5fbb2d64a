/**
 * Sampling of what PostgreSQL backends wait for while a benchmark runs (pg_stat_activity's
 * wait_event), to show where the time of a concurrent load goes: commit flushes, locks or CPU.
 */
import type { Database } from '../src/database/connection.js';

/** On average, how many of the watched backends were in one wait state at a sample. */
export interface WaitShare {
  /** `type:event`, e.g. `Lock:object`, `IO:WalSync`; `CPU` when running a statement and not waiting. */
  readonly wait: string;
  readonly backends: number;
}

const sampleSql = `
  select coalesce(wait_event_type || ':' || wait_event, 'CPU') as wait, count(*)::int as backends
    from pg_stat_activity
   where state = 'active' and application_name = $1 and pid <> pg_backend_pid()
   group by 1`;

/**
 * Runs `work` while a connection of its own samples, every `intervalMs`, the backends whose
 * application_name is `applicationName` and that are running a statement; returns the result of
 * `work` and the waits, most common first.
 */
export async function sampleWaitEvents<T>(
  db: Database,
  applicationName: string,
  work: () => Promise<T>,
  intervalMs = 20,
): Promise<{ result: T; waits: WaitShare[] }> {
  const sampler = await db.connect({ direct: true });
  const totals = new Map<string, number>();
  let samples = 0;
  let running = true;
  const sampling = (async () => {
    while (running) {
      const rows = await sampler.any<{ wait: string; backends: number }>(sampleSql, [applicationName]);
      samples += 1;
      for (const row of rows) totals.set(row.wait, (totals.get(row.wait) ?? 0) + row.backends);
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  })();
  try {
    const result = await work();
    return {
      result,
      waits: [...totals]
        .map(([wait, total]) => ({ wait, backends: total / Math.max(1, samples) }))
        .sort((a, b) => b.backends - a.backends),
    };
  } finally {
    running = false;
    await sampling.catch(() => undefined);
    await sampler.done();
  }
}

/**
 * `waits` with the share of `inFlight` operations that no backend was running: a closed loop of
 * `inFlight` clients always has that many operations under way, so the rest are in the client
 * (Node) or on the wire.
 */
export function withClientShare(waits: readonly WaitShare[], inFlight: number): WaitShare[] {
  const onServer = waits.reduce((sum, share) => sum + share.backends, 0);
  return [...waits, { wait: 'not on the server', backends: Math.max(0, inFlight - onServer) }].sort((a, b) => b.backends - a.backends);
}

/** The most common waits as text: `Lock:object 14.3, IO:WalSync 0.7, CPU 0.2`. */
export function formatWaits(waits: readonly WaitShare[], top = 4): string {
  const shown = waits.filter((share) => share.backends >= 0.05).slice(0, top);
  return shown.length === 0 ? 'n/a' : shown.map((share) => `${share.wait} ${share.backends.toFixed(1)}`).join(', ');
}
