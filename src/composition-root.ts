/**
 * The composition root: the one place that knows every concrete class and wires them from the
 * configuration. inversify lives here and nowhere else; everything it builds is a plain class or
 * function that takes its dependencies as arguments.
 */
import type { Express } from 'express';
import { Container } from 'inversify';
import { createApp, type ReadinessCheck } from './api/app.js';
import type { Config } from './config.js';
import type { Database } from './database/connection.js';
import type { EventStore } from './eventstore/event-store.js';
import { PostgresEventStore } from './eventstore/postgres/postgres-event-store.js';
import type { Logger } from './logger.js';
import { ProjectorDaemon } from './projections/daemon.js';
import { ReadSchemas } from './projections/read-schemas.js';

const services = {
  config: Symbol('Config'),
  logger: Symbol('Logger'),
  database: Symbol('Database'),
  eventStore: Symbol('EventStore'),
  readSchemas: Symbol('ReadSchemas'),
  projector: Symbol('ProjectorDaemon'),
  app: Symbol('App'),
} as const;

/** The running service's parts, as main() and the tests need them. */
export interface Application {
  readonly app: Express;
  readonly eventStore: EventStore;
  readonly readSchemas: ReadSchemas;
  /** Starts background work: the projector daemon. */
  start(): Promise<void>;
  /** Ends subscriptions and background work; the database pool belongs to the caller. */
  close(): Promise<void>;
}

/** Thrown when the configuration asks for something this build cannot provide. */
export class UnsupportedConfiguration extends Error {
  readonly code = 'unsupported-configuration';
}

/** Builds the application from its configuration and an open database. */
export function composeApplication(config: Config, logger: Logger, db: Database): Application {
  const container = new Container({ defaultScope: 'Singleton' });
  container.bind<Config>(services.config).toConstantValue(config);
  container.bind<Logger>(services.logger).toConstantValue(logger);
  container.bind<Database>(services.database).toConstantValue(db);
  container.bind<EventStore>(services.eventStore).toDynamicValue((context) => {
    const chosen = context.get<Config>(services.config).EVENT_STORE;
    if (chosen !== 'postgres') {
      throw new UnsupportedConfiguration(`EVENT_STORE=${chosen} is not available in this build yet; use EVENT_STORE=postgres`);
    }
    return new PostgresEventStore(context.get<Database>(services.database), context.get<Logger>(services.logger).child({ component: 'eventstore' }));
  });
  container.bind<ReadSchemas>(services.readSchemas).toDynamicValue(
    (context) =>
      new ReadSchemas(context.get<Database>(services.database), context.get<EventStore>(services.eventStore), context.get<Logger>(services.logger).child({ component: 'read-schemas' })),
  );
  container.bind<ProjectorDaemon>(services.projector).toDynamicValue(
    (context) =>
      new ProjectorDaemon(
        context.get<Database>(services.database),
        context.get<EventStore>(services.eventStore),
        context.get<ReadSchemas>(services.readSchemas),
        context.get<Logger>(services.logger).child({ component: 'projector' }),
      ),
  );
  container.bind<Express>(services.app).toDynamicValue((context) => {
    const database = context.get<Database>(services.database);
    const readiness: ReadinessCheck[] = [{ name: 'database', check: async () => void (await database.one('select 1')) }];
    return createApp({ logger: context.get<Logger>(services.logger).child({ component: 'http' }), readiness });
  });

  const eventStore = container.get<EventStore>(services.eventStore);
  const projector = container.get<ProjectorDaemon>(services.projector);
  return {
    app: container.get<Express>(services.app),
    eventStore,
    readSchemas: container.get<ReadSchemas>(services.readSchemas),
    start: async () => {
      await projector.start();
    },
    close: async () => {
      await projector.stop();
      await eventStore.close();
    },
  };
}
