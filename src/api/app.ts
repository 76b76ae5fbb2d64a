import express, { type Express } from 'express';
import type { Logger } from '../logger.js';
import { errorHandler, notFoundHandler, problem, sendProblem } from './problem.js';
import { requestLog } from './request-log.js';

/** A dependency that /readyz asks whether it can serve. */
export interface ReadinessCheck {
  readonly name: string;
  check(): Promise<void>;
}

/** What the HTTP application is built from; the composition root provides it. */
export interface AppDependencies {
  readonly logger: Logger;
  readonly readiness: readonly ReadinessCheck[];
}

/** Request bodies over this size are refused with 413 (API.md). */
export const maxBodyBytes = 1024 * 1024;

/** Builds the express application: operations routes, JSON parsing, request logs, problem+json errors. */
export function createApp(dependencies: AppDependencies): Express {
  const { logger } = dependencies;
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', false);
  app.use(requestLog(logger));
  app.use(express.json({ limit: maxBodyBytes, type: ['application/json', 'application/*+json'] }));

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

  app.use(notFoundHandler);
  app.use(errorHandler(logger));
  return app;
}
