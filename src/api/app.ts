import express, { type Express } from 'express';
import type { Logger } from '../logger.js';
import { errorHandler, notFoundHandler, problem, sendProblem } from './problem.js';
import { openApiDocument } from './openapi.js';
import type { AnyRoute } from './route.js';
import { createRouter, type RouterDependencies } from './router.js';
import { requestLog } from './request-log.js';
import { securityHeaders } from './security-headers.js';
import { jsonBody, parseQueryStrictly } from './request-decoding.js';

/** A dependency that /readyz asks whether it can serve. */
export interface ReadinessCheck {
  readonly name: string;
  check(): Promise<void>;
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
}

/** Request bodies over this size are refused with 413 (API.md). */
export const maxBodyBytes = 1024 * 1024;

/** Builds the express application: operations routes, JSON parsing, request logs, problem+json errors. */
export function createApp(dependencies: AppDependencies): Express {
  const { logger } = dependencies;
  const app = express();
  app.disable('x-powered-by');
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

  app.get('/healthz', (_request, response) => {
    response.json({ status: 'ok' });
  });

  app.get('/readyz', async (_request, response) => {
    const results = await Promise.all(
      dependencies.readiness.map(async ({ name, check }) => {
        try {
          await check();
          return [name, 'ok'] as const;
        } catch (error) {
          logger.warn({ err: error, dependency: name }, 'readiness check failed');
          return [name, 'unavailable'] as const;
        }
      }),
    );
    const checks = Object.fromEntries(results);
    if (results.every(([, status]) => status === 'ok')) {
      response.json({ status: 'ready', checks });
      return;
    }
    sendProblem(response, { ...problem(503, 'not-ready', 'Not ready', 'A dependency does not answer.'), checks });
  });

  if (dependencies.api) {
    const { routes, router } = dependencies.api;
    const document = openApiDocument(routes, { title: 'StockControl API', version: '1.0.0' });
    app.get('/api/openapi.json', (_request, response) => {
      response.json(document);
    });
    app.use(createRouter(routes, router));
  }

  app.use(notFoundHandler);
  app.use(errorHandler(logger));
  return app;
}
