/**
 * Console progress of a benchmark run: one line per phase, stamped with the time since the run
 * began, so that a long run shows where it is and a slow phase stands out.
 */
export class Progress {
  private readonly startedAt = performance.now();

  constructor(private readonly write: (line: string) => void = (line) => process.stdout.write(`${line}\n`)) {}

  /** Prints a line stamped with the run's elapsed time. */
  note(message: string): void {
    const seconds = (performance.now() - this.startedAt) / 1000;
    this.write(`[${seconds.toFixed(1).padStart(7)} s] ${message}`);
  }

  /**
   * Prints the start of a phase and returns the function that prints its end, with the phase's
   * own duration and an optional summary.
   */
  phase(label: string): (summary?: string) => void {
    const phaseStartedAt = performance.now();
    this.note(`${label} ...`);
    return (summary) => {
      const seconds = (performance.now() - phaseStartedAt) / 1000;
      this.note(`${label}: done in ${seconds.toFixed(2)} s${summary ? `, ${summary}` : ''}`);
    };
  }

  /**
   * A reporter for work of `total` units that prints a line each time another ~10% is done;
   * call it with the number of units finished so far.
   */
  percentage(label: string, total: number): (done: number) => void {
    let printedTenths = 0;
    const phaseStartedAt = performance.now();
    return (done) => {
      const tenths = Math.floor((done / total) * 10);
      if (tenths <= printedTenths) return;
      printedTenths = tenths;
      const seconds = (performance.now() - phaseStartedAt) / 1000;
      this.note(`${label}: ${tenths * 10}% (${done.toLocaleString('en-US')} of ${total.toLocaleString('en-US')}, ${seconds.toFixed(1)} s)`);
    };
  }
}
