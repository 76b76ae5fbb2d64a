import { pino, type Logger } from 'pino';

export type { Logger } from 'pino';

/** Creates the process logger: one JSON object per line on stdout. */
export function createLogger(level: string, name = 'stockcontrol'): Logger {
  return pino({ name, level, base: { pid: process.pid } });
}
