import { z } from 'zod';
import { adjustmentReasons, returnReasons } from '../domain/stock/events.js';

/**
 * The zod schema of every event's data, at its current schema version. Events are read back
 * through these (after upcasting older versions, see upcasters.ts), so a stored event that does
 * not fit is found at once rather than folded into a wrong state.
 */

const quantity = z.number().int().safe();
const positiveQuantity = quantity.positive();
const optionalText = z.string().min(1).optional();
const serials = z.array(z.string().min(1)).optional();
const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);
const lineOfMovement = { movementId: z.string().min(1), line: z.number().int().min(0), sku: z.string().min(1) };
const reservationPart = z.object({ location: optionalText, quantity: positiveQuantity });

const tracking = z.enum(['none', 'lot', 'serial']);
const articleDetails = z.object({
  sku: z.string().min(1),
  name: z.string().min(1),
  unit: z.string().min(1),
  tracking,
  barcode: optionalText,
  reorderPoint: quantity.min(0).optional(),
  reorderQuantity: quantity.min(0).optional(),
  shelfLifeDays: z.number().int().positive().optional(),
});
const articleChanges = articleDetails.pick({ name: true, barcode: true, reorderPoint: true, reorderQuantity: true, shelfLifeDays: true }).partial();
const locationType = z.enum(['warehouse', 'storage', 'receiving', 'shipping', 'returns', 'quarantine']);
const movementKind = z.enum(['received', 'transferred', 'reserved', 'reservation-released', 'shipped', 'returned', 'adjusted', 'counted', 'reversed']);
const movementLine = z.object({
  line: z.number().int().min(0),
  sku: z.string().min(1),
  from: optionalText,
  to: optionalText,
  quantity: positiveQuantity,
  lot: optionalText,
  serials,
});

// User administration (stream `<tenant>:user-<username in lower case>`): who did what is in the
// metadata; the data names whom, and how many of their live sessions the change ended. Never a
// password or a hash. Read models ignore these events.
const userSubject = { username: z.string().min(1), userId: z.string().min(1), sessionsEnded: z.number().int().min(0) };

/** Data schemas by event type, current version. */
export const eventDataSchemas = {
  ArticleRegistered: articleDetails,
  ArticleUpdated: z.object({ sku: z.string().min(1), changes: articleChanges }),
  ArticleArchived: z.object({ sku: z.string().min(1) }),
  LocationCreated: z.object({ code: z.string().min(1), name: optionalText, parent: optionalText, type: locationType }),
  LocationBlocked: z.object({ code: z.string().min(1), reason: optionalText }),
  LocationUnblocked: z.object({ code: z.string().min(1) }),
  StockReceived: z.object({
    ...lineOfMovement,
    to: z.string().min(1),
    quantity: positiveQuantity,
    lot: optionalText,
    expiresOn: isoDate.optional(),
    serials,
    unitCost: z.number().nonnegative().optional(),
    reference: optionalText,
  }),
  StockTransferred: z.object({ ...lineOfMovement, from: z.string().min(1), to: z.string().min(1), quantity: positiveQuantity, lot: optionalText, serials, reference: optionalText }),
  StockReserved: z.object({ ...lineOfMovement, reference: z.string().min(1), location: optionalText, quantity: positiveQuantity }),
  StockReservationReleased: z.object({ ...lineOfMovement, reference: z.string().min(1), location: optionalText, quantity: positiveQuantity }),
  StockShipped: z.object({
    ...lineOfMovement,
    from: z.string().min(1),
    quantity: positiveQuantity,
    lot: optionalText,
    serials,
    reference: optionalText,
    reservationConsumed: z.array(reservationPart).optional(),
  }),
  StockReturned: z.object({
    ...lineOfMovement,
    to: z.string().min(1),
    quantity: positiveQuantity,
    lot: optionalText,
    serials,
    reason: z.enum(returnReasons),
    reference: optionalText,
  }),
  StockAdjusted: z.object({
    ...lineOfMovement,
    location: z.string().min(1),
    delta: quantity,
    lot: optionalText,
    serials,
    reason: z.enum(adjustmentReasons),
    note: z.string().optional(),
  }),
  StockCounted: z.object({
    ...lineOfMovement,
    location: z.string().min(1),
    lot: optionalText,
    counted: quantity.min(0),
    expected: quantity,
    difference: quantity,
    serialsFound: serials,
    serialsMissing: serials,
  }),
  StockMovementReversed: z.object({
    ...lineOfMovement,
    reversedMovementId: z.string().min(1),
    from: z.string().min(1),
    to: z.string().min(1),
    quantity: positiveQuantity,
    lot: optionalText,
    serials,
    reason: z.string(),
  }),
  MovementRecorded: z.object({
    movementId: z.string().min(1),
    kind: movementKind,
    reference: optionalText,
    lines: z.array(movementLine),
    reversalOf: optionalText,
  }),
  MovementReversed: z.object({ movementId: z.string().min(1), reversedBy: z.string().min(1) }),
  ReservationPlaced: z.object({ reference: z.string().min(1), movementId: z.string().min(1), skus: z.array(z.string().min(1)) }),
  ReservationReleased: z.object({ reference: z.string().min(1), movementId: z.string().min(1) }),
  UserRoleChanged: z.object({ ...userSubject, from: z.string().min(1), to: z.string().min(1) }),
  UserDisabled: z.object(userSubject),
  UserEnabled: z.object(userSubject),
  UserDeleted: z.object({ ...userSubject, role: z.string().min(1) }),
  /** By the user, who gave the current password. */
  UserPasswordChanged: z.object(userSubject),
  /** By an admin, who set a new one. */
  UserPasswordReset: z.object(userSubject),
  UserSessionsEnded: z.object(userSubject),
} as const;

/** Every event type the domain writes. */
export type EventType = keyof typeof eventDataSchemas;

/** The metadata every event carries (DESIGN.md), plus its schema version. */
export const eventMetadataSchema = z.object({
  tenant: z.string().min(1),
  user: z.string().min(1),
  credentialId: z.string().min(1).optional(),
  source: z.enum(['api', 'cli', 'import']),
  correlationId: z.string().min(1),
  causationId: z.string().min(1).optional(),
  idempotencyKey: z.string().min(1).optional(),
  occurredAt: z.string().min(1),
  schemaVersion: z.number().int().positive(),
});

/** Parsed event metadata. */
export type EventMetadata = z.infer<typeof eventMetadataSchema>;
