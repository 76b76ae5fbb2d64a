import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import { closeDatabase, openDatabase, type Database } from './connection.js';
import { startEmbeddedPostgres, type EmbeddedPostgres } from './embedded-postgres.js';

/** The database the configuration names, with whatever had to be started for it. */
export interface ConfiguredDatabase {
  readonly db: Database;
  /** Whether an embedded server was started by this process. */
  readonly embedded: boolean;
  /** Ends the pool, then stops the embedded server if one was started. */
  close(): Promise<void>;
}

/**
 * Opens `DATABASE_URL`, or, when it is unset, starts the embedded PostgreSQL under `DATA_DIR`
 * and opens that.
 */
export async function openConfiguredDatabase(config: Config, logger: Logger, applicationName = 'stockcontrol'): Promise<ConfiguredDatabase> {
  let server: EmbeddedPostgres | undefined;
  let url = config.DATABASE_URL;
  if (!url) {
    server = await startEmbeddedPostgres({ dataDir: config.DATA_DIR, port: config.EMBEDDED_PG_PORT, logger });
    url = server.url;
  }
  const db = openDatabase(url, { max: config.DB_POOL_SIZE, applicationName });
  return {
    db,
    embedded: server !== undefined,
    close: async () => {
      await closeDatabase(db);
      if (server) {
        logger.info('stopping embedded PostgreSQL');
        await server.stop();
      }
    },
  };
}
