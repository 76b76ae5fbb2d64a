import { z } from 'zod';
import { adjustmentReasons, returnReasons } from '../../domain/stock/events.js';
import { countedSchema, deltaSchema, linesSchema, locationCodeSchema, lotSchema, occurredAtSchema, quantitySchema, referenceSchema, serialsSchema, skuSchema, textSchema, dateSchema } from './common.js';

const movement = { reference: referenceSchema.optional(), occurredAt: occurredAtSchema.optional() };
const tracked = { lot: lotSchema.optional(), serials: serialsSchema.optional() };

/** POST /api/stock/receipts: goods in from @supplier. */
export const receiptSchema = z.strictObject({
  ...movement,
  lines: linesSchema(
    z.strictObject({
      sku: skuSchema,
      quantity: quantitySchema,
      location: locationCodeSchema,
      ...tracked,
      expiresOn: dateSchema.optional(),
      unitCost: z.number().min(0).max(1e12).optional(),
    }),
  ),
});

/** POST /api/stock/transfers: put-away and any internal move. */
export const transferSchema = z.strictObject({
  ...movement,
  lines: linesSchema(z.strictObject({ sku: skuSchema, quantity: quantitySchema, from: locationCodeSchema, to: locationCodeSchema, ...tracked })),
});

/** POST /api/stock/reservations: reserves available stock for an order. */
export const reservationSchema = z.strictObject({
  reference: referenceSchema,
  occurredAt: occurredAtSchema.optional(),
  lines: linesSchema(z.strictObject({ sku: skuSchema, quantity: quantitySchema, location: locationCodeSchema.optional() })),
});

/** POST /api/stock/shipments: goods out to @customer, consuming the reservation of the same reference first. */
export const shipmentSchema = z.strictObject({
  ...movement,
  lines: linesSchema(z.strictObject({ sku: skuSchema, quantity: quantitySchema, from: locationCodeSchema, ...tracked, allowExpired: z.boolean().optional() })),
});

/** POST /api/stock/returns: goods back from @customer. */
export const returnSchema = z.strictObject({
  ...movement,
  reason: z.enum(returnReasons),
  lines: linesSchema(z.strictObject({ sku: skuSchema, quantity: quantitySchema, to: locationCodeSchema, ...tracked })),
});

/** POST /api/stock/adjustments: to or from @loss. */
export const adjustmentSchema = z.strictObject({
  occurredAt: occurredAtSchema.optional(),
  reason: z.enum(adjustmentReasons),
  note: textSchema(500).optional(),
  lines: linesSchema(z.strictObject({ sku: skuSchema, location: locationCodeSchema, delta: deltaSchema, ...tracked })),
});

/** POST /api/stock/counts: what was counted at one location; the difference goes to or from @count. */
export const countSchema = z.strictObject({
  occurredAt: occurredAtSchema.optional(),
  location: locationCodeSchema,
  lines: linesSchema(z.strictObject({ sku: skuSchema, counted: countedSchema, ...tracked })),
});

/** POST /api/movements/:movementId/reverse. */
export const reversalSchema = z.strictObject({ reason: textSchema(500), occurredAt: occurredAtSchema.optional() });

/** A movement id in a path. */
export const movementIdParams = z.strictObject({ movementId: z.uuid() });
/** A reservation reference in a path. */
export const reservationParams = z.strictObject({ reference: referenceSchema });

/** The answer to every movement (quantities in units). */
export const movementAnswerSchema = z.object({
  movementId: z.uuid(),
  position: z.string(),
  lines: z.array(
    z.object({
      line: z.number(),
      sku: z.string(),
      from: z.string().optional(),
      to: z.string().optional(),
      quantity: z.number(),
      lot: z.string().optional(),
      serials: z.array(z.string()).optional(),
    }),
  ),
});
