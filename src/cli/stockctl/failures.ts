/** The typed failures of stockctl's commands: each decides an exit code (command.ts, exitCodes). */

/** The command line could not be understood (exit 2); `usage` is what to print after the message (the help, or where to find it). */
export class UsageError extends Error {
  readonly code = 'usage';
  constructor(
    message: string,
    readonly usage?: string,
  ) {
    super(message);
    this.name = 'UsageError';
  }
}

/** What the command names does not exist (exit 4). */
export class NotFound extends Error {
  readonly code = 'not-found';
  constructor(message: string) {
    super(message);
    this.name = 'NotFound';
  }
}

/** The data could not be reached, or the credentials may not read it (exit 3). */
export class Unreachable extends Error {
  readonly code = 'unreachable';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'Unreachable';
  }
}
