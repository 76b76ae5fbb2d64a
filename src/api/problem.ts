import type { ErrorRequestHandler, RequestHandler } from 'express';
import { ZodError } from 'zod';
import type { Logger } from '../logger.js';
import { refusalProblem } from './refusals.js';
import { definedFields } from '../domain/defined-fields.js';

/** One bad field of a request: its path (`lines.0.quantity`) and what is wrong with it. */
export interface FieldError {
  readonly path: string;
  readonly message: string;
}

/** An RFC 9457 problem details body, as API.md describes it. */
export interface ProblemBody {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail?: string;
  readonly code: string;
  readonly errors?: readonly FieldError[];
  readonly [extension: string]: unknown;
}

/** An expected refusal that route code throws; the error middleware answers it as problem+json. */
export class HttpProblem extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly title: string,
    readonly detail?: string,
    readonly errors?: readonly FieldError[],
    readonly extensions: Readonly<Record<string, unknown>> = {},
  ) {
    super(detail ?? title);
    this.name = 'HttpProblem';
  }
}

/** Builds the problem body for a status and stable code. */
export function problem(status: number, code: string, title: string, detail?: string, errors?: readonly FieldError[]): ProblemBody {
  return definedFields({
    type: `/problems/${code}`,
    title,
    status,
    code,
    detail,
    errors,
  });
}

/** Turns zod issues into API.md's per-field errors. */
export function fieldErrors(error: ZodError): FieldError[] {
  return error.issues.map((issue) => ({ path: issue.path.map(String).join('.'), message: issue.message }));
}

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
