import { oneUnit, type Quantity } from '../quantity.js';

/**
 * Why returned goods came back (API.md). The one list: the event schemas and the API's request
 * schemas build their enums from it, so a reason added here is accepted and stored everywhere.
 */
export const returnReasons = ['damaged', 'wrong-item', 'unwanted', 'other'] as const;
export type ReturnReason = (typeof returnReasons)[number];
/** Why stock was adjusted (API.md); the one list, like returnReasons. */
export const adjustmentReasons = ['damaged', 'lost', 'found', 'expired', 'correction'] as const;
export type AdjustmentReason = (typeof adjustmentReasons)[number];

/** Fields every stock event has: the movement it belongs to, its line there, and the article. */
interface LineOfMovement {
  readonly movementId: string;
  readonly line: number;
  readonly sku: string;
}

/** Events of one article's stock stream (`stock-<sku>`). Quantities are thousandths. */
export type StockEvent =
  | {
      readonly type: 'StockReceived';
      readonly data: LineOfMovement & {
        readonly to: string;
        readonly quantity: Quantity;
        readonly lot?: string;
        readonly expiresOn?: string;
        readonly serials?: readonly string[];
        readonly unitCost?: number;
        readonly reference?: string;
      };
    }
  | {
      readonly type: 'StockTransferred';
      readonly data: LineOfMovement & {
        readonly from: string;
        readonly to: string;
        readonly quantity: Quantity;
        readonly lot?: string;
        readonly serials?: readonly string[];
        readonly reference?: string;
      };
    }
  | {
      readonly type: 'StockReserved';
      readonly data: LineOfMovement & { readonly reference: string; readonly location?: string; readonly quantity: Quantity };
    }
  | {
      readonly type: 'StockReservationReleased';
      readonly data: LineOfMovement & { readonly reference: string; readonly location?: string; readonly quantity: Quantity };
    }
  | {
      readonly type: 'StockShipped';
      readonly data: LineOfMovement & {
        readonly from: string;
        readonly quantity: Quantity;
        readonly lot?: string;
        readonly serials?: readonly string[];
        readonly reference?: string;
        /** What this shipment took from the reservation of its reference, by reserved location. */
        readonly reservationConsumed?: readonly ReservationPart[];
      };
    }
  | {
      readonly type: 'StockReturned';
      readonly data: LineOfMovement & {
        readonly to: string;
        readonly quantity: Quantity;
        readonly lot?: string;
        readonly serials?: readonly string[];
        readonly reason: ReturnReason;
        readonly reference?: string;
      };
    }
  | {
      readonly type: 'StockAdjusted';
      readonly data: LineOfMovement & {
        readonly location: string;
        /** Positive: found (from @loss); negative: lost (to @loss). */
        readonly delta: Quantity;
        readonly lot?: string;
        readonly serials?: readonly string[];
        readonly reason: AdjustmentReason;
        readonly note?: string;
      };
    }
  | {
      readonly type: 'StockCounted';
      readonly data: LineOfMovement & {
        readonly location: string;
        readonly lot?: string;
        readonly counted: Quantity;
        readonly expected: Quantity;
        /** counted - expected: moved from @count when positive, to @count when negative. */
        readonly difference: Quantity;
        readonly serialsFound?: readonly string[];
        readonly serialsMissing?: readonly string[];
      };
    }
  | {
      readonly type: 'StockMovementReversed';
      readonly data: LineOfMovement & {
        readonly reversedMovementId: string;
        readonly from: string;
        readonly to: string;
        readonly quantity: Quantity;
        readonly lot?: string;
        readonly serials?: readonly string[];
        readonly reason: string;
      };
    };

/** A part of a reservation: at one location, or anywhere (no location). */
export interface ReservationPart {
  readonly location?: string;
  readonly quantity: Quantity;
}

/** Quantity leaving one location for another: what every stock-moving event amounts to. */
export interface Move {
  readonly from: string;
  readonly to: string;
  readonly quantity: Quantity;
  readonly lot?: string;
  readonly serials?: readonly string[];
}

/** The moves an event makes (none for reservations). Double entry: each takes from one place what it gives another. */
export function movesOf(event: StockEvent): Move[] {
  // Field by field rather than through definedFields: this runs for every event of every fold (a
  // command's first load of a 100,000-event stream, a rebuild), where the spread, Object.entries
  // and second object cost a fifth of the fold (bench/commands A/B, bench/RESULTS.md).
  const common = (move: Omit<Move, 'lot' | 'serials'>, lot?: string, serials?: readonly string[]): Move => {
    const built: { -readonly [K in keyof Move]: Move[K] } = { from: move.from, to: move.to, quantity: move.quantity };
    if (lot !== undefined) built.lot = lot;
    if (serials !== undefined) built.serials = serials;
    return built;
  };
  switch (event.type) {
    case 'StockReceived':
      return [common({ from: '@supplier', to: event.data.to, quantity: event.data.quantity }, event.data.lot, event.data.serials)];
    case 'StockTransferred':
    case 'StockMovementReversed':
      return [common({ from: event.data.from, to: event.data.to, quantity: event.data.quantity }, event.data.lot, event.data.serials)];
    case 'StockShipped':
      return [common({ from: event.data.from, to: '@customer', quantity: event.data.quantity }, event.data.lot, event.data.serials)];
    case 'StockReturned':
      return [common({ from: '@customer', to: event.data.to, quantity: event.data.quantity }, event.data.lot, event.data.serials)];
    case 'StockAdjusted': {
      const { delta, location } = event.data;
      if (delta === 0) return [];
      return [delta > 0 ? common({ from: '@loss', to: location, quantity: delta }, event.data.lot, event.data.serials) : common({ from: location, to: '@loss', quantity: -delta }, event.data.lot, event.data.serials)];
    }
    case 'StockCounted': {
      const { difference, location, serialsFound = [], serialsMissing = [] } = event.data;
      const moves: Move[] = [];
      if (difference > 0 || serialsFound.length > 0) {
        const quantity = serialsFound.length > 0 ? serialsFound.length * oneUnit : difference;
        moves.push(common({ from: '@count', to: location, quantity }, event.data.lot, serialsFound.length > 0 ? serialsFound : undefined));
      }
      if (difference < 0 || serialsMissing.length > 0) {
        const quantity = serialsMissing.length > 0 ? serialsMissing.length * oneUnit : -difference;
        moves.push(common({ from: location, to: '@count', quantity }, event.data.lot, serialsMissing.length > 0 ? serialsMissing : undefined));
      }
      return moves;
    }
    case 'StockReserved':
    case 'StockReservationReleased':
      return [];
    default: {
      const never: never = event;
      return never;
    }
  }
}
