/**
 * Reads the API's problem+json answers (RFC 9457, API.md) into what a form needs: the stable
 * code, the messages by field path ("lines.0.sku"), and any extension members (such as
 * insufficient-stock's sku, location, lot, requested and available).
 */
import { z } from 'zod';

/**
 * A problem answer, read. `errors` maps a field path to its message(s), joined with "; ".
 * Extension members are also spread on the problem itself (`problem.available`), below the
 * standard ones, which they can never replace.
 */
export interface Problem {
  readonly status: number;
  readonly code: string;
  readonly title: string;
  readonly detail?: string;
  readonly type?: string;
  readonly errors: ReadonlyMap<string, string>;
  /** Members beyond the standard ones, e.g. `available` for insufficient-stock. */
  readonly extra: Readonly<Record<string, unknown>>;
  readonly [member: string]: unknown;
}

const problemSchema = z.looseObject({
  type: z.string().optional(),
  title: z.string().optional(),
  status: z.number().int().optional(),
  detail: z.string().optional(),
  code: z.string().optional(),
  errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
});

const standardMembers = new Set(['type', 'title', 'status', 'detail', 'code', 'errors']);

/**
 * The problem in an error answer. `status` is the HTTP status (it wins over the body's). A body
 * that is not a problem (an HTML page from a proxy, nothing at all) still gives a Problem, with
 * code `http-<status>`, so the screen always has something to show.
 */
export function parseProblem(status: number, body: unknown, statusText = ''): Problem {
  const parsed = problemSchema.safeParse(body);
  if (!parsed.success) return { status, code: `http-${status}`, title: statusText || `HTTP ${status}`, errors: new Map(), extra: {} };
  const { data } = parsed;
  const errors = new Map<string, string>();
  for (const error of data.errors ?? []) {
    const before = errors.get(error.path);
    errors.set(error.path, before === undefined ? error.message : `${before}; ${error.message}`);
  }
  const extra = Object.fromEntries(Object.entries(data).filter(([member]) => !standardMembers.has(member)));
  return {
    ...extra,
    status,
    code: data.code ?? (data.type?.startsWith('/problems/') ? data.type.slice('/problems/'.length) : `http-${status}`),
    title: data.title ?? (statusText || `HTTP ${status}`),
    ...(data.detail === undefined ? {} : { detail: data.detail }),
    ...(data.type === undefined ? {} : { type: data.type }),
    errors,
    extra,
  };
}

/** Where a field path points in a form: a line's field ("lines.2.sku") or a field of the whole form ("reference"). */
export type FieldTarget = { readonly kind: 'line'; readonly line: number; readonly field: string } | { readonly kind: 'form'; readonly field: string };

/** Where a path from `errors` belongs: "lines.0.serials.1" is line 0's "serials" field. */
export function fieldTarget(path: string): FieldTarget {
  const line = /^lines\.(\d+)(?:\.([^.]+))?/.exec(path);
  if (line) return { kind: 'line', line: Number(line[1]), field: line[2] ?? '' };
  return { kind: 'form', field: path.split('.')[0] ?? '' };
}

/** A problem's field messages sorted for a form: whole-form fields by name, line fields by line and name. */
export interface FormErrors {
  readonly form: ReadonlyMap<string, string>;
  readonly lines: ReadonlyMap<number, ReadonlyMap<string, string>>;
}

/**
 * The messages of a problem placed at the form's fields. A line-level error with no field
 * ("lines.3") is kept under the field "". When one field gets several messages they are joined.
 * An insufficient-stock refusal names its line in `extra.line`; its detail is placed at that
 * line's "quantity", where the user can change it.
 */
export function formErrors(problem: Problem): FormErrors {
  const form = new Map<string, string>();
  const lines = new Map<number, Map<string, string>>();
  const put = (target: Map<string, string>, field: string, message: string): void => {
    const before = target.get(field);
    target.set(field, before === undefined || before === message ? message : `${before}; ${message}`);
  };
  const lineMap = (line: number): Map<string, string> => {
    const known = lines.get(line);
    if (known) return known;
    const created = new Map<string, string>();
    lines.set(line, created);
    return created;
  };
  for (const [path, message] of problem.errors) {
    const target = fieldTarget(path);
    if (target.kind === 'line') put(lineMap(target.line), target.field, message);
    else put(form, target.field, message);
  }
  const line = problem.extra['line'];
  if (problem.code === 'insufficient-stock' && typeof line === 'number' && Number.isInteger(line)) {
    put(lineMap(line), 'quantity', problem.detail ?? problem.title);
  }
  return { form, lines };
}
