/** Other writers kept changing the same streams: the command gave up after its retries. */
export class ConcurrencyConflict extends Error {
  readonly code = 'conflict';
  constructor(
    readonly streams: readonly string[],
    attempts: number,
  ) {
    super(`the command was refused after ${attempts} attempts: other writers kept changing ${streams.join(', ')}; try again`);
    this.name = 'ConcurrencyConflict';
  }
}

/** An `If-Match` revision that is not the stream's revision (HTTP 412). */
export class RevisionMismatch extends Error {
  readonly code = 'revision-mismatch';
  constructor(
    readonly expected: bigint,
    readonly actual: bigint | undefined,
  ) {
    super(`expected revision ${expected}, but the current revision is ${actual ?? 'none'}`);
    this.name = 'RevisionMismatch';
  }
}
