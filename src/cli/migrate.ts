import { openDatabase } from '../composition-root.js';
import { ConfigError, loadConfig } from '../config.js';
import { createLogger } from '../logger.js';

/** `npm run migrate`: applies pending migrations to the configured (or embedded) database and exits. */
async function run(): Promise<number> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    process.stderr.write(`${error instanceof ConfigError ? error.message : String(error)}\n`);
    return 2;
  }
  const logger = createLogger(config.LOG_LEVEL, 'migrate');
  try {
    // A DATA_DIR in use, a port taken, an embedded server that cannot run, a migration that
    // cannot be applied: the message says it all (and the database is closed again).
    const { database, applied } = await openDatabase(config, logger, 'stockcontrol-migrate');
    await database.close();
    process.stdout.write(applied.length === 0 ? 'database is up to date\n' : `applied migrations ${applied.join(', ')}\n`);
    return 0;
  } catch (error) {
    process.stderr.write(`migrate: ${(error as Error).message}\n`);
    return 1;
  }
}

// process.exit, not exitCode: a pool or timer left open would otherwise keep the process alive.
process.exit(await run());
