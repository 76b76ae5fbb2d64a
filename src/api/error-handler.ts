import type { ErrorRequestHandler, RequestHandler } from 'express';
import { ZodError } from 'zod';
import type { Logger } from '../logger.js';
import { fieldErrors, HttpProblem, problem, type ProblemBody } from './problem.js';
import { refusalProblem } from './refusals.js';

/*
 * The express end of problem+json: the error middleware and the 404 handler. Apart from
 * problem.ts (the body and HttpProblem, which refusals.ts builds on) so the two do not import
 * each other.
 */

/** Errors of express's JSON body parser carry a `type` and a status. */
interface BodyParserError {
  readonly type?: string;
  readonly status?: number;
}

function toProblem(error: unknown): ProblemBody | undefined {
  if (error instanceof HttpProblem) {
    return { ...problem(error.status, error.code, error.title, error.detail, error.errors), ...error.extensions };
  }
  if (error instanceof ZodError) {
    return problem(422, 'validation', 'The request is not valid', 'One or more fields are invalid.', fieldErrors(error));
  }
  const refusal = refusalProblem(error);
  if (refusal) return refusal;
  const parserError = error as BodyParserError;
  if (parserError.type === 'entity.too.large') {
    return problem(413, 'payload-too-large', 'Request body too large', 'Request bodies are limited to 1 MiB.');
  }
  if (parserError.type === 'entity.parse.failed') {
    return problem(400, 'malformed-json', 'Malformed JSON', 'The request body is not valid JSON.');
  }
  if (parserError.type?.startsWith('encoding.') || parserError.type === 'charset.unsupported') {
    return problem(400, 'malformed-request', 'Malformed request', 'The request body could not be decoded.');
  }
  // The router's own refusals, e.g. a path with a malformed %-escape (URIError, status 400).
  if (error instanceof URIError || (typeof parserError.status === 'number' && parserError.status >= 400 && parserError.status < 500)) {
    return problem(400, 'malformed-request', 'Malformed request', 'The request could not be decoded.');
  }
  return undefined;
}

/** Sends a problem+json answer; its code stays in `response.locals.problemCode` for the request log. */
export function sendProblem(response: Parameters<RequestHandler>[1], body: ProblemBody): void {
  if (typeof body.retryAfter === 'number') response.setHeader('Retry-After', String(body.retryAfter));
  response.locals.problemCode = body.code;
  response.status(body.status).type('application/problem+json').send(JSON.stringify(body));
}

/** Answers any route nobody handled. */
export const notFoundHandler: RequestHandler = (request, response) => {
  sendProblem(response, problem(404, 'not-found', 'Not found', `No route for ${request.method} ${request.path}.`));
};

/** Where the error middleware reports a request's database failure (src/database/availability.ts). */
export interface DatabaseFailures {
  /** Takes note of an error; answers whether it said the database cannot be reached. */
  report(error: unknown): boolean;
}

/**
 * The last middleware: expected errors become their problem+json answer; anything else is logged
 * with its stack and answered with a bare 500 that says nothing of the internals. A failure to
 * reach the database is answered 503 `unavailable` and reported to `database`, which logs the
 * outage once, not once per request.
 */
export function errorHandler(logger: Logger, database?: DatabaseFailures): ErrorRequestHandler {
  return (error: unknown, request, response, next) => {
    database?.report(error);
    if (response.headersSent) {
      next(error);
      return;
    }
    const known = toProblem(error);
    if (known) {
      sendProblem(response, known);
      return;
    }
    logger.error({ err: error, method: request.method, url: request.originalUrl }, 'request failed');
    sendProblem(response, problem(500, 'internal', 'Internal server error', 'Something went wrong on our side; it has been logged.'));
  };
}
