import type { z } from 'zod';
import type { CatalogCommands } from '../../commands/catalog-commands.js';
import type { StreamCommandResult } from '../../commands/single-stream.js';
import type { ArticleDetails } from '../../domain/article/article.js';
import type { Database } from '../../database/connection.js';
import type { EventStore, Position } from '../../eventstore/event-store.js';
import { streamName } from '../../eventstore/stream-name.js';
import { findByBarcode, getArticle, listArticles, type Article } from '../../projections/catalog.queries.js';
import { getLocation, listLocations } from '../../projections/locations.queries.js';
import { HttpProblem } from '../problem.js';
import { definedFields } from '../../domain/defined-fields.js';
import { route, type AnyRoute, type RouteResult } from '../route.js';
import {
  articleChangesSchema,
  articleListQuery,
  articleSchema,
  barcodeParams,
  blockSchema,
  locationListQuery,
  locationParams,
  newArticleSchema,
  newLocationSchema,
  skuParams,
} from '../schemas/catalog.js';
import { inUnits, units } from '../units.js';
import { commandMetadata } from './movement-routes.js';

/** An article's master data in units, as the API shows it. */
function articleView(details: ArticleDetails, archived: boolean): Record<string, unknown> {
  return {
    sku: details.sku,
    name: details.name,
    unit: details.unit,
    tracking: details.tracking,
    barcode: details.barcode ?? null,
    reorderPoint: units(details.reorderPoint),
    reorderQuantity: units(details.reorderQuantity),
    shelfLifeDays: details.shelfLifeDays ?? null,
    archived,
  };
}

const readArticle = (article: Article): Article => inUnits(article, ['reorderPoint', 'reorderQuantity']);

/**
 * The answer to a catalog command: its body, ETag (the stream revision, for If-Match) and
 * X-Position: the position of what it wrote, or, when it changed nothing (blocking a blocked
 * location), the tenant's last committed position, which covers the state it found.
 */
async function commandAnswer(status: number, body: unknown, result: StreamCommandResult<unknown>, store: EventStore, tenant: string): Promise<RouteResult> {
  return {
    status,
    body,
    headers: {
      ...(result.revision === undefined ? {} : { ETag: `"${result.revision}"` }),
      'X-Position': result.position ?? (await store.lastCommittedPosition(tenant)),
    },
  };
}

const notFound = (what: string): HttpProblem => new HttpProblem(404, 'not-found', 'Not found', `${what} does not exist in this tenant.`);

/** `If-Match: "3"` (or `3`) as a revision; a malformed one is a 400. */
function ifMatchRevision(header: string | undefined): bigint | undefined {
  if (header === undefined) return undefined;
  const match = /^(?:W\/)?"?(\d{1,18})"?$/.exec(header.trim());
  if (!match?.[1]) throw new HttpProblem(400, 'malformed-header', 'Malformed If-Match', 'If-Match must be the ETag of an earlier answer, e.g. "3".');
  return BigInt(match[1]);
}

/**
 * The revision of the article's stream that a read model at `position` shows: that of its last
 * event at or before the position. Not the stream's newest revision: a read model a little behind
 * would then pair an old body with a new ETag, and an edit made from that body would overwrite
 * the change it never showed. An older ETag can only make a later If-Match fail (412), never pass.
 * The article stream holds master data only (stock moves live in its stock stream): a few events.
 */
async function articleRevisionAt(store: EventStore, tenant: string, sku: string, position: Position): Promise<bigint | undefined> {
  let revision: bigint | undefined;
  for await (const event of store.readStream(streamName(tenant, 'article', sku))) {
    if (BigInt(event.position) > BigInt(position)) break;
    revision = event.revision;
  }
  return revision;
}

/** Articles, locations and barcodes (API.md: Catalog, Locations). */
export function catalogRoutes(catalog: CatalogCommands, db: Database, store: EventStore): AnyRoute[] {
  return [
    route<unknown, unknown, z.output<typeof newArticleSchema>>({
      method: 'post',
      path: '/api/articles',
      summary: 'Register an article',
      tag: 'Catalog',
      access: 'catalog',
      body: newArticleSchema,
      responses: [{ status: 201, description: 'The article.', schema: articleSchema }, { status: 409, description: 'duplicate-sku' }],
      handle: async (context) => {
        const details = definedFields(context.body) as ArticleDetails;
        const result = await catalog.registerArticle(commandMetadata(context), details);
        return await commandAnswer(201, articleView(details, false), result, store, context.tenant);
      },
    }),
    route<unknown, z.output<typeof articleListQuery>>({
      method: 'get',
      path: '/api/articles',
      summary: 'List articles (search in SKU, name and barcode)',
      tag: 'Catalog',
      access: 'read',
      query: articleListQuery,
      positioned: true,
      responses: [{ status: 200, description: '`{ items, nextCursor }`' }],
      handle: async ({ query, readModel }) => {
        const page = await listArticles(db, readModel.schema, definedFields({ search: query.search, limit: query.limit, cursor: query.cursor }));
        return { status: 200, body: { items: page.items.map(readArticle), nextCursor: page.nextCursor } };
      },
    }),
    route<z.output<typeof skuParams>>({
      method: 'get',
      path: '/api/articles/:sku',
      summary: 'One article with its onHand, reserved and available totals',
      tag: 'Catalog',
      access: 'read',
      params: skuParams,
      positioned: true,
      responses: [
        { status: 200, description: 'The article.', headers: { ETag: { description: 'The revision of the article this answer shows, for If-Match on PATCH.', type: 'string' } } },
        { status: 404, description: 'No such article.' },
      ],
      handle: async ({ params, readModel, tenant, request }) => {
        // The ETag names the master data's revision, not the totals beside it, which change with
        // every movement: a conditional GET must never be answered 304 with totals the client
        // had before (express answers If-None-Match itself when the ETag matches).
        delete request.headers['if-none-match'];
        const article = await getArticle(db, readModel.schema, params.sku);
        if (!article) throw notFound(`The article ${params.sku}`);
        const revision = await articleRevisionAt(store, tenant, params.sku, readModel.position);
        const body = inUnits(article, ['reorderPoint', 'reorderQuantity', 'onHand', 'reserved', 'available']);
        return { status: 200, body, ...(revision === undefined ? {} : { headers: { ETag: `"${revision}"` } }) };
      },
    }),
    route<z.output<typeof skuParams>, unknown, z.output<typeof articleChangesSchema>>({
      method: 'patch',
      path: '/api/articles/:sku',
      summary: "Change an article's master data (If-Match optional)",
      tag: 'Catalog',
      access: 'catalog',
      params: skuParams,
      body: articleChangesSchema,
      ifMatch: true,
      responses: [
        { status: 200, description: 'The changes recorded.' },
        { status: 404, description: 'No such article.' },
        { status: 412, description: 'If-Match is not the current revision.' },
      ],
      handle: async (context) => {
        const header = context.request.headers['if-match'];
        const result = await catalog.updateArticle(commandMetadata(context), context.params.sku, definedFields(context.body), ifMatchRevision(typeof header === 'string' ? header : undefined));
        return await commandAnswer(200, { sku: context.params.sku, changes: inUnits(definedFields(context.body), ['reorderPoint', 'reorderQuantity']) }, result, store, context.tenant);
      },
    }),
    route<z.output<typeof skuParams>>({
      method: 'post',
      path: '/api/articles/:sku/archive',
      summary: 'Archive an article: no new stock or reservations',
      tag: 'Catalog',
      access: 'catalog',
      params: skuParams,
      responses: [{ status: 200, description: 'Archived.' }, { status: 404, description: 'No such article.' }],
      handle: async (context) =>
        await commandAnswer(200, { sku: context.params.sku, archived: true }, await catalog.archiveArticle(commandMetadata(context), context.params.sku), store, context.tenant),
    }),
    route<z.output<typeof barcodeParams>>({
      method: 'get',
      path: '/api/barcodes/:code',
      summary: 'The article or location that carries this barcode (scanners)',
      tag: 'Catalog',
      access: 'read',
      params: barcodeParams,
      positioned: true,
      responses: [{ status: 200, description: '`{ kind: "article", article }` or `{ kind: "location", location }`.' }, { status: 404, description: 'Nothing carries it.' }],
      handle: async ({ params, readModel }) => {
        const match = await findByBarcode(db, readModel.schema, params.code);
        if (!match) throw notFound(`Nothing with the barcode ${params.code}`);
        return { status: 200, body: match.kind === 'article' ? { kind: 'article', article: readArticle(match.article) } : match };
      },
    }),
    route<unknown, unknown, z.output<typeof newLocationSchema>>({
      method: 'post',
      path: '/api/locations',
      summary: 'Create a location (a warehouse has no parent; others may nest)',
      tag: 'Locations',
      access: 'catalog',
      body: newLocationSchema,
      responses: [{ status: 201, description: 'The location.' }, { status: 409, description: 'duplicate-location' }, { status: 422, description: 'Invalid fields or parent.' }],
      handle: async (context) => {
        const details = definedFields(context.body);
        const result = await catalog.createLocation(commandMetadata(context), details);
        return await commandAnswer(201, { code: details.code, name: details.name ?? null, parent: details.parent ?? null, type: details.type, blocked: false }, result, store, context.tenant);
      },
    }),
    route<unknown, z.output<typeof locationListQuery>>({
      method: 'get',
      path: '/api/locations',
      summary: 'List locations (flat, with parent)',
      tag: 'Locations',
      access: 'read',
      query: locationListQuery,
      positioned: true,
      responses: [{ status: 200, description: '`{ items, nextCursor }`' }],
      handle: async ({ query, readModel }) => ({ status: 200, body: await listLocations(db, readModel.schema, definedFields({ limit: query.limit, cursor: query.cursor })) }),
    }),
    route<z.output<typeof locationParams>>({
      method: 'get',
      path: '/api/locations/:code',
      summary: 'One location with the stock in it',
      tag: 'Locations',
      access: 'read',
      params: locationParams,
      positioned: true,
      responses: [{ status: 200, description: 'The location and its stock.' }, { status: 404, description: 'No such location.' }],
      handle: async ({ params, readModel }) => {
        const location = await getLocation(db, readModel.schema, params.code);
        if (!location) throw notFound(`The location ${params.code}`);
        return { status: 200, body: { ...location, stock: location.stock.map((line) => inUnits(line, ['onHand', 'reserved', 'available'])) } };
      },
    }),
    ...(['block', 'unblock'] as const).map((action) =>
      route<z.output<typeof locationParams>, unknown, z.output<typeof blockSchema>>({
        method: 'post',
        path: `/api/locations/:code/${action}`,
        summary: action === 'block' ? 'Block a location: no stock in or out' : 'Unblock a location',
        tag: 'Locations',
        access: 'catalog',
        params: locationParams,
        ...(action === 'block' ? { body: blockSchema } : {}),
        responses: [{ status: 200, description: 'Done.' }, { status: 404, description: 'No such location.' }],
        handle: async (context) => {
          const metadata = commandMetadata(context);
          const result =
            action === 'block' ? await catalog.blockLocation(metadata, context.params.code, context.body?.reason) : await catalog.unblockLocation(metadata, context.params.code);
          return await commandAnswer(200, { code: context.params.code, blocked: action === 'block' }, result, store, context.tenant);
        },
      }),
    ),
  ];
}
