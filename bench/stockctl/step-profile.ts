/**
 * A CPU profile of each stockctl benchmark step on its own (BENCH_STOCKCTL_PROFILE=<folder>):
 * `node --cpu-prof` would give one profile of the whole run, load and every step mixed, where
 * what limits a step is the question. The V8 profiler of this process is started and stopped
 * around the step through the inspector; the file opens in Chrome DevTools or speedscope.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import path from 'node:path';

/** A file name from a step's label: its words, lower case, joined by dashes. */
function fileName(index: number, label: string): string {
  const words = label.toLowerCase().match(/[a-z0-9]+/g) ?? [];
  return `${String(index).padStart(2, '0')}-${words.slice(0, 8).join('-')}.cpuprofile`;
}

/**
 * Runs `work`, profiled into `<folder>/<index>-<label>.cpuprofile` when `folder` is set. It
 * samples every millisecond, as `--cpu-prof` does: enough for steps of seconds, and the step's
 * CPU figures then include the profiler's cost, so compare figures of unprofiled runs.
 */
export async function profiledStep<T>(folder: string | undefined, index: number, label: string, work: () => Promise<T>): Promise<T> {
  if (!folder) return await work();
  const session = new Session();
  session.connect();
  try {
    await session.post('Profiler.enable');
    await session.post('Profiler.setSamplingInterval', { interval: 1000 });
    await session.post('Profiler.start');
    let result: T;
    try {
      result = await work();
    } finally {
      const { profile } = await session.post('Profiler.stop');
      await mkdir(folder, { recursive: true });
      await writeFile(path.join(folder, fileName(index, label)), JSON.stringify(profile));
    }
    return result;
  } finally {
    session.disconnect();
  }
}
