/**
 * The composition root: the one place that knows every concrete class and wires them from the
 * configuration. inversify lives here and nowhere else; everything it builds is a plain class or
 * function that takes its dependencies as arguments.
 */
import type { Express } from 'express';
import { Container } from 'inversify';
import type { Observable } from 'rxjs';
import { createApp, type ReadinessCheck } from './api/app.js';
import { defaultLiveStreamLimits, LiveStreams, type LiveStreamLimits } from './api/live/live-streams.js';
import { ReadModelAccess } from './api/read-model-access.js';
import type { AnyRoute } from './api/route.js';
import type { RouterDependencies } from './api/router.js';
import { adminRoutes } from './api/routes/admin-routes.js';
import { auditRoutes } from './api/routes/audit-routes.js';
import { catalogRoutes } from './api/routes/catalog-routes.js';
import { liveRoutes } from './api/routes/live-routes.js';
import { movementRoutes } from './api/routes/movement-routes.js';
import { queryRoutes } from './api/routes/query-routes.js';
import { tenancyRoutes } from './api/routes/tenancy-routes.js';
import { userRoutes } from './api/routes/user-routes.js';
import { createCommandHandlers, type CommandHandlers } from './commands/command-handlers.js';
import type { Config } from './config.js';
import { DatabaseAvailability, selectOneProbe } from './database/availability.js';
import type { Database } from './database/connection.js';
import type { EventStore } from './eventstore/event-store.js';
import { PostgresEventStore } from './eventstore/postgres/postgres-event-store.js';
import type { Logger } from './logger.js';
import { ProjectorDaemon } from './projections/daemon.js';
import { ReadSchemas } from './projections/read-schemas.js';
import { CredentialCache } from './tenancy/credential-cache.js';
import { Credentials } from './tenancy/credentials.js';
import { IdempotencyRecords } from './tenancy/idempotency.js';
import { LoginLimiter } from './tenancy/login-limiter.js';
import { RegistrationLimit } from './tenancy/registration-limit.js';
import { TenantDirectory } from './tenancy/tenant-directory.js';
import { UserAdministration } from './tenancy/user-administration.js';
import { Users } from './tenancy/users.js';

const services = {
  config: Symbol('Config'),
  logger: Symbol('Logger'),
  database: Symbol('Database'),
  availability: Symbol('DatabaseAvailability'),
  eventStore: Symbol('EventStore'),
  readSchemas: Symbol('ReadSchemas'),
  projector: Symbol('ProjectorDaemon'),
  tenants: Symbol('TenantDirectory'),
  users: Symbol('Users'),
  credentials: Symbol('Credentials'),
  credentialCache: Symbol('CredentialCache'),
  loginLimiter: Symbol('LoginLimiter'),
  registrationLimit: Symbol('RegistrationLimit'),
  idempotency: Symbol('IdempotencyRecords'),
  commands: Symbol('CommandHandlers'),
  routes: Symbol('Routes'),
  app: Symbol('App'),
} as const;

/** The running service's parts, as main() and the tests need them. */
export interface Application {
  readonly app: Express;
  readonly eventStore: EventStore;
  readonly readSchemas: ReadSchemas;
  readonly commands: CommandHandlers;
  readonly users: Users;
  /** Starts background work: the projector daemon, the credential-revocation listener and the idempotency-record purge. */
  start(): Promise<void>;
  /**
   * Ends the open live streams (GET /api/live) and refuses new ones: call it before draining the
   * HTTP server, whose drain would otherwise wait for them until its timeout. close() does it too.
   */
  endStreams(): void;
  /** Ends subscriptions and background work; the database pool belongs to the caller. */
  close(): Promise<void>;
}

/** Thrown when the configuration asks for something this build cannot provide. */
export class UnsupportedConfiguration extends Error {
  readonly code = 'unsupported-configuration';
}

/** How often expired idempotency records are deleted. */
const purgeEveryMs = 10 * 60_000;

/** What else the application may be told at its composition. */
export interface CompositionOptions {
  /**
   * Whether the database server is up, as whoever runs it knows (the embedded server's
   * supervisor): requests are refused from the moment it dies and served as soon as it is back.
   * Without it, the application finds out from its failing queries and its probe.
   */
  readonly databaseUp?: Observable<boolean>;
  /** Other bounds for the live streams than the defaults (tests: short heartbeats, small caps). */
  readonly live?: Partial<LiveStreamLimits>;
}

/** Builds the application from its configuration and an open database. */
export function composeApplication(config: Config, logger: Logger, db: Database, options: CompositionOptions = {}): Application {
  const container = new Container({ defaultScope: 'Singleton' });
  // What the parts log passes through the database's availability: connection failures of
  // background work while the database is down are counted in its outage lines, not written each.
  const availability = new DatabaseAvailability({ probe: selectOneProbe(db), logger: logger.child({ component: 'database' }) });
  availability.watchPool(db.$pool);
  const told = options.databaseUp?.subscribe((up) => availability.told(up));
  const quietLogger = availability.quiet(logger);
  const liveStreams = new LiveStreams({ ...defaultLiveStreamLimits, ...options.live });
  // For /readyz: not ready until background work has started, nor once shutting down.
  let phase: 'starting' | 'serving' | 'draining' = 'starting';
  const child = (component: string): Logger => container.get<Logger>(services.logger).child({ component });
  container.bind<Config>(services.config).toConstantValue(config);
  container.bind<Logger>(services.logger).toConstantValue(quietLogger);
  container.bind<Database>(services.database).toConstantValue(db);
  container.bind<DatabaseAvailability>(services.availability).toConstantValue(availability);
  container.bind<EventStore>(services.eventStore).toDynamicValue((context) => {
    const chosen = context.get<Config>(services.config).EVENT_STORE;
    if (chosen !== 'postgres') {
      throw new UnsupportedConfiguration(`EVENT_STORE=${chosen} is not available in this build yet; use EVENT_STORE=postgres`);
    }
    return new PostgresEventStore(context.get<Database>(services.database), child('eventstore'));
  });
  container.bind<ReadSchemas>(services.readSchemas).toDynamicValue(
    (context) => new ReadSchemas(context.get<Database>(services.database), context.get<EventStore>(services.eventStore), child('read-schemas')),
  );
  container.bind<ProjectorDaemon>(services.projector).toDynamicValue(
    (context) =>
      new ProjectorDaemon(context.get<Database>(services.database), context.get<EventStore>(services.eventStore), context.get<ReadSchemas>(services.readSchemas), child('projector')),
  );
  container.bind<TenantDirectory>(services.tenants).toDynamicValue((context) => new TenantDirectory(context.get<Database>(services.database)));
  container.bind<Users>(services.users).toDynamicValue((context) => new Users(context.get<Database>(services.database)));
  container.bind<CredentialCache>(services.credentialCache).toDynamicValue((context) => new CredentialCache(context.get<Database>(services.database), child('credentials')));
  container
    .bind<Credentials>(services.credentials)
    .toDynamicValue((context) => new Credentials(context.get<Database>(services.database), context.get<CredentialCache>(services.credentialCache)));
  container.bind<LoginLimiter>(services.loginLimiter).toDynamicValue((context) => new LoginLimiter(context.get<Database>(services.database)));
  container.bind<RegistrationLimit>(services.registrationLimit).toDynamicValue((context) => new RegistrationLimit(context.get<Database>(services.database)));
  container.bind<IdempotencyRecords>(services.idempotency).toDynamicValue((context) => new IdempotencyRecords(context.get<Database>(services.database)));
  container
    .bind<CommandHandlers>(services.commands)
    .toDynamicValue((context) => createCommandHandlers(context.get<EventStore>(services.eventStore), { policy: context.get<TenantDirectory>(services.tenants) }));
  container.bind<AnyRoute[]>(services.routes).toDynamicValue((context) => {
    const database = context.get<Database>(services.database);
    const store = context.get<EventStore>(services.eventStore);
    const readSchemas = context.get<ReadSchemas>(services.readSchemas);
    const commands = context.get<CommandHandlers>(services.commands);
    const settings = context.get<Config>(services.config);
    const projector = context.get<ProjectorDaemon>(services.projector);
    return [
      ...tenancyRoutes({
        db: database,
        users: context.get<Users>(services.users),
        credentials: context.get<Credentials>(services.credentials),
        readSchemas,
        limiter: context.get<LoginLimiter>(services.loginLimiter),
        registrations: context.get<RegistrationLimit>(services.registrationLimit),
        logger: child('tenancy'),
        baseDomain: settings.BASE_DOMAIN,
        port: settings.PORT,
        secureCookie: settings.SESSION_COOKIE_SECURE,
        tenantRegistered: (tenant) => projector.follow(tenant),
      }),
      ...userRoutes(new UserAdministration(database, store, context.get<Credentials>(services.credentials))),
      ...catalogRoutes(commands.catalog, database, store),
      ...movementRoutes(commands.stock),
      ...queryRoutes(database),
      ...auditRoutes(store),
      ...adminRoutes({ db: database, store, readSchemas, logger: child('read-models') }),
      ...liveRoutes({ store, credentials: context.get<Credentials>(services.credentials), streams: liveStreams, logger: child('live') }),
    ];
  });
  container.bind<Express>(services.app).toDynamicValue((context) => {
    const database = context.get<Database>(services.database);
    const gate = context.get<DatabaseAvailability>(services.availability);
    const readiness: ReadinessCheck[] = [
      { name: 'service', check: async () => (phase === 'serving' ? undefined : phase) },
      { name: 'database', check: async () => ((await gate.ready(() => database.one('select 1'))) ? undefined : 'unavailable') },
    ];
    const router: RouterDependencies = {
      tenants: context.get<TenantDirectory>(services.tenants),
      credentials: context.get<Credentials>(services.credentials),
      idempotency: context.get<IdempotencyRecords>(services.idempotency),
      readModel: new ReadModelAccess(context.get<ReadSchemas>(services.readSchemas)),
      baseDomain: context.get<Config>(services.config).BASE_DOMAIN,
    };
    return createApp({
      logger: child('http'),
      readiness,
      api: { routes: context.get<AnyRoute[]>(services.routes), router },
      trustProxy: context.get<Config>(services.config).TRUST_PROXY,
      database: gate,
    });
  });

  const eventStore = container.get<EventStore>(services.eventStore);
  const projector = container.get<ProjectorDaemon>(services.projector);
  const idempotency = container.get<IdempotencyRecords>(services.idempotency);
  const credentialCache = container.get<CredentialCache>(services.credentialCache);
  const loginLimiter = container.get<LoginLimiter>(services.loginLimiter);
  const registrationLimit = container.get<RegistrationLimit>(services.registrationLimit);
  let purgeTimer: NodeJS.Timeout | undefined;
  return {
    app: container.get<Express>(services.app),
    eventStore,
    readSchemas: container.get<ReadSchemas>(services.readSchemas),
    commands: container.get<CommandHandlers>(services.commands),
    users: container.get<Users>(services.users),
    start: async () => {
      await credentialCache.start();
      await projector.start();
      purgeTimer = setInterval(() => {
        idempotency.purgeExpired().catch((error: unknown) => quietLogger.warn({ err: error }, 'purging idempotency records failed'));
        loginLimiter.purge().catch((error: unknown) => quietLogger.warn({ err: error }, 'purging login attempts failed'));
        registrationLimit.purge().catch((error: unknown) => quietLogger.warn({ err: error }, 'purging registration attempts failed'));
      }, purgeEveryMs);
      purgeTimer.unref();
      if (phase === 'starting') phase = 'serving';
    },
    endStreams: () => liveStreams.endAll(),
    close: async () => {
      phase = 'draining';
      liveStreams.endAll();
      if (purgeTimer) clearInterval(purgeTimer);
      await projector.stop();
      await credentialCache.stop();
      await idempotency.close();
      await eventStore.close();
      told?.unsubscribe();
      availability.close();
    },
  };
}
