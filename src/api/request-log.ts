import { randomUUID } from 'node:crypto';
import type { RequestHandler } from 'express';
import type { Logger } from '../logger.js';

const requestIdPattern = /^[A-Za-z0-9._:-]{1,100}$/;

/**
 * Logs one JSON line per request when its answer is finished: method, path, status, duration and
 * a request id (the caller's `X-Request-Id` when well-formed, else a new one, echoed back).
 * Requests refused with 503 `unavailable` while the database is down are not logged one by one:
 * the database gate counts them in its outage lines, so an outage under load does not bury the log.
 */
export function requestLog(logger: Logger): RequestHandler {
  return (request, response, next) => {
    const started = performance.now();
    const given = request.get('x-request-id');
    const requestId = given && requestIdPattern.test(given) ? given : randomUUID();
    response.setHeader('X-Request-Id', requestId);
    // Below LOG_LEVEL=info nothing would be written: no listener, no entry built.
    if (!logger.isLevelEnabled('info')) {
      next();
      return;
    }
    response.on('finish', () => {
      if (response.statusCode === 503 && response.locals.problemCode === 'unavailable') return;
      logger.info(
        {
          requestId,
          method: request.method,
          path: request.originalUrl,
          status: response.statusCode,
          durationMs: Math.round((performance.now() - started) * 100) / 100,
        },
        'request',
      );
    });
    next();
  };
}
