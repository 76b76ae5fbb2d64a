import { BehaviorSubject, distinctUntilChanged, type Observable } from 'rxjs';
import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import { closeDatabase, openDatabase, type Database } from './connection.js';
import { startEmbeddedPostgres } from './embedded-postgres.js';
import { superviseEmbeddedPostgres, type SupervisionOptions } from './supervision.js';

/** The database the configuration names, with whatever had to be started for it. */
export interface ConfiguredDatabase {
  readonly db: Database;
  /** Whether an embedded server was started by this process. */
  readonly embedded: boolean;
  /**
   * Whether the database is up as far as this process knows: false from the moment the embedded
   * server died until it is back. For the API's 503 answers; changes are logged once each.
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
 * and opens that. The embedded server is watched: when it dies it is restarted (bounded
 * retries with back-off), and when that fails `onLost` is called.
 */
export async function openConfiguredDatabase(config: Config, logger: Logger, options: OpenOptions | string = {}): Promise<ConfiguredDatabase> {
  const { applicationName = 'stockcontrol', onLost, ...supervision } = typeof options === 'string' ? { applicationName: options } : options;
  const available = new BehaviorSubject(true);
  const availability = available.pipe(distinctUntilChanged());
  if (config.DATABASE_URL) {
    const db = openDatabase(config.DATABASE_URL, { max: config.DB_POOL_SIZE, applicationName });
    const stopWatching = watchExternalDatabase(db, logger, (up) => available.next(up));
    return {
      db,
      embedded: false,
      isAvailable: () => available.value,
      availability,
      close: async () => {
        stopWatching();
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

/**
 * For a server this process does not run (DATABASE_URL): a pooled connection that breaks while
 * idle (the server restarted, a fail-over, an administrator's pg_terminate_backend) marks the
 * database unavailable, and a probe each second marks it available again once it answers. Each
 * change is logged once. A server lost while the pool holds no idle connection is noticed by the
 * requests that fail, not here.
 */
function watchExternalDatabase(db: Database, logger: Logger, setAvailable: (available: boolean) => void): () => void {
  let probing: NodeJS.Timeout | undefined;
  let stopped = false;
  const probe = async (): Promise<void> => {
    try {
      await db.one('select 1');
      probing = undefined;
      logger.info('the database answers again; it is available');
      setAvailable(true);
    } catch {
      if (!stopped) probing = setTimeout(() => void probe(), 1000);
    }
  };
  const onError = (error: Error): void => {
    if (probing !== undefined || stopped) return;
    logger.error({ err: error }, 'a connection to the database broke; the database is unavailable until it answers again');
    setAvailable(false);
    probing = setTimeout(() => void probe(), 1000);
  };
  db.$pool.on('error', onError);
  return () => {
    stopped = true;
    clearTimeout(probing);
    db.$pool.removeListener('error', onError);
  };
}
