/**
 * What every long audit operation shares: a progress callback (events done of a total known up
 * front, so a caller can draw a bar with rate and ETA) and an AbortSignal checked between batches.
 */

/** Progress of a long operation: `done` of `total` events (total 0 when not known). */
export interface AuditProgress {
  readonly done: number;
  readonly total: number;
}

/** The options every long audit operation takes. */
export interface AuditRunOptions {
  /** Called now and then (at most every `progressEvery` events), and once at the end. */
  readonly onProgress?: (progress: AuditProgress) => void;
  /** Stops the operation between batches; it then rejects with the signal's reason. */
  readonly signal?: AbortSignal;
}

/** How many events pass between two progress reports. */
export const progressEvery = 10_000;
