import type { ZodError } from 'zod';
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
