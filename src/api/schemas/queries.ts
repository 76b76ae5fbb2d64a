import { z } from 'zod';
import { flagSchema, locationCodeSchema, lotSchema, paginationSchema, referenceSchema, skuSchema, stringSchema, textSchema, timestampSchema } from './common.js';

/** GET /api/stock. */
export const stockQuery = z.object({ sku: skuSchema.optional(), location: locationCodeSchema.optional(), lot: lotSchema.optional(), includeZero: flagSchema, ...paginationSchema });

/** GET /api/stock/as-of. */
export const stockAsOfQuery = z.object({ at: timestampSchema, sku: skuSchema.optional(), location: locationCodeSchema.optional(), ...paginationSchema });

/**
 * The kinds a ledger row can have: moving events only (a reservation moves nothing and has no
 * row). The ledger read model (src/projections/read-models/ledger.ts) names them; a test checks
 * that every kind it writes is one of these.
 */
export const ledgerKinds = ['received', 'transferred', 'shipped', 'returned', 'adjusted', 'counted', 'reversed'] as const;

/** GET /api/movements: `kind` and `user` (the name the ledger shows) narrow it too; `from` and `to` bound the business time (occurredAt), from inclusive, to exclusive. */
export const movementsQuery = z.object({
  kind: z.enum(ledgerKinds).optional(),
  user: textSchema(200).optional(),
  sku: skuSchema.optional(),
  location: locationCodeSchema.optional(),
  reference: referenceSchema.optional(),
  from: timestampSchema.optional(),
  to: timestampSchema.optional(),
  ...paginationSchema,
});

/** GET /api/reports/expiring. */
export const expiringQuery = z.object({ withinDays: z.coerce.number().int('must be a whole number').min(0).max(3650).default(30), ...paginationSchema });

/** A list with nothing but its pages (low stock, users, tokens). */
export const pageQuery = z.object({ ...paginationSchema });

/** GET /api/reports/stock-history. */
export const stockHistoryQuery = z.object({ sku: skuSchema, days: z.coerce.number().int('must be a whole number').min(1).max(730).default(90) });

/** GET /api/audit/events: `after` is a position token (exclusive). */
export const auditEventsQuery = z.object({
  stream: stringSchema().min(1).max(200).optional(),
  sku: skuSchema.optional(),
  after: stringSchema().regex(/^\d{1,20}$/, 'must be a position token').optional(),
  limit: z.coerce.number().int('must be a whole number').min(1).max(500).default(50),
});

/** GET /api/audit/articles/:sku/replay. */
export const replayQuery = z.object({ at: timestampSchema.optional() });

/** A stock line as GET /api/stock lists it. */
export const stockLineSchema = z.object({
  sku: z.string(),
  location: z.string(),
  lot: z.string().nullable(),
  expiresOn: z.string().nullable(),
  onHand: z.number(),
  reserved: z.number(),
  available: z.number(),
});
