import { z } from 'zod';
import type { Database } from '../../database/connection.js';
import { getArticle } from '../../projections/catalog.queries.js';
import { listMovements } from '../../projections/movements.queries.js';
import { stockAsOf } from '../../projections/queries.js';
import { reservedStockLines } from '../../projections/reserved-stock.js';
import { expiringLots, lowStock, stockHistory } from '../../projections/reports.queries.js';
import { HttpProblem } from '../problem.js';
import { definedFields } from '../../domain/defined-fields.js';
import { route, type AnyRoute } from '../route.js';
import { pageOfList } from '../../projections/cursor.js';
import { expiringLotSchema, expiringQuery, ledgerRowSchema, lowStockLineSchema, movementsQuery, pageQuery, stockAsOfQuery, stockHistoryQuery, stockLineSchema, stockQuery } from '../schemas/queries.js';
import { inUnits, units } from '../units.js';

/** Today's date (UTC) as YYYY-MM-DD. */
/** The request's business date (UTC), the day the expiry and history reports count from. */
const today = (now: Date): string => now.toISOString().slice(0, 10);

/** The queries and reports of API.md, served from the tenant's live read schema. */
export function queryRoutes(db: Database): AnyRoute[] {
  return [
    route<unknown, z.output<typeof stockQuery>>({
      method: 'get',
      path: '/api/stock',
      summary: 'Stock per article, location and lot, first expiring first (FEFO)',
      tag: 'Queries',
      access: 'read',
      query: stockQuery,
      positioned: true,
      responses: [{ status: 200, description: '`{ items, nextCursor }`', schema: z.object({ items: z.array(stockLineSchema), nextCursor: z.string().nullable() }) }],
      handle: async ({ query, readModel }) => {
        const lines = await reservedStockLines(db, readModel.schema, definedFields({ sku: query.sku, location: query.location, lot: query.lot, includeZero: query.includeZero }));
        const items = lines.map((line) => ({ ...line, onHand: units(line.onHand), reserved: units(line.reserved), available: units(line.onHand - line.reserved) }));
        return { status: 200, body: pageOfList('stock', items, query, (line) => `${line.sku}\u0000${line.location}\u0000${line.lot ?? ''}`) };
      },
    }),
    route<unknown, z.output<typeof stockAsOfQuery>>({
      method: 'get',
      path: '/api/stock/as-of',
      summary: 'Balances as they stood at a business time (back-dated movements count where they belong)',
      tag: 'Queries',
      access: 'read',
      query: stockAsOfQuery,
      positioned: true,
      responses: [{ status: 200, description: '`{ at, items }`' }],
      handle: async ({ query, readModel }) => {
        const lines = await stockAsOf(db, readModel.schema, query.at, definedFields({ sku: query.sku, location: query.location }));
        const page = pageOfList('stock-as-of', lines.map((line) => inUnits(line, ['onHand'])), query, (line) => `${line.sku}\u0000${line.location}\u0000${line.lot ?? ''}`);
        return { status: 200, body: { at: query.at, ...page } };
      },
    }),
    route<unknown, z.output<typeof movementsQuery>>({
      method: 'get',
      path: '/api/movements',
      summary: 'The ledger, newest first (from/to bound the business time occurredAt)',
      tag: 'Queries',
      access: 'read',
      query: movementsQuery,
      positioned: true,
      responses: [{ status: 200, description: '`{ items, nextCursor }`', schema: z.object({ items: z.array(ledgerRowSchema), nextCursor: z.string().nullable() }) }],
      handle: async ({ query, readModel }) => {
        const page = await listMovements(db, readModel.schema, definedFields({ ...query }));
        return { status: 200, body: { items: page.items.map((row) => inUnits(row, ['quantity'])), nextCursor: page.nextCursor } };
      },
    }),
    route<unknown, z.output<typeof pageQuery>>({
      method: 'get',
      path: '/api/reports/low-stock',
      summary: 'Articles whose available quantity is at or below their reorder point',
      tag: 'Reports',
      access: 'read',
      query: pageQuery,
      positioned: true,
      responses: [{ status: 200, description: '`{ items, nextCursor }`', schema: z.object({ items: z.array(lowStockLineSchema), nextCursor: z.string().nullable() }) }],
      handle: async ({ query, readModel }) => {
        const items = (await lowStock(db, readModel.schema)).map((line) => inUnits(line, ['onHand', 'reserved', 'available', 'reorderPoint', 'reorderQuantity']));
        return { status: 200, body: pageOfList('low-stock', items, query, (line) => line.sku) };
      },
    }),
    route<unknown, z.output<typeof expiringQuery>>({
      method: 'get',
      path: '/api/reports/expiring',
      summary: 'Lots with stock expiring within withinDays days (expired ones included)',
      tag: 'Reports',
      access: 'read',
      query: expiringQuery,
      positioned: true,
      responses: [{ status: 200, description: '`{ items, nextCursor }`', schema: z.object({ items: z.array(expiringLotSchema), nextCursor: z.string().nullable() }) }],
      handle: async ({ query, readModel, now }) => {
        const items = (await expiringLots(db, readModel.schema, { withinDays: query.withinDays, today: today(now) })).map((lot) => inUnits(lot, ['onHand']));
        return { status: 200, body: pageOfList('expiring', items, query, (lot) => `${lot.sku}\u0000${lot.lot}`) };
      },
    }),
    route<unknown, z.output<typeof stockHistoryQuery>>({
      method: 'get',
      path: '/api/reports/stock-history',
      summary: 'Daily on-hand series of an article, for a chart',
      tag: 'Reports',
      access: 'read',
      query: stockHistoryQuery,
      positioned: true,
      responses: [{ status: 200, description: '`{ sku, days: [{ day, onHand }] }`' }],
      handle: async ({ query, readModel, now }) => {
        if (!(await getArticle(db, readModel.schema, query.sku))) throw new HttpProblem(404, 'unknown-article', 'Unknown article', `The article ${query.sku} does not exist in this tenant.`);
        const history = await stockHistory(db, readModel.schema, { sku: query.sku, days: query.days, today: today(now) });
        return { status: 200, body: { sku: history.sku, days: history.days.map((day) => inUnits(day, ['onHand'])) } };
      },
    }),
  ];
}
