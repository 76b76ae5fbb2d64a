/**
 * Timing of repeated operations: a closed-loop load generator and percentiles of its latencies.
 */

/** What {@link runConcurrently} measured. */
export interface LoadResult {
  readonly operations: number;
  readonly concurrency: number;
  /** Wall-clock time from the first operation's start to the last one's end. */
  readonly elapsedMs: number;
  /** Each operation's latency, sorted ascending (for {@link percentile}). */
  readonly latenciesMs: Float64Array;
}

/**
 * Runs `operations` calls of `operation` with `concurrency` of them in flight at any time: each
 * of `concurrency` workers starts the next call as soon as its previous one ends (a closed loop,
 * like that many busy clients). The first error stops the workers and is rethrown.
 */
export async function runConcurrently(
  operations: number,
  concurrency: number,
  operation: (index: number) => Promise<unknown>,
): Promise<LoadResult> {
  const latencies = new Float64Array(operations);
  let next = 0;
  let failed = false;
  const worker = async (): Promise<void> => {
    while (!failed && next < operations) {
      const index = next++;
      const startedAt = performance.now();
      try {
        await operation(index);
      } catch (error) {
        failed = true;
        throw error;
      }
      latencies[index] = performance.now() - startedAt;
    }
  };
  const startedAt = performance.now();
  await Promise.all(Array.from({ length: Math.min(concurrency, operations) }, worker));
  const elapsedMs = performance.now() - startedAt;
  return { operations, concurrency, elapsedMs, latenciesMs: latencies.sort() };
}

/** The nearest-rank percentile `p` (0..100) of ascending `sorted` values; NaN when there are none. */
export function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1] ?? Number.NaN;
}

/** Operations per second of `count` operations in `elapsedMs`. */
export function perSecond(count: number, elapsedMs: number): number {
  return (count * 1000) / elapsedMs;
}

/** Runs `work` and returns its result with its duration in ms. */
export async function timed<T>(work: () => Promise<T>): Promise<{ result: T; elapsedMs: number }> {
  const startedAt = performance.now();
  const result = await work();
  return { result, elapsedMs: performance.now() - startedAt };
}
