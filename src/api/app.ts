import express, { type Express } from 'express';
import type { Logger } from '../logger.js';
import { errorHandler, notFoundHandler, sendProblem, type DatabaseFailures } from './error-handler.js';
import { problem } from './problem.js';
import { openApiDocument } from './openapi.js';
import type { AnyRoute } from './route.js';
import { createRouter, type RouterDependencies } from './router.js';
import { requestLog } from './request-log.js';
import { securityHeaders } from './security-headers.js';
import { jsonBody, parseQueryStrictly } from './request-decoding.js';
import { defaultWebRoot, webAssets } from './web-assets.js';

/** Not ready: `starting` or `draining` (the service), `unavailable` (a dependency does not answer). */
export type NotReady = 'starting' | 'draining' | 'unavailable';

/** A dependency that /readyz asks whether it can serve: it resolves (ready), says why not, or throws (unavailable). */
export interface ReadinessCheck {
  readonly name: string;
  check(): Promise<void | NotReady>;
}

/** What the HTTP layer knows of the database's availability (src/database/availability.ts). */
export interface DatabaseGate extends DatabaseFailures {
  /** Throws a connection-class error at once while the database is known to be unreachable. */
  admit(): void;
  /** Whether the process can still get out of its trouble by itself (/healthz). */
  liveness(): { readonly live: boolean; readonly detail?: string };
}

/** What the HTTP application is built from; the composition root provides it. */
export interface AppDependencies {
  readonly logger: Logger;
  readonly readiness: readonly ReadinessCheck[];
  /** The API's routes and what their runner needs (absent: only the operations routes). */
  readonly api?: { readonly routes: readonly AnyRoute[]; readonly router: RouterDependencies };
  /**
   * Which proxies' X-Forwarded-For to believe (express `trust proxy`): none by default, a hop
   * count, or proxy addresses/subnets; never `true` (the client writes the leftmost entry).
   */
  readonly trustProxy?: false | number | string;
  /** Refuses API requests at once while the database is down, and hears of their database failures. */
  readonly database?: DatabaseGate;
  /** The built dashboard's folder (default: dist/web of the project, see web-assets.ts). */
  readonly webRoot?: string;
}

/** Request bodies over this size are refused with 413 (API.md). */
export const maxBodyBytes = 1024 * 1024;

/** Builds the express application: operations routes, JSON parsing, request logs, problem+json errors. */
export function createApp(dependencies: AppDependencies): Express {
  const { logger } = dependencies;
  const app = express();
  app.disable('x-powered-by');
  // Paths are matched case-sensitively (express matches /API/users to /api/users by default): the
  // API is /api and nothing else, so that what decides an API answer (its router) and what decides
  // its headers (securityHeaders' Cache-Control: no-store) see the same paths. Set before the
  // first app.use, which creates the application's router with it.
  app.set('case sensitive routing', true);
  // No automatic ETags (a SHA-1 of every answer's body, ~15 µs a request): answers are read-model
  // data that change with every movement, a hash ETag means nothing on a command's answer, and
  // the ETags the API gives (catalog answers: the stream revision, for If-Match) are set by the
  // routes themselves.
  app.set('etag', false);
  app.set('trust proxy', dependencies.trustProxy ?? false);
  app.set('query parser', parseQueryStrictly);
  app.use(requestLog(logger));
  app.use(securityHeaders());
  app.use(jsonBody(maxBodyBytes));

  // Liveness: 200 while the process serves or can recover by itself, an unreachable database
  // included (restarting this process would not bring it back); 503 only when it is wedged.
  app.get('/healthz', (_request, response) => {
    const liveness = dependencies.database?.liveness() ?? { live: true };
    if (liveness.live) {
      response.json({ status: 'ok' });
      return;
    }
    sendProblem(response, problem(503, 'wedged', 'Not live', liveness.detail));
  });

  // Readiness: 200 when requests can be served now; 503 while the service starts or drains, or
  // while the database does not answer, so that a balancer sends requests elsewhere meanwhile.
  app.get('/readyz', async (_request, response) => {
    const results = await Promise.all(
      dependencies.readiness.map(async ({ name, check }) => {
        try {
          return [name, (await check()) ?? 'ok'] as const;
        } catch (error) {
          // The database's outage is logged by the database gate, once, not once per probe.
          if (!dependencies.database?.report(error)) logger.warn({ err: error, dependency: name }, 'readiness check failed');
          return [name, 'unavailable'] as const;
        }
      }),
    );
    const checks = Object.fromEntries(results);
    if (results.every(([, status]) => status === 'ok')) {
      response.json({ status: 'ready', checks });
      return;
    }
    sendProblem(response, { ...problem(503, 'not-ready', 'Not ready', 'The service is starting or draining, or a dependency does not answer.'), checks, retryAfter: 1 });
  });

  if (dependencies.api) {
    const { routes, router } = dependencies.api;
    const document = openApiDocument(routes, { title: 'StockControl API', version: '1.0.0' });
    app.get('/api/openapi.json', (_request, response) => {
      response.json(document);
    });
    const { database } = dependencies;
    if (database) {
      // Fail fast: while the database is known to be down, a request would only wait for a pool
      // connection that cannot come; it is answered 503 unavailable at once instead.
      app.use('/api', (_request, _response, next) => {
        database.admit();
        next();
      });
    }
    app.use(createRouter(routes, router));
  }

  // The dashboard, after every API route: only what they did not answer reaches it.
  app.use(webAssets(dependencies.webRoot ?? defaultWebRoot()));
  app.use(notFoundHandler);
  app.use(errorHandler(logger, dependencies.database));
  return app;
}
