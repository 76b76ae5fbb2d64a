/** Where a progress bar draws: process.stderr, or anything with the same two members. */
export interface ProgressOutput {
  readonly isTTY?: boolean;
  write(text: string): unknown;
}

/** A progress bar of events done out of a total, with events/s and the time left. */
export interface ProgressBar {
  /** Records progress; draws when it is worth drawing. */
  update(done: number, total: number): void;
  /** Draws the final state and ends the line (nothing when there was no update). Further updates are ignored. */
  finish(): void;
}

const width = 24;
// A terminal is redrawn at most this often; a log file gets a line per tenth instead.
const redrawMs = 100;

/** 75 → "1m15s", 3725 → "1h02m", under a minute → "12s". */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/** How a bar counts and where it draws (both optional: events, and a line per tenth off a terminal). */
export interface ProgressOptions {
  /** What is counted, plural (`events`, `days`). */
  readonly unit?: string;
  /**
   * Off a terminal (a pipe, a log file): `lines` prints a line every ~10% (the default, for CI
   * logs); `nothing` stays silent (stockctl: a pipe carries only the answer).
   */
  readonly offTerminal?: 'lines' | 'nothing';
}

/** One line of progress: `label [#####.....] 50% 500/1,000 events 2,000 events/s ETA 0s`. */
export function progressLine(label: string, done: number, total: number, elapsedMs: number, unit = 'events'): string {
  const fraction = total > 0 ? Math.min(1, done / total) : 1;
  const filled = Math.round(fraction * width);
  const rate = elapsedMs > 0 ? (done * 1000) / elapsedMs : 0;
  const eta = fraction >= 1 ? 0 : rate > 0 ? (total - done) / rate : Number.POSITIVE_INFINITY;
  const count = (n: number): string => n.toLocaleString('en-US');
  return (
    `${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${String(Math.floor(fraction * 100)).padStart(3)}% ` +
    `${count(done)}/${count(total)} ${unit} ${count(Math.round(rate))} ${unit}/s ETA ${formatDuration(eta)}`
  );
}

/**
 * A progress bar on `output` (stderr by default, so stdout stays for results). On a terminal one
 * line is redrawn in place with `\r`; elsewhere (a pipe, a CI log) a line is printed every ~10%,
 * or nothing with `offTerminal: 'nothing'`.
 */
export function createProgressBar(label: string, output: ProgressOutput = process.stderr, now: () => number = () => performance.now(), options: ProgressOptions = {}): ProgressBar {
  const silent = !output.isTTY && options.offTerminal === 'nothing';
  const started = now();
  let done = 0;
  let total = 0;
  let lastDraw = Number.NEGATIVE_INFINITY;
  let lastTenth = -1;
  let finished = false;
  const line = (): string => progressLine(label, done, total, now() - started, options.unit);
  return {
    update(nextDone, nextTotal) {
      if (finished || silent) return;
      done = nextDone;
      total = nextTotal;
      if (output.isTTY) {
        if (now() - lastDraw < redrawMs && done < total) return;
        lastDraw = now();
        // \x1b[K clears what a longer previous line left to the right.
        output.write(`\r${line()}\x1b[K`);
        return;
      }
      const tenth = total > 0 ? Math.floor((Math.min(done, total) / total) * 10) : 10;
      if (tenth <= lastTenth) return;
      lastTenth = tenth;
      output.write(`${line()}\n`);
    },
    finish() {
      if (finished || silent) return;
      finished = true;
      // Nothing to report when no progress ever came (a build that failed before its first batch).
      if (lastTenth < 0 && lastDraw === Number.NEGATIVE_INFINITY) return;
      if (output.isTTY) output.write(`\r${line()}\x1b[K\n`);
      else if (lastTenth < 10) output.write(`${line()}\n`);
    },
  };
}
