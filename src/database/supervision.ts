import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '../logger.js';
import type { EmbeddedPostgres } from './embedded-postgres.js';

/** How hard to try bringing a dead embedded server back. */
export interface SupervisionOptions {
  /** Restart attempts before giving up (default 5). */
  readonly maxRestarts: number;
  /** Wait before the first attempt; doubled for each further one (default 500 ms: 0.5, 1, 2, 4, 8 s). */
  readonly firstBackoffMs: number;
}

/** A running supervisor. */
export interface Supervisor {
  /** Stops watching: a server that exits from now on is being stopped on purpose. */
  stop(): void;
}

/**
 * Watches the embedded server: when its postmaster exits while nobody is stopping it (killed,
 * crashed, out of memory), marks the database unavailable and restarts it with bounded retries
 * and exponential back-off, logging each attempt and its outcome. When the server is back it is
 * marked available again (the pool reconnects by itself); when every attempt failed `onLost`
 * is called, after a log line that says the process is going to exit.
 */
export function superviseEmbeddedPostgres(
  server: EmbeddedPostgres,
  logger: Logger,
  options: Partial<SupervisionOptions> & { onAvailability: (available: boolean) => void; onLost: (error: Error) => void },
): Supervisor {
  const maxRestarts = options.maxRestarts ?? 5;
  const firstBackoffMs = options.firstBackoffMs ?? 500;
  let watching = true;

  const recover = async (exit: { code: number | null; signal: string | null }): Promise<void> => {
    logger.error({ postgresPid: server.pid, exitCode: exit.code, signal: exit.signal }, 'embedded PostgreSQL exited unexpectedly; the database is unavailable until it is restarted');
    options.onAvailability(false);
    let lastError: Error | undefined;
    for (let attempt = 1; attempt <= maxRestarts && watching; attempt += 1) {
      const backoffMs = firstBackoffMs * 2 ** (attempt - 1);
      await sleep(backoffMs);
      if (!watching) return;
      logger.warn({ attempt, maxRestarts, backoffMs }, `restarting embedded PostgreSQL (attempt ${attempt} of ${maxRestarts})`);
      try {
        await server.restart();
        logger.info({ attempt, postgresPid: server.pid }, 'embedded PostgreSQL restarted; the database is available again');
        options.onAvailability(true);
        watch();
        return;
      } catch (error) {
        lastError = error as Error;
        logger.error({ attempt, err: error }, `restarting embedded PostgreSQL failed (attempt ${attempt} of ${maxRestarts})`);
      }
    }
    if (!watching) return;
    logger.fatal({ attempts: maxRestarts }, 'embedded PostgreSQL could not be restarted; exiting with code 1 so that a supervisor restarts the service');
    options.onLost(lastError ?? new Error('embedded PostgreSQL could not be restarted'));
  };

  const watch = (): void => {
    void server.exited().then((exit) => {
      if (watching) void recover(exit);
    });
  };
  watch();
  return {
    stop: () => {
      watching = false;
    },
  };
}
