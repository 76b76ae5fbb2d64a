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
export const replayQuery = z.object({
  at: timestampSchema.optional(),
  basis: z
    .enum(['recorded', 'occurred'])
    .default('recorded')
    .meta({ description: '`recorded` (default): the events recorded up to `at`; `occurred`: the events whose business time (occurredAt) is at or before `at`, as `GET /api/stock/as-of` and `stockctl replay` count them' }),
});

/** One ledger row (one move of one movement line) as GET /api/movements lists it. */
export const ledgerRowSchema = z.object({
  movementId: z.string(),
  kind: z.string(),
  sku: z.string(),
  from: z.string(),
  to: z.string(),
  quantity: z.number(),
  lot: z.string().nullable(),
  serials: z.array(z.string()).nullable(),
  occurredAt: z.string().meta({ description: 'Business time, ISO 8601 in UTC' }),
  recordedAt: z.string().meta({ description: 'When the event was recorded, ISO 8601 in UTC' }),
  user: z.string(),
  reference: z.string().nullable(),
});

/** An article at or below its reorder point, as GET /api/reports/low-stock lists it. */
export const lowStockLineSchema = z.object({
  sku: z.string(),
  name: z.string(),
  onHand: z.number(),
  reserved: z.number(),
  available: z.number(),
  reorderPoint: z.number(),
  reorderQuantity: z.number().nullable(),
});

/** A lot expiring soon (or expired), as GET /api/reports/expiring lists it. */
export const expiringLotSchema = z.object({
  sku: z.string(),
  lot: z.string(),
  expiresOn: z.string(),
  onHand: z.number(),
  daysLeft: z.number().int().meta({ description: 'Days from today to the expiry date; negative once expired' }),
});

/** A stock line as GET /api/stock lists it. */
export const stockLineSchema = z.object({
  sku: z.string(),
  location: z.string(),
  lot: z.string().nullable(),
  expiresOn: z.string().nullable(),
  onHand: z.number(),
  reserved: z.number(),
  available: z.number(),
  /** When the article was last counted at this location (the latest count's business time, ISO 8601 UTC), null if never. */
  lastCountedAt: z.string().nullable(),
});
