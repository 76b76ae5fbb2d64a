import { startHttpServer, type HttpServer } from './api/http-server.js';
import { composeApplication, openDatabase, type Application } from './composition-root.js';
import { ConfigError, loadConfig, type Config } from './config.js';
import type { ConfiguredDatabase } from './database/configured-database.js';
import { createLogger, type Logger } from './logger.js';
import { createDemoTenantIfEmpty } from './tenancy/demo-tenant.js';

/** Errors whose message is the whole story for the operator: printed without a stack. */
const operatorErrors = new Set(['invalid-config', 'port-in-use', 'migration-mismatch', 'unsupported-configuration', 'data-dir-in-use', 'embedded-postgres-unavailable']);

interface Running {
  database?: ConfiguredDatabase;
  application?: Application;
  server?: HttpServer;
}

/** Stops what is running in reverse order of start: HTTP (draining requests), background work, database. */
async function stop(running: Running, config: Config, logger: Logger): Promise<void> {
  // Live streams never finish by themselves: ended first, they do not hold the drain.
  running.application?.endStreams();
  await running.server?.close(config.SHUTDOWN_TIMEOUT_MS);
  await running.application?.close();
  await running.database?.close();
  logger.info('stopped');
}

async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    process.stderr.write(`${error instanceof ConfigError ? error.message : String(error)}\n`);
    process.exit(2);
  }
  const logger = createLogger(config.LOG_LEVEL);
  const running: Running = {};
  let stopping = false;
  const shutdown = (reason: string, exitCode: number): void => {
    if (stopping) return;
    stopping = true;
    logger.info({ reason }, 'shutting down');
    stop(running, config, logger)
      .catch((error: unknown) => logger.error({ err: error }, 'error while shutting down'))
      .finally(() => process.exit(exitCode));
  };
  process.on('SIGINT', () => shutdown('SIGINT', 0));
  process.on('SIGTERM', () => shutdown('SIGTERM', 0));
  // `npm start` does not pass SIGTERM on to us: when the npm process that started us is killed,
  // we are handed to another parent. Under npm only, stop then too, so no server (nor its
  // PostgreSQL) is orphaned; started otherwise (nohup, a daemonizing init script), a new parent
  // is normal.
  if (process.env.npm_lifecycle_event !== undefined) {
    const parent = process.ppid;
    setInterval(() => {
      if (process.ppid !== parent) shutdown('the npm process that started it exited', 0);
    }, 1000).unref();
  }

  try {
    ({ database: running.database } = await openDatabase(config, logger, {
      // The supervision logged why; a supervisor (systemd, Kubernetes) starts the service again.
      onLost: () => shutdown('the embedded PostgreSQL could not be restarted', 1),
    }));
    running.application = composeApplication(config, logger, running.database.db, { databaseUp: running.database.availability });
    running.server = await startHttpServer(running.application.app, config.PORT);
    await running.application.start();
    logger.info({ port: running.server.port }, `StockControl listening on http://localhost:${running.server.port}`);
    if (config.DEMO) {
      const port = running.server.port;
      await createDemoTenantIfEmpty({
        db: running.database.db,
        users: running.application.users,
        readSchemas: running.application.readSchemas,
        commands: running.application.commands,
        logger,
        baseDomain: config.BASE_DOMAIN,
        port,
        announce: (demo) => {
          process.stderr.write(`\nDemo tenant: ${demo.url}  (or X-Tenant: demo on http://localhost:${port})\n  username: ${demo.username}\n  password: ${demo.password}\n  (shown once; its data is being generated now)\n\n`);
        },
      }).catch((error: unknown) => logger.error({ err: error }, 'filling the demo tenant failed; the tenant is there, partly filled'));
    }
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code && operatorErrors.has(code)) {
      logger.fatal({ code }, (error as Error).message);
      process.stderr.write(`stockcontrol: ${(error as Error).message}\n`);
    } else {
      logger.fatal({ err: error }, 'start-up failed');
    }
    shutdown('start-up failed', 1);
  }
}

void main();
