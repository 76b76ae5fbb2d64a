import type { Tracking } from '../article/article.js';
import type { LocationFacts } from '../locations.js';
import type { Quantity } from '../quantity.js';
import type { AdjustmentReason, ReturnReason } from './events.js';

/** What a stock decision needs to know about the article (from its own stream). */
export interface ArticleFacts {
  readonly exists: boolean;
  readonly archived: boolean;
  readonly tracking: Tracking;
  readonly shelfLifeDays?: number;
}

/**
 * Facts from outside the stock stream that the handler looked up for this command: the article,
 * every real location its lines name, the tenant's policy, and the business time.
 */
export interface StockContext {
  readonly article: ArticleFacts;
  readonly locations: Readonly<Record<string, LocationFacts>>;
  readonly allowNegativeStock: boolean;
  /** ISO 8601 business time of the movement. */
  readonly occurredAt: string;
}

/** `line` is the index of the line in the whole request, for error paths like `lines.3.quantity`. */
interface Line {
  readonly line: number;
}

interface Movement {
  readonly movementId: string;
  readonly sku: string;
}

export interface ReceiptLine extends Line {
  readonly quantity: Quantity;
  readonly location: string;
  readonly lot?: string;
  readonly expiresOn?: string;
  readonly serials?: readonly string[];
  readonly unitCost?: number;
}

export interface TransferLine extends Line {
  readonly quantity: Quantity;
  readonly from: string;
  readonly to: string;
  readonly lot?: string;
  readonly serials?: readonly string[];
}

export interface ReservationLine extends Line {
  readonly quantity: Quantity;
  readonly location?: string;
}

export interface ShipmentLine extends Line {
  readonly quantity: Quantity;
  readonly from: string;
  readonly lot?: string;
  readonly serials?: readonly string[];
  readonly allowExpired?: boolean;
}

export interface ReturnLine extends Line {
  readonly quantity: Quantity;
  readonly to: string;
  readonly lot?: string;
  readonly serials?: readonly string[];
}

export interface AdjustmentLine extends Line {
  readonly location: string;
  readonly delta: Quantity;
  readonly lot?: string;
  readonly serials?: readonly string[];
}

export interface CountLine extends Line {
  readonly counted: Quantity;
  readonly lot?: string;
  /** For serial-tracked articles: the serials found at the location. */
  readonly serials?: readonly string[];
}

/** A line of the movement being reversed, as it was recorded. */
export interface RecordedLine extends Line {
  readonly from: string;
  readonly to: string;
  readonly quantity: Quantity;
  readonly lot?: string;
  readonly serials?: readonly string[];
}

/** Commands on one article's stock. A request over several articles becomes one per article. */
export type StockCommand = { readonly context: StockContext } & (
  | { readonly type: 'ReceiveStock'; readonly data: Movement & { readonly reference?: string; readonly lines: readonly ReceiptLine[] } }
  | { readonly type: 'TransferStock'; readonly data: Movement & { readonly reference?: string; readonly lines: readonly TransferLine[] } }
  | { readonly type: 'ReserveStock'; readonly data: Movement & { readonly reference: string; readonly lines: readonly ReservationLine[] } }
  | { readonly type: 'ReleaseReservedStock'; readonly data: Movement & { readonly reference: string } }
  | { readonly type: 'ShipStock'; readonly data: Movement & { readonly reference?: string; readonly lines: readonly ShipmentLine[] } }
  | { readonly type: 'ReturnStock'; readonly data: Movement & { readonly reference?: string; readonly reason: ReturnReason; readonly lines: readonly ReturnLine[] } }
  | {
      readonly type: 'AdjustStock';
      readonly data: Movement & { readonly reason: AdjustmentReason; readonly note?: string; readonly lines: readonly AdjustmentLine[] };
    }
  | { readonly type: 'CountStock'; readonly data: Movement & { readonly location: string; readonly lines: readonly CountLine[] } }
  | {
      readonly type: 'ReverseStockMovement';
      readonly data: Movement & { readonly reversedMovementId: string; readonly reason: string; readonly lines: readonly RecordedLine[] };
    }
);
