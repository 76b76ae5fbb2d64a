/**
 * Where the API reads the business time it puts on what it records: the default `occurredAt` of
 * a command, the `at` of an audit replay, the `today` of the expiry and history reports. The
 * domain never reads a clock (time arrives in command metadata); the composition root binds
 * {@link systemClock}, and tests may bind {@link fixedClock}.
 */
export interface Clock {
  /** The current time. */
  now(): Date;
}

/** The machine's clock. */
export const systemClock: Clock = { now: () => new Date() };

/** A clock that always reads `at`: what a test binds to know the time a request records. */
export function fixedClock(at: Date | string): Clock {
  const time = new Date(at).getTime();
  return { now: () => new Date(time) };
}
