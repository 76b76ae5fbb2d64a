/** A task of the simulation: something that happens at a business time (ms since the epoch). */
export interface Task {
  readonly at: number;
  readonly run: (at: number) => Promise<void>;
}

/**
 * The simulation's calendar: tasks come out in time order, those planned for the same moment in
 * the order they were planned. Tasks at or after `end` (the present) are dropped: nothing is
 * recorded in the future.
 */
export class Agenda {
  private readonly tasks: Array<Task & { readonly order: number }> = [];
  private planned = 0;

  constructor(readonly end: number) {}

  /** Plans `run` at `at`; returns false (and plans nothing) when `at` is not before the end. */
  schedule(at: number, run: (at: number) => Promise<void>): boolean {
    if (!(at < this.end)) return false;
    const task = { at, run, order: (this.planned += 1) };
    // Binary search for the first task that comes after the new one.
    let low = 0;
    let high = this.tasks.length;
    while (low < high) {
      const middle = (low + high) >> 1;
      const other = this.tasks[middle] as Task & { readonly order: number };
      if (other.at < at || (other.at === at && other.order < task.order)) low = middle + 1;
      else high = middle;
    }
    this.tasks.splice(low, 0, task);
    return true;
  }

  /** The earliest task, taken off the calendar; undefined when none is left. */
  next(): Task | undefined {
    return this.tasks.shift();
  }
}
