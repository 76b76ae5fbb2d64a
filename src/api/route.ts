import type { Request, Response } from 'express';
import type { z } from 'zod';
import type { Principal } from '../tenancy/credentials.js';
import type { Permission } from '../tenancy/roles.js';

/**
 * Who may call a route: `public` needs no tenant (registration, the OpenAPI document), `tenant`
 * needs a tenant but no credentials (login), a permission needs a tenant, credentials of that
 * tenant and a role that has the permission (roles.ts).
 */
export type Access = 'public' | 'tenant' | Permission;

/** What a handler gets: validated parameters, query and body, the tenant and who is asking. */
export interface RouteContext<P, Q, B> {
  readonly params: P;
  readonly query: Q;
  readonly body: B;
  /** The request's tenant (every access but `public`). */
  readonly tenant: string;
  /** Who is asking (permission routes). */
  readonly principal: Principal;
  /** The live read schema and the position it had applied (positioned routes, after any X-Min-Position wait). */
  readonly readModel: { readonly schema: string; readonly position: string };
  /** The Idempotency-Key and its scope (idempotent routes given a key). */
  readonly idempotency?: { readonly key: string; readonly scope: string };
  readonly request: Request;
  /** The request's business time, read once from the injected clock (src/api/clock.ts) as the runner took it. */
  readonly now: Date;
}

/** A handler's answer; the runner sends it (and records it for an Idempotency-Key). */
export interface RouteResult {
  readonly status: number;
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string | readonly string[]>>;
  /**
   * Instead of a body: takes the response over once the runner has set the status and headers
   * (a stream such as server-sent events), and writes and ends it itself.
   */
  readonly stream?: (response: Response) => void;
}

/** One documented response of a route (OpenAPI). */
export interface ResponseSpec {
  readonly status: number;
  readonly description: string;
  readonly schema?: z.ZodType;
  /** The body's media type when it is not JSON, e.g. `text/event-stream` (`schema` then describes each event's data). */
  readonly mediaType?: string;
  /** Headers the response may carry: name and what it says (e.g. Retry-After, in seconds). */
  readonly headers?: Readonly<Record<string, { readonly description: string; readonly type: 'integer' | 'string' }>>;
}

/**
 * One HTTP route: its place, who may call it, the zod schemas that validate its input (and are
 * the OpenAPI document's source) and its handler. `idempotent` routes honour `Idempotency-Key`;
 * `positioned` routes are queries that honour `X-Min-Position` and answer with `X-Position`.
 */
export interface RouteSpec<P = unknown, Q = unknown, B = unknown> {
  readonly method: 'get' | 'post' | 'patch' | 'delete';
  /** Express path, e.g. `/api/articles/:sku`. */
  readonly path: string;
  readonly summary: string;
  readonly tag: string;
  readonly access: Access;
  readonly params?: z.ZodType<P>;
  readonly query?: z.ZodType<Q>;
  readonly body?: z.ZodType<B>;
  readonly idempotent?: boolean;
  readonly positioned?: boolean;
  readonly ifMatch?: boolean;
  readonly responses: readonly ResponseSpec[];
  handle(context: RouteContext<P, Q, B>): Promise<RouteResult>;
}

/** A route with its types erased, as the router and the OpenAPI builder hold them. */
export type AnyRoute = RouteSpec<any, any, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** Declares a route; the identity function that lets TypeScript infer the handler's input types from the schemas. */
export function route<P = Record<string, never>, Q = Record<string, never>, B = undefined>(spec: RouteSpec<P, Q, B>): AnyRoute {
  return spec as AnyRoute;
}
