import { pino, type DestinationStream, type Logger } from 'pino';

export type { Logger } from 'pino';

/** Creates the process logger: one JSON object per line, on stdout unless a destination is given. */
export function createLogger(level: string, name = 'stockcontrol', destination?: DestinationStream): Logger {
  const options = { name, level, base: { pid: process.pid } };
  return destination ? pino(options, destination) : pino(options);
}
