import { BehaviorSubject, distinctUntilChanged, type Observable } from 'rxjs';
import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import { warnIfSuperuser } from './application-role.js';
import { closeDatabase, openDatabase, type Database } from './connection.js';
import { startEmbeddedPostgres } from './embedded-postgres.js';
import { superviseEmbeddedPostgres, type SupervisionOptions } from './supervision.js';

/** The database the configuration names, with whatever had to be started for it. */
export interface ConfiguredDatabase {
  readonly db: Database;
  /** Whether an embedded server was started by this process. */
  readonly embedded: boolean;
  /**
   * Whether the embedded server is up as far as its supervisor knows: false from the moment it
   * died until it is back (always true for DATABASE_URL, whose loss the API's
   * DatabaseAvailability finds by itself). Fed to composeApplication's `databaseUp`.
   */
  isAvailable(): boolean;
  /** The same as an observable: the current state, then each change. */
  readonly availability: Observable<boolean>;
  /** Ends the pool, then stops the embedded server if one was started; completes even when it died. */
  close(): Promise<void>;
}

/** Options of {@link openConfiguredDatabase}. */
export interface OpenOptions extends Partial<SupervisionOptions> {
  readonly applicationName?: string;
  /**
   * Called when the embedded server died and could not be brought back: the process should
   * exit non-zero so that a supervisor restarts it. Default: log and exit with 1.
   */
  readonly onLost?: (error: Error) => void;
}

/**
 * Opens `DATABASE_URL`, or, when it is unset, starts the embedded PostgreSQL under `DATA_DIR`
 * and opens that, as its application role (never the superuser; a DATABASE_URL naming a
 * superuser is used, with one warning in the log). The embedded server is watched: when it dies it is restarted (bounded
 * retries with back-off), and when that fails `onLost` is called.
 */
export async function openConfiguredDatabase(config: Config, logger: Logger, options: OpenOptions | string = {}): Promise<ConfiguredDatabase> {
  const { applicationName = 'stockcontrol', onLost, ...supervision } = typeof options === 'string' ? { applicationName: options } : options;
  const available = new BehaviorSubject(true);
  const availability = available.pipe(distinctUntilChanged());
  if (config.DATABASE_URL) {
    // A server this process does not run tells nothing: the API's DatabaseAvailability
    // (src/database/availability.ts) learns of its loss from failing queries and the pool's
    // errors, and probes it until it answers. One watcher of an external server, not two.
    const db = openDatabase(config.DATABASE_URL, { max: config.DB_POOL_SIZE, applicationName });
    // Refused nothing: an operator may choose a superuser, and is told once what it means.
    await warnIfSuperuser(db, logger);
    return {
      db,
      embedded: false,
      isAvailable: () => available.value,
      availability,
      close: async () => {
        await closeDatabase(db);
        available.complete();
      },
    };
  }
  const server = await startEmbeddedPostgres({ dataDir: config.DATA_DIR, port: config.EMBEDDED_PG_PORT, logger });
  const db = openDatabase(server.url, { max: config.DB_POOL_SIZE, applicationName });
  const supervisor = superviseEmbeddedPostgres(server, logger, {
    ...supervision,
    onAvailability: (up) => available.next(up),
    onLost:
      onLost ??
      (() => {
        process.exit(1);
      }),
  });
  return {
    db,
    embedded: true,
    isAvailable: () => available.value,
    availability,
    close: async () => {
      supervisor.stop();
      await closeDatabase(db);
      logger.info('stopping embedded PostgreSQL');
      await server.stop();
      available.complete();
    },
  };
}
