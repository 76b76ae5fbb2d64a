import type { CommandMetadata } from '../domain/metadata.js';
import { movementDecider } from '../domain/movement/movement.js';
import { reservationDecider } from '../domain/reservation/reservation.js';
import { UnknownReservation } from '../domain/errors.js';
import type { AdjustmentLine, CountLine, ReceiptLine, RecordedLine, ReservationLine, ReturnLine, ShipmentLine, TransferLine } from '../domain/stock/commands.js';
import type { AdjustmentReason, ReturnReason } from '../domain/stock/events.js';
import { streamName } from '../eventstore/stream-name.js';
import type { CommandDependencies } from './command-context.js';
import { KeyedLock } from './keyed-lock.js';
import { MovementExecution, type MovementResult } from './movement-execution.js';
import { definedFields } from '../domain/defined-fields.js';

/** A request line names its article; the handler numbers the lines. Quantities are thousandths. */
type RequestLine<L> = Omit<L, 'line'> & { readonly sku: string };

export interface ReceiptRequest {
  readonly reference?: string;
  readonly lines: readonly RequestLine<ReceiptLine>[];
}
export interface TransferRequest {
  readonly reference?: string;
  readonly lines: readonly RequestLine<TransferLine>[];
}
export interface ReservationRequest {
  readonly reference: string;
  readonly lines: readonly RequestLine<ReservationLine>[];
}
export interface ShipmentRequest {
  readonly reference?: string;
  readonly lines: readonly RequestLine<ShipmentLine>[];
}
export interface ReturnRequest {
  readonly reference?: string;
  readonly reason: ReturnReason;
  readonly lines: readonly RequestLine<ReturnLine>[];
}
export interface AdjustmentRequest {
  readonly reason: AdjustmentReason;
  readonly note?: string;
  readonly lines: readonly RequestLine<AdjustmentLine>[];
}
export interface CountRequest {
  readonly location: string;
  readonly lines: readonly RequestLine<CountLine>[];
}

/** The request's lines grouped by article, each keeping its index in the request. */
function byArticle<L extends { readonly sku: string }>(lines: readonly L[]): Map<string, Array<Omit<L, 'sku'> & { line: number }>> {
  const groups = new Map<string, Array<Omit<L, 'sku'> & { line: number }>>();
  lines.forEach(({ sku, ...rest }, line) => {
    const group = groups.get(sku) ?? [];
    group.push({ ...rest, line });
    groups.set(sku, group);
  });
  return groups;
}

/**
 * Every stock movement of API.md as a command: receipts, transfers, reservations and their
 * release, shipments, returns, adjustments, counts and reversals. Lines over several articles are
 * recorded all together or not at all.
 */
export class StockCommands {
  private readonly execution: MovementExecution;

  constructor(private readonly dependencies: CommandDependencies) {
    this.execution = new MovementExecution(dependencies, new KeyedLock());
  }

  /** Goods in from @supplier. */
  async receive(metadata: CommandMetadata, request: ReceiptRequest): Promise<MovementResult> {
    const groups = byArticle(request.lines);
    return await this.execution.execute(metadata, definedFields({
      kind: 'received',
      reference: request.reference,
      skus: [...groups.keys()],
      locations: request.lines.map((line) => line.location),
      build: (sku, movementId, context) => ({
        type: 'ReceiveStock',
        context,
        data: definedFields({ movementId, sku, reference: request.reference, lines: groups.get(sku) ?? [] }),
      }),
    }));
  }

  /** Put-away and every internal move. */
  async transfer(metadata: CommandMetadata, request: TransferRequest): Promise<MovementResult> {
    const groups = byArticle(request.lines);
    return await this.execution.execute(metadata, definedFields({
      kind: 'transferred',
      reference: request.reference,
      skus: [...groups.keys()],
      locations: request.lines.flatMap((line) => [line.from, line.to]),
      build: (sku, movementId, context) => ({
        type: 'TransferStock',
        context,
        data: definedFields({ movementId, sku, reference: request.reference, lines: groups.get(sku) ?? [] }),
      }),
    }));
  }

  /** Reserves available stock for an order. */
  async reserve(metadata: CommandMetadata, request: ReservationRequest): Promise<MovementResult> {
    const groups = byArticle(request.lines);
    const reservationStream = streamName(metadata.tenant, 'reservation', request.reference);
    return await this.execution.execute(metadata, {
      kind: 'reserved',
      reference: request.reference,
      skus: [...groups.keys()],
      locations: request.lines.flatMap((line) => (line.location === undefined ? [] : [line.location])),
      build: (sku, movementId, context) => ({ type: 'ReserveStock', context, data: { movementId, sku, reference: request.reference, lines: groups.get(sku) ?? [] } }),
      extraStreams: [reservationStream],
      extra: async (movementId) => [
        {
          stream: reservationStream,
          events: reservationDecider.decide({ type: 'PlaceReservation', data: { reference: request.reference, movementId, skus: [...groups.keys()] } }, reservationDecider.initialState()),
          expectedRevision: 'any',
        },
      ],
    });
  }

  /** Releases what is left of the reservation of `reference`, for every article reserved under it. */
  async releaseReservation(metadata: CommandMetadata, reference: string): Promise<MovementResult> {
    const reservationStream = streamName(metadata.tenant, 'reservation', reference);
    const { state } = await this.dependencies.cache.load(reservationStream, reservationDecider);
    if (state.skus.size === 0) throw new UnknownReservation(reference);
    return await this.execution.execute(metadata, {
      kind: 'reservation-released',
      reference,
      skus: [...state.skus],
      locations: [],
      build: (sku, movementId, context) => ({ type: 'ReleaseReservedStock', context, data: { movementId, sku, reference } }),
      extraStreams: [reservationStream],
      nothingToDo: () => new UnknownReservation(reference),
      extra: async (movementId) => {
        const loaded = await this.dependencies.cache.load(reservationStream, reservationDecider);
        return [
          {
            stream: reservationStream,
            events: reservationDecider.decide({ type: 'ReleaseReservation', data: { reference, movementId } }, loaded.state),
            expectedRevision: loaded.revision ?? 'no_stream',
          },
        ];
      },
    });
  }

  /** Goods out to @customer; takes the reservation of the same reference first. */
  async ship(metadata: CommandMetadata, request: ShipmentRequest): Promise<MovementResult> {
    const groups = byArticle(request.lines);
    return await this.execution.execute(metadata, definedFields({
      kind: 'shipped',
      reference: request.reference,
      skus: [...groups.keys()],
      locations: request.lines.map((line) => line.from),
      build: (sku, movementId, context) => ({
        type: 'ShipStock',
        context,
        data: definedFields({ movementId, sku, reference: request.reference, lines: groups.get(sku) ?? [] }),
      }),
    }));
  }

  /** Goods back from @customer. */
  async returnStock(metadata: CommandMetadata, request: ReturnRequest): Promise<MovementResult> {
    const groups = byArticle(request.lines);
    return await this.execution.execute(metadata, definedFields({
      kind: 'returned',
      reference: request.reference,
      skus: [...groups.keys()],
      locations: request.lines.map((line) => line.to),
      build: (sku, movementId, context) => ({
        type: 'ReturnStock',
        context,
        data: definedFields({ movementId, sku, reason: request.reason, reference: request.reference, lines: groups.get(sku) ?? [] }),
      }),
    }));
  }

  /** Found or lost stock, to or from @loss. */
  async adjust(metadata: CommandMetadata, request: AdjustmentRequest): Promise<MovementResult> {
    const groups = byArticle(request.lines);
    return await this.execution.execute(metadata, {
      kind: 'adjusted',
      skus: [...groups.keys()],
      locations: request.lines.map((line) => line.location),
      build: (sku, movementId, context) => ({
        type: 'AdjustStock',
        context,
        data: definedFields({ movementId, sku, reason: request.reason, note: request.note, lines: groups.get(sku) ?? [] }),
      }),
    });
  }

  /** Records a count of one location and moves the differences to or from @count. */
  async count(metadata: CommandMetadata, request: CountRequest): Promise<MovementResult> {
    const groups = byArticle(request.lines);
    return await this.execution.execute(metadata, {
      kind: 'counted',
      skus: [...groups.keys()],
      locations: [request.location],
      build: (sku, movementId, context) => ({ type: 'CountStock', context, data: { movementId, sku, location: request.location, lines: groups.get(sku) ?? [] } }),
    });
  }

  /** Records the opposite of an earlier movement; the original stays as it was. A movement is reversed once. */
  async reverse(metadata: CommandMetadata, reversedMovementId: string, reason: string): Promise<MovementResult> {
    const originalStream = streamName(metadata.tenant, 'movement', reversedMovementId);
    const original = await this.dependencies.cache.load(originalStream, movementDecider);
    // Refuses unknown, already reversed and reservation movements before anything else is loaded.
    movementDecider.decide({ type: 'ReverseMovement', data: { movementId: reversedMovementId, reversedBy: 'pending' } }, original.state);
    if (original.state.status === 'none') throw new Error('unreachable: decide refuses unknown movements');
    const groups = new Map<string, RecordedLine[]>();
    for (const { sku, from, to, ...line } of original.state.record.lines) {
      if (from === undefined || to === undefined) continue;
      groups.set(sku, [...(groups.get(sku) ?? []), { ...line, from, to }]);
    }
    return await this.execution.execute(metadata, {
      kind: 'reversed',
      reversalOf: reversedMovementId,
      skus: [...groups.keys()],
      locations: [...groups.values()].flat().flatMap((line) => [line.from, line.to]),
      build: (sku, movementId, context) => ({
        type: 'ReverseStockMovement',
        context,
        data: { movementId, sku, reversedMovementId, reason, lines: groups.get(sku) ?? [] },
      }),
      extraStreams: [originalStream],
      extra: async (movementId) => {
        const loaded = await this.dependencies.cache.load(originalStream, movementDecider);
        return [
          {
            stream: originalStream,
            events: movementDecider.decide({ type: 'ReverseMovement', data: { movementId: reversedMovementId, reversedBy: movementId } }, loaded.state),
            expectedRevision: loaded.revision ?? 'no_stream',
          },
        ];
      },
    });
  }
}
