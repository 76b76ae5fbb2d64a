import { z } from 'zod';
import type { AnyRoute } from './route.js';

type JsonSchema = Record<string, unknown>;

/** A zod schema as JSON Schema (2020-12, as OpenAPI 3.1 uses) of what a client sends or receives. */
function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as JsonSchema;
  return rest;
}

/** `/api/articles/:sku` as OpenAPI writes it: `/api/articles/{sku}`. */
const openApiPath = (path: string): string => path.replace(/:([A-Za-z]+)/g, '{$1}');

function parameters(schema: z.ZodType | undefined, location: 'path' | 'query'): JsonSchema[] {
  if (!schema) return [];
  const object = jsonSchema(schema, 'input');
  const properties = (object.properties ?? {}) as Record<string, JsonSchema>;
  const required = new Set((object.required ?? []) as string[]);
  return Object.entries(properties).map(([name, property]) => ({ name, in: location, required: location === 'path' || required.has(name), schema: property }));
}

const problemSchema: JsonSchema = {
  type: 'object',
  required: ['type', 'title', 'status', 'code'],
  properties: {
    type: { type: 'string' },
    title: { type: 'string' },
    status: { type: 'integer' },
    detail: { type: 'string' },
    code: { type: 'string' },
    errors: { type: 'array', items: { type: 'object', properties: { path: { type: 'string' }, message: { type: 'string' } } } },
  },
};

const accessNote: Record<string, string> = {
  public: 'No tenant, no credentials.',
  tenant: 'Needs a tenant (Host or X-Tenant); no credentials.',
  read: 'Roles: every role.',
  move: 'Roles: admin, manager, operator.',
  catalog: 'Roles: admin, manager.',
  audit: 'Roles: admin, auditor.',
  admin: 'Roles: admin.',
};

/** The OpenAPI 3.1 document of the routes, from the very zod schemas that validate their requests. */
export function openApiDocument(routes: readonly AnyRoute[], info: { title: string; version: string }): JsonSchema {
  const paths: Record<string, Record<string, JsonSchema>> = {};
  for (const route of routes) {
    const headers: JsonSchema[] = [];
    if (route.access !== 'public') headers.push({ name: 'X-Tenant', in: 'header', required: false, schema: { type: 'string' }, description: 'The tenant, when the host is the bare base domain, localhost or an IP.' });
    if (route.idempotent) headers.push({ name: 'Idempotency-Key', in: 'header', required: false, schema: { type: 'string', maxLength: 200 } });
    if (route.positioned) headers.push({ name: 'X-Min-Position', in: 'header', required: false, schema: { type: 'string', pattern: '^\\d{1,20}$' } });
    if (route.ifMatch) headers.push({ name: 'If-Match', in: 'header', required: false, schema: { type: 'string' } });
    const responses: Record<string, JsonSchema> = {};
    for (const response of route.responses) {
      responses[String(response.status)] = {
        description: response.description,
        ...(response.headers
          ? { headers: Object.fromEntries(Object.entries(response.headers).map(([name, header]) => [name, { description: header.description, schema: { type: header.type } }])) }
          : {}),
        ...(response.schema
          ? { content: { [response.mediaType ?? 'application/json']: { schema: jsonSchema(response.schema, 'output') } } }
          : response.mediaType
            ? { content: { [response.mediaType]: { schema: { type: 'string' } } } }
            : response.status >= 400
            ? { content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } } }
            : {}),
      };
    }
    responses.default = { description: 'A refusal or error (RFC 9457 problem details).', content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } } };
    // Every route needs the database: while it cannot be reached, the answer is 503 `unavailable`.
    responses['503'] ??= {
      description: '`unavailable`: the database cannot be reached at the moment (or `not-ready` for a query whose X-Min-Position was not reached); retry after Retry-After seconds, with the same Idempotency-Key for a movement.',
      headers: { 'Retry-After': { schema: { type: 'integer', minimum: 1 }, description: 'Seconds to wait before retrying.' } },
      content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
    };
    const operation: JsonSchema = {
      summary: route.summary,
      description: accessNote[route.access],
      tags: [route.tag],
      operationId: `${route.method}${openApiPath(route.path).replace(/[^A-Za-z0-9]+(.)?/g, (_match, next: string | undefined) => (next ?? '').toUpperCase())}`,
      parameters: [...parameters(route.params, 'path'), ...parameters(route.query, 'query'), ...headers],
      ...(route.body ? { requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(route.body, 'input') } } } } : {}),
      responses,
      ...(route.access === 'public' || route.access === 'tenant' ? { security: [] } : {}),
    };
    const path = openApiPath(route.path);
    paths[path] = { ...paths[path], [route.method]: operation };
  }
  return {
    openapi: '3.1.0',
    info,
    paths,
    components: {
      schemas: { Problem: problemSchema },
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', description: 'A login token (POST /api/auth/login) or an API token (POST /api/tokens).' },
        session: { type: 'apiKey', in: 'cookie', name: 'sc_session', description: 'The login session cookie (`__Host-sc_session` over HTTPS); writes also need X-CSRF-Token.' },
      },
    },
    security: [{ bearer: [] }, { session: [] }],
  };
}
