import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import type { StockCommands } from '../../commands/stock-commands.js';
import type { MovementResult } from '../../commands/movement-execution.js';
import type { CommandMetadata } from '../../domain/metadata.js';
import { fromThousandths } from '../../domain/quantity.js';
import { definedFields } from '../../domain/defined-fields.js';
import { route, type AnyRoute, type RouteContext, type RouteResult } from '../route.js';
import {
  adjustmentSchema,
  countSchema,
  movementAnswerSchema,
  movementIdParams,
  receiptSchema,
  reservationParams,
  reservationSchema,
  returnSchema,
  reversalSchema,
  shipmentSchema,
  transferSchema,
} from '../schemas/movements.js';

/** The metadata of a command from an API request: who, when (business time), and the request's ids. */
export function commandMetadata(context: RouteContext<unknown, unknown, unknown>, occurredAt?: string): CommandMetadata {
  // The request id of the request log (the caller's X-Request-Id, or one made for it): the events
  // of a request carry it as their correlation id, so the audit trail and the logs meet.
  const requestId = context.request.res?.getHeader('x-request-id');
  return {
    tenant: context.tenant,
    user: context.principal.user,
    credentialId: context.principal.credentialId,
    source: 'api',
    correlationId: typeof requestId === 'string' && requestId.length <= 200 ? requestId : randomUUID(),
    ...(context.idempotency ? { idempotencyKey: context.idempotency.key, idempotencyScope: context.idempotency.scope } : {}),
    occurredAt: (occurredAt === undefined ? context.now : new Date(occurredAt)).toISOString(),
  };
}

/** A movement's answer (API.md): 201 with its id, position and lines, and X-Position. */
export function movementAnswer(result: MovementResult, extra: Record<string, unknown> = {}): RouteResult {
  const lines = result.record.lines.map((line) =>
    definedFields({ line: line.line, sku: line.sku, from: line.from, to: line.to, quantity: fromThousandths(line.quantity), lot: line.lot, serials: line.serials }),
  );
  return { status: 201, body: { movementId: result.movementId, position: result.position, lines, ...extra }, headers: { 'X-Position': result.position } };
}

/** The 409 answers of an Idempotency-Key every movement route may give. */
const idempotencyRefusals =
  'idempotency-mismatch (the Idempotency-Key came with another body); or idempotency-in-progress: an attempt with the same Idempotency-Key and body is still running after ' +
  'this request waited 5 s for it; send the same request again after Retry-After (an attempt whose process died is taken over at once, never waited for).';
const retryAfter = { 'Retry-After': { description: 'With idempotency-in-progress: seconds to wait before retrying the same request.', type: 'integer' as const } };

const answered = [
  { status: 201, description: 'The movement was recorded (or, for a retried Idempotency-Key, had been).', schema: movementAnswerSchema },
  { status: 409, description: `A business rule refused it: insufficient-stock, location-blocked, duplicate-serial, ...; or ${idempotencyRefusals}`, headers: retryAfter },
  { status: 422, description: 'Invalid fields, unknown articles or locations, missing lots or serials, with the path of each.' },
];

/** The stock movement routes of API.md. */
export function movementRoutes(stock: StockCommands): AnyRoute[] {
  return [
    route<unknown, unknown, z.output<typeof receiptSchema>>({
      method: 'post',
      path: '/api/stock/receipts',
      summary: 'Receive goods from @supplier',
      tag: 'Stock movements',
      access: 'move',
      body: receiptSchema,
      idempotent: true,
      responses: answered,
      handle: async (context) => {
        const { reference, occurredAt, lines } = context.body;
        return movementAnswer(await stock.receive(commandMetadata(context, occurredAt), definedFields({ reference, lines: lines.map(definedFields) })));
      },
    }),
    route<unknown, unknown, z.output<typeof transferSchema>>({
      method: 'post',
      path: '/api/stock/transfers',
      summary: 'Move stock between locations (put-away and any internal move)',
      tag: 'Stock movements',
      access: 'move',
      body: transferSchema,
      idempotent: true,
      responses: answered,
      handle: async (context) => {
        const { reference, occurredAt, lines } = context.body;
        return movementAnswer(await stock.transfer(commandMetadata(context, occurredAt), definedFields({ reference, lines: lines.map(definedFields) })));
      },
    }),
    route<unknown, unknown, z.output<typeof reservationSchema>>({
      method: 'post',
      path: '/api/stock/reservations',
      summary: 'Reserve available stock for an order',
      tag: 'Stock movements',
      access: 'move',
      body: reservationSchema,
      idempotent: true,
      responses: answered,
      handle: async (context) => {
        const { reference, occurredAt, lines } = context.body;
        return movementAnswer(await stock.reserve(commandMetadata(context, occurredAt), { reference, lines: lines.map(definedFields) }));
      },
    }),
    route<z.output<typeof reservationParams>>({
      method: 'delete',
      path: '/api/stock/reservations/:reference',
      summary: 'Release the reservation of a reference',
      tag: 'Stock movements',
      access: 'move',
      params: reservationParams,
      idempotent: true,
      responses: [
        { status: 201, description: 'The reservation was released: a movement of its own (API.md: every movement answers 201).', schema: movementAnswerSchema },
        { status: 404, description: 'No open reservation with this reference.' },
        { status: 409, description: idempotencyRefusals, headers: retryAfter },
      ],
      handle: async (context) => movementAnswer(await stock.releaseReservation(commandMetadata(context), context.params.reference)),
    }),
    route<unknown, unknown, z.output<typeof shipmentSchema>>({
      method: 'post',
      path: '/api/stock/shipments',
      summary: 'Ship goods to @customer (consumes the reservation of the same reference first)',
      tag: 'Stock movements',
      access: 'move',
      body: shipmentSchema,
      idempotent: true,
      responses: answered,
      handle: async (context) => {
        const { reference, occurredAt, lines } = context.body;
        return movementAnswer(await stock.ship(commandMetadata(context, occurredAt), definedFields({ reference, lines: lines.map(definedFields) })));
      },
    }),
    route<unknown, unknown, z.output<typeof returnSchema>>({
      method: 'post',
      path: '/api/stock/returns',
      summary: 'Take goods back from @customer',
      tag: 'Stock movements',
      access: 'move',
      body: returnSchema,
      idempotent: true,
      responses: answered,
      handle: async (context) => {
        const { reference, occurredAt, reason, lines } = context.body;
        return movementAnswer(await stock.returnStock(commandMetadata(context, occurredAt), definedFields({ reference, reason, lines: lines.map(definedFields) })));
      },
    }),
    route<unknown, unknown, z.output<typeof adjustmentSchema>>({
      method: 'post',
      path: '/api/stock/adjustments',
      summary: 'Adjust stock to or from @loss',
      tag: 'Stock movements',
      access: 'move',
      body: adjustmentSchema,
      idempotent: true,
      responses: answered,
      handle: async (context) => {
        const { occurredAt, reason, note, lines } = context.body;
        return movementAnswer(await stock.adjust(commandMetadata(context, occurredAt), definedFields({ reason, note, lines: lines.map(definedFields) })));
      },
    }),
    route<unknown, unknown, z.output<typeof countSchema>>({
      method: 'post',
      path: '/api/stock/counts',
      summary: 'Record a count at a location; the difference moves to or from @count',
      tag: 'Stock movements',
      access: 'move',
      body: countSchema,
      idempotent: true,
      responses: answered,
      handle: async (context) => {
        const { occurredAt, location, lines } = context.body;
        const result = await stock.count(commandMetadata(context, occurredAt), { location, lines: lines.map(definedFields) });
        const differences = result.record.lines.map((line) =>
          definedFields({ sku: line.sku, lot: line.lot, difference: fromThousandths(line.to === '@count' ? -line.quantity : line.quantity) }),
        );
        return movementAnswer(result, { differences });
      },
    }),
    route<z.output<typeof movementIdParams>, unknown, z.output<typeof reversalSchema>>({
      method: 'post',
      path: '/api/movements/:movementId/reverse',
      summary: 'Record the opposite of a movement (the original is never changed)',
      tag: 'Stock movements',
      access: 'move',
      params: movementIdParams,
      body: reversalSchema,
      idempotent: true,
      responses: [...answered, { status: 404, description: 'No such movement in this tenant.' }],
      handle: async (context) =>
        movementAnswer(await stock.reverse(commandMetadata(context, context.body.occurredAt), context.params.movementId, context.body.reason)),
    }),
  ];
}
