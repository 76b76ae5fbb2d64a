import { destination } from 'pino';
import { composeProjectionTools } from '../../composition-root.js';
import { ConfigError, loadConfig } from '../../config.js';
import type { Database } from '../../database/connection.js';
import { migrate } from '../../database/migrations.js';
import type { EventStore } from '../../eventstore/event-store.js';
import { createLogger, type Logger } from '../../logger.js';
import type { ProjectorDaemon } from '../../projections/daemon.js';
import type { ReadSchemas } from '../../projections/read-schemas.js';
import { AuditorClient } from './auditor-client.js';
import { Unreachable, UsageError } from './failures.js';
import { openOperatorDatabase, type OperatorRoute } from './operator-database.js';

/** How a command reaches its data (command.ts's glossary). */
export type Mode = 'operator' | 'auditor';

/** The operator mode's objects: the installation's database, its event store and read schemas, wired by the composition root. */
export interface Operator {
  readonly db: Database;
  readonly store: EventStore;
  readonly schemas: ReadSchemas;
  /** The projector daemon in prepare mode (`projections prepare`). */
  preparer(): ProjectorDaemon;
  readonly logger: Logger;
  readonly route: OperatorRoute;
  readonly baseDomain: string;
}

/** What every command gets: where to write, how, and the way to its data. */
export interface CommandContext {
  readonly mode: Mode;
  /** --json: machine-readable output (one JSON document, or NDJSON for streams). */
  readonly json: boolean;
  /** Colour on stdout: a terminal, and NO_COLOR unset. */
  readonly color: boolean;
  /** --tenant, when given. */
  readonly tenant: string | undefined;
  /** Aborted by Ctrl-C (SIGINT) or SIGTERM: long commands stop at the next safe point. */
  readonly signal: AbortSignal;
  out(line: string): void;
  err(line: string): void;
  /** Opens the installation's database on first use (operator mode). */
  operator(): Promise<Operator>;
  /** The REST API client (auditor mode). */
  auditor(): AuditorClient;
  /** Releases whatever was opened. */
  close(): Promise<void>;
}

/** Global options of every command. */
export interface GlobalOptions {
  readonly json: boolean;
  readonly url: string | undefined;
  readonly tenant: string | undefined;
}

/**
 * stockctl's context: the configuration, a logger on stderr, the database and event store for the
 * operator mode (opened lazily and migrated; the event store and read schemas from the
 * composition root, like every tool's), or the API client for the auditor mode.
 */
export function createCommandContext(options: GlobalOptions, signal: AbortSignal, env: NodeJS.ProcessEnv = process.env): CommandContext {
  let opened: Promise<{ operator: Operator; close: () => Promise<void> }> | undefined;
  const color = Boolean(process.stdout.isTTY) && (env.NO_COLOR ?? '') === '';
  return {
    mode: options.url === undefined ? 'operator' : 'auditor',
    json: options.json,
    color,
    tenant: options.tenant,
    signal,
    // Nothing is written once the reader has gone (run.ts stops the command then).
    out: (line) => void (process.stdout.writable && process.stdout.write(`${line}\n`)),
    err: (line) => process.stderr.write(`${line}\n`),
    operator: async () => {
      opened ??= (async () => {
        let config;
        try {
          // A command line tool says little unless asked: LOG_LEVEL=info shows what the database does.
          config = loadConfig({ LOG_LEVEL: 'warn', ...env });
        } catch (error) {
          if (error instanceof ConfigError) throw new UsageError(error.message);
          throw error;
        }
        const logger = createLogger(config.LOG_LEVEL, 'stockctl', destination({ dest: 2, sync: true }));
        let database;
        try {
          database = await openOperatorDatabase(config, logger);
        } catch (error) {
          throw new Unreachable(`cannot open the installation's database: ${(error as Error).message}`, { cause: error });
        }
        // The event store EVENT_STORE names and the read schemas, wired by the composition root as for the service.
        let tools;
        try {
          tools = composeProjectionTools(config, logger, database.db);
        } catch (error) {
          // An EVENT_STORE this build cannot serve: the embedded server this process started stops with it.
          await database.close();
          throw error;
        }
        const { store, schemas, preparer } = tools;
        const close = async (): Promise<void> => {
          try {
            await store.close();
          } finally {
            await database.close();
          }
        };
        try {
          await migrate(database.db, logger);
        } catch (error) {
          await close();
          throw new Unreachable(`the installation's database cannot be used: ${(error as Error).message}`, { cause: error });
        }
        return { operator: { db: database.db, store, schemas, preparer, logger, route: database.route, baseDomain: config.BASE_DOMAIN }, close };
      })();
      return (await opened).operator;
    },
    auditor: () => {
      const token = env.STOCKCTL_TOKEN ?? '';
      if (options.url === undefined) throw new UsageError('the auditor mode needs --url <service base URL>');
      if (token === '') throw new UsageError('the auditor mode needs an API token in STOCKCTL_TOKEN');
      if (options.tenant === undefined) throw new UsageError('the auditor mode needs --tenant <slug> (sent as X-Tenant)');
      return new AuditorClient({ url: options.url, token, tenant: options.tenant });
    },
    close: async () => {
      const current = opened;
      opened = undefined;
      await current?.then(
        (done) => done.close(),
        () => undefined,
      );
    },
  };
}
