/**
 * The composition root: the one place that knows every concrete class and wires them from the
 * configuration, for the service and for every command-line tool. inversify lives here and
 * nowhere else; everything it builds is a plain class or function that takes its dependencies as
 * arguments. Read it as the map of the system: one function per layer binds that layer's parts
 * (settings, database, event store, commands, projections, tenancy, API), each taking from the
 * layers below it; `composeApplication` and `composeProjectionTools` pick what they run.
 */
import type { Express } from 'express';
import { Container, type ResolutionContext } from 'inversify';
import type { Observable } from 'rxjs';
import { createApp, type ReadinessCheck } from './api/app.js';
import { systemClock, type Clock } from './api/clock.js';
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
import { openConfiguredDatabase, type ConfiguredDatabase, type OpenOptions } from './database/configured-database.js';
import type { Database } from './database/connection.js';
import { migrate } from './database/migrations.js';
import type { EventStore } from './eventstore/event-store.js';
import { KurrentDbEventStore } from './eventstore/kurrentdb/kurrentdb-event-store.js';
import { PostgresEventStore } from './eventstore/postgres/postgres-event-store.js';
import type { Logger } from './logger.js';
import { ProjectorDaemon } from './projections/daemon.js';
import { ReadSchemas } from './projections/read-schemas.js';
import { SchemaPool } from './projections/schema-pool.js';
import { projectionVersion } from './projections/version.js';
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
  clock: Symbol('Clock'),
  database: Symbol('Database'),
  availability: Symbol('DatabaseAvailability'),
  eventStore: Symbol('EventStore'),
  readSchemas: Symbol('ReadSchemas'),
  schemaPool: Symbol('SchemaPool'),
  projector: Symbol('ProjectorDaemon'),
  preparer: Symbol('PreparingProjectorDaemon'),
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
   * Says the service is draining (/readyz answers 503 from now on), ends the open live streams
   * (GET /api/live) and refuses new ones: call it before draining the HTTP server, whose drain
   * would otherwise wait for them until its timeout. close() does it too.
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
  /** The business time of requests; the machine's clock unless a test fixes it. */
  readonly clock?: Clock;
  /** Other bounds for the live streams than the defaults (tests: short heartbeats, small caps). */
  readonly live?: Partial<LiveStreamLimits>;
}

/** The logger of one component, a child of the bound one. */
const componentLogger = (context: ResolutionContext, component: string): Logger => context.get<Logger>(services.logger).child({ component });

/** What every layer may be given: the configuration, the logger and the clock. */
function bindSettings(container: Container, config: Config, logger: Logger, clock: Clock): void {
  container.bind<Config>(services.config).toConstantValue(config);
  container.bind<Logger>(services.logger).toConstantValue(logger);
  container.bind<Clock>(services.clock).toConstantValue(clock);
}

/** The database layer: the open pool (opened by {@link openDatabase}) and, for the service, its availability gate. */
function bindDatabase(container: Container, db: Database, availability?: DatabaseAvailability): void {
  container.bind<Database>(services.database).toConstantValue(db);
  if (availability) container.bind<DatabaseAvailability>(services.availability).toConstantValue(availability);
}

/**
 * The event store layer: the adapter EVENT_STORE names. With `kurrentdb` only the events live in
 * KurrentDB (KURRENTDB_URL); the control plane and the read schemas stay in the database. Whoever
 * composes closes the store (and with it the KurrentDB client) on shutdown.
 */
function bindEventStore(container: Container): void {
  container.bind<EventStore>(services.eventStore).toDynamicValue((context) => {
    const config = context.get<Config>(services.config);
    const logger = componentLogger(context, 'eventstore');
    if (config.EVENT_STORE === 'kurrentdb') {
      if (!config.KURRENTDB_URL) throw new UnsupportedConfiguration('EVENT_STORE=kurrentdb needs KURRENTDB_URL');
      logger.info({ url: redactedConnectionString(config.KURRENTDB_URL) }, 'events are stored in KurrentDB');
      return KurrentDbEventStore.connect(config.KURRENTDB_URL, logger);
    }
    return new PostgresEventStore(context.get<Database>(services.database), logger);
  });
}

/** A connection string fit for the log: without the password of `user:password@`. */
function redactedConnectionString(url: string): string {
  return url.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@');
}

/** The domain commands: catalog and stock handlers over the event store, asking tenancy for the tenant's policy. */
function bindCommands(container: Container): void {
  container
    .bind<CommandHandlers>(services.commands)
    .toDynamicValue((context) => createCommandHandlers(context.get<EventStore>(services.eventStore), { policy: context.get<TenantDirectory>(services.tenants) }));
}

/** The projections: the read schemas, the daemon that serves them, and one that only prepares them (`projections prepare`). */
function bindProjections(container: Container): void {
  container
    .bind<SchemaPool>(services.schemaPool)
    .toDynamicValue(
      (context) =>
        new SchemaPool(context.get<Database>(services.database), projectionVersion(), {
          size: context.get<Config>(services.config).READ_SCHEMA_POOL_SIZE,
          logger: componentLogger(context, 'schema-pool'),
        }),
    );
  container
    .bind<ReadSchemas>(services.readSchemas)
    .toDynamicValue(
      (context) =>
        new ReadSchemas(
          context.get<Database>(services.database),
          context.get<EventStore>(services.eventStore),
          componentLogger(context, 'read-schemas'),
          undefined,
          undefined,
          context.get<SchemaPool>(services.schemaPool),
        ),
    );
  const daemon = (context: ResolutionContext, mode: 'serve' | 'prepare'): ProjectorDaemon =>
    new ProjectorDaemon(
      context.get<Database>(services.database),
      context.get<EventStore>(services.eventStore),
      context.get<ReadSchemas>(services.readSchemas),
      componentLogger(context, 'projector'),
      { mode },
    );
  container.bind<ProjectorDaemon>(services.projector).toDynamicValue((context) => daemon(context, 'serve'));
  container.bind<ProjectorDaemon>(services.preparer).toDynamicValue((context) => daemon(context, 'prepare'));
}

/** The control plane: tenants, users, credentials, rate limits and idempotency records. */
function bindTenancy(container: Container): void {
  const database = (context: ResolutionContext): Database => context.get<Database>(services.database);
  container.bind<TenantDirectory>(services.tenants).toDynamicValue((context) => new TenantDirectory(database(context)));
  container.bind<Users>(services.users).toDynamicValue((context) => new Users(database(context)));
  container.bind<CredentialCache>(services.credentialCache).toDynamicValue((context) => new CredentialCache(database(context), componentLogger(context, 'credentials')));
  container.bind<Credentials>(services.credentials).toDynamicValue((context) => new Credentials(database(context), context.get<CredentialCache>(services.credentialCache)));
  container.bind<LoginLimiter>(services.loginLimiter).toDynamicValue((context) => new LoginLimiter(database(context)));
  container.bind<RegistrationLimit>(services.registrationLimit).toDynamicValue((context) => new RegistrationLimit(database(context)));
  container.bind<IdempotencyRecords>(services.idempotency).toDynamicValue((context) => new IdempotencyRecords(database(context)));
}

/** The API: every route over the layers below, and the express app with its runner and readiness checks. */
function bindApi(container: Container, serving: () => 'starting' | 'serving' | 'draining', liveStreams: LiveStreams): void {
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
        logger: componentLogger(context, 'tenancy'),
        baseDomain: settings.BASE_DOMAIN,
        port: settings.PORT,
        secureCookie: settings.SESSION_COOKIE_SECURE,
        tenantRegistered: (tenant) => projector.follow(tenant),
      }),
      ...userRoutes(new UserAdministration(database, store, context.get<Credentials>(services.credentials)), context.get<LoginLimiter>(services.loginLimiter)),
      ...catalogRoutes(commands.catalog, database, store),
      ...movementRoutes(commands.stock),
      ...queryRoutes(database),
      ...auditRoutes(store),
      ...adminRoutes({ db: database, store, readSchemas, logger: componentLogger(context, 'read-models') }),
      ...liveRoutes({ store, credentials: context.get<Credentials>(services.credentials), streams: liveStreams, logger: componentLogger(context, 'live') }),
    ];
  });
  container.bind<Express>(services.app).toDynamicValue((context) => {
    const database = context.get<Database>(services.database);
    const gate = context.get<DatabaseAvailability>(services.availability);
    const readiness: ReadinessCheck[] = [
      {
        name: 'service',
        check: async () => {
          const phase = serving();
          return phase === 'serving' ? undefined : phase;
        },
      },
      { name: 'database', check: async () => ((await gate.ready(() => database.one('select 1'))) ? undefined : 'unavailable') },
    ];
    const router: RouterDependencies = {
      tenants: context.get<TenantDirectory>(services.tenants),
      credentials: context.get<Credentials>(services.credentials),
      idempotency: context.get<IdempotencyRecords>(services.idempotency),
      readModel: new ReadModelAccess(context.get<ReadSchemas>(services.readSchemas)),
      baseDomain: context.get<Config>(services.config).BASE_DOMAIN,
      clock: context.get<Clock>(services.clock),
    };
    return createApp({
      logger: componentLogger(context, 'http'),
      readiness,
      api: { routes: context.get<AnyRoute[]>(services.routes), router },
      trustProxy: context.get<Config>(services.config).TRUST_PROXY,
      database: gate,
    });
  });
}

/**
 * Opens the configured database (DATABASE_URL, or the embedded server in DATA_DIR) and applies
 * pending migrations: how the service and every command-line tool start. A database that cannot
 * be migrated is closed again before the error is thrown.
 */
export async function openDatabase(config: Config, logger: Logger, options: OpenOptions | string = {}): Promise<{ database: ConfiguredDatabase; applied: number[] }> {
  const database = await openConfiguredDatabase(config, logger, options);
  try {
    return { database, applied: await migrate(database.db, logger) };
  } catch (error) {
    await database.close();
    throw error;
  }
}

/** Builds the application from its configuration and an open database. */
export function composeApplication(config: Config, logger: Logger, db: Database, options: CompositionOptions = {}): Application {
  // What the parts log passes through the database's availability: connection failures of
  // background work while the database is down are counted in its outage lines, not written each.
  const availability = new DatabaseAvailability({ probe: selectOneProbe(db), logger: logger.child({ component: 'database' }) });
  availability.watchPool(db.$pool);
  const told = options.databaseUp?.subscribe((up) => availability.told(up));
  const quietLogger = availability.quiet(logger);
  // For /readyz: not ready until background work has started, nor once shutting down.
  let phase: 'starting' | 'serving' | 'draining' = 'starting';
  const liveStreams = new LiveStreams({ ...defaultLiveStreamLimits, ...options.live });

  const container = new Container({ defaultScope: 'Singleton' });
  bindSettings(container, config, quietLogger, options.clock ?? systemClock);
  bindDatabase(container, db, availability);
  bindEventStore(container);
  bindCommands(container);
  bindProjections(container);
  bindTenancy(container);
  bindApi(container, () => phase, liveStreams);

  const eventStore = container.get<EventStore>(services.eventStore);
  const projector = container.get<ProjectorDaemon>(services.projector);
  const schemaPool = container.get<SchemaPool>(services.schemaPool);
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
      schemaPool.start();
      purgeTimer = setInterval(() => {
        idempotency.purgeExpired().catch((error: unknown) => quietLogger.warn({ err: error }, 'purging idempotency records failed'));
        loginLimiter.purge().catch((error: unknown) => quietLogger.warn({ err: error }, 'purging login attempts failed'));
        registrationLimit.purge().catch((error: unknown) => quietLogger.warn({ err: error }, 'purging registration attempts failed'));
      }, purgeEveryMs);
      purgeTimer.unref();
      if (phase === 'starting') phase = 'serving';
    },
    endStreams: () => {
      phase = 'draining';
      liveStreams.endAll();
    },
    close: async () => {
      phase = 'draining';
      liveStreams.endAll();
      if (purgeTimer) clearInterval(purgeTimer);
      await projector.stop();
      await schemaPool.stop();
      await credentialCache.stop();
      await idempotency.close();
      await eventStore.close();
      told?.unsubscribe();
      availability.close();
    },
  };
}

/** What `npm run projections` works with: the event store EVENT_STORE names, the read schemas, and a daemon that prepares them. */
export interface ProjectionTools {
  readonly store: EventStore;
  readonly schemas: ReadSchemas;
  /** A projector daemon in prepare mode: builds this version's schemas and keeps them current without making them live. */
  preparer(): ProjectorDaemon;
}

/** Builds the projections command line's parts from the same layer bindings as the service. */
export function composeProjectionTools(config: Config, logger: Logger, db: Database): ProjectionTools {
  const container = new Container({ defaultScope: 'Singleton' });
  bindSettings(container, config, logger, systemClock);
  bindDatabase(container, db);
  bindEventStore(container);
  bindProjections(container);
  return {
    store: container.get<EventStore>(services.eventStore),
    schemas: container.get<ReadSchemas>(services.readSchemas),
    preparer: () => container.get<ProjectorDaemon>(services.preparer),
  };
}
