import type { ArticleEvent } from '../domain/article/article.js';
import { isVirtualLocation } from '../domain/locations.js';
import type { LocationEvent } from '../domain/location/location.js';
import { movesOf, type StockEvent } from '../domain/stock/events.js';
import type { EventMetadata } from '../events/schemas.js';

/** An event as projectors see it: decoded (current schema version) with its place and metadata. */
export interface ProjectedEvent {
  readonly id: string;
  readonly position: string;
  readonly type: string;
  readonly data: unknown;
  readonly metadata: EventMetadata;
  readonly recordedAt: Date;
}

/** A ledger row: one move of one movement line. */
export interface LedgerRow {
  readonly position: string;
  readonly seq: number;
  readonly movementId: string;
  readonly line: number;
  readonly kind: string;
  readonly sku: string;
  readonly from: string;
  readonly to: string;
  readonly quantity: number;
  readonly lot: string | null;
  readonly serials: readonly string[] | null;
  readonly reference: string | null;
  readonly occurredAt: string;
  readonly recordedAt: Date;
  readonly user: string;
}

/** A sum of deltas for one row of a table that holds totals. */
interface Sum {
  delta: number;
}

const kinds: Partial<Record<StockEvent['type'], string>> = {
  StockReceived: 'received',
  StockTransferred: 'transferred',
  StockShipped: 'shipped',
  StockReturned: 'returned',
  StockAdjusted: 'adjusted',
  StockCounted: 'counted',
  StockMovementReversed: 'reversed',
};

const catalogTypes = new Set(['ArticleRegistered', 'ArticleUpdated', 'ArticleArchived', 'LocationCreated', 'LocationBlocked', 'LocationUnblocked']);

/**
 * What a batch of events changes in a read schema, gathered in memory so that it is written with
 * a few bulk statements whatever the batch size: sums of deltas for balances, reservations and
 * daily history, the last location of each serial, the ledger rows, and the catalog events in
 * order (they are few). The same code serves live projection (small batches) and rebuilds (large).
 */
export class ChangeSet {
  readonly catalog: Array<ArticleEvent | LocationEvent> = [];
  readonly balances = new Map<string, { sku: string; location: string; lot: string; delta: number }>();
  readonly lots = new Map<string, { sku: string; lot: string; expiresOn: string | null }>();
  readonly reservations = new Map<string, { reference: string; sku: string; location: string; delta: number }>();
  readonly serials = new Map<string, { sku: string; serial: string; location: string }>();
  readonly daily = new Map<string, { sku: string; location: string; day: string; delta: number }>();
  readonly ledger: LedgerRow[] = [];
  lastPosition: string | undefined;
  events = 0;

  /** Adds one event's changes. */
  add(event: ProjectedEvent): void {
    this.lastPosition = event.position;
    this.events += 1;
    const { type } = event;
    if (catalogTypes.has(type)) {
      this.catalog.push(event as unknown as ArticleEvent | LocationEvent);
      return;
    }
    if (!type.startsWith('Stock')) return; // movement and reservation records: nothing to show
    const stock = event as unknown as StockEvent & { metadata: EventMetadata };
    const { sku } = stock.data;
    if (stock.type === 'StockReserved' || stock.type === 'StockReservationReleased') {
      const sign = stock.type === 'StockReserved' ? 1 : -1;
      this.reserve(stock.data.reference, sku, stock.data.location ?? '', sign * stock.data.quantity);
      return;
    }
    if (stock.type === 'StockShipped' && stock.data.reference !== undefined) {
      for (const part of stock.data.reservationConsumed ?? []) this.reserve(stock.data.reference, sku, part.location ?? '', -part.quantity);
    }
    if (stock.type === 'StockReceived' && stock.data.lot !== undefined) {
      const lotKey = `${sku}\u0000${stock.data.lot}`;
      if (!this.lots.has(lotKey)) this.lots.set(lotKey, { sku, lot: stock.data.lot, expiresOn: stock.data.expiresOn ?? null });
    }
    const { occurredAt, user } = event.metadata;
    const day = occurredAt.slice(0, 10);
    const reference = 'reference' in stock.data ? (stock.data.reference ?? null) : null;
    const kind = kinds[stock.type] ?? stock.type;
    const { movementId, line } = stock.data;
    const moves = movesOf(stock);
    for (let seq = 0; seq < moves.length; seq += 1) {
      const move = moves[seq] as (typeof moves)[number];
      const lot = move.lot ?? '';
      this.balance(sku, move.from, lot, -move.quantity);
      this.balance(sku, move.to, lot, move.quantity);
      if (!isVirtualLocation(move.from)) this.day(sku, move.from, day, -move.quantity);
      if (!isVirtualLocation(move.to)) this.day(sku, move.to, day, move.quantity);
      for (const serial of move.serials ?? []) this.serials.set(`${sku}\u0000${serial}`, { sku, serial, location: move.to });
      this.ledger.push({
        position: event.position,
        seq,
        movementId,
        line,
        kind,
        sku,
        from: move.from,
        to: move.to,
        quantity: move.quantity,
        lot: move.lot ?? null,
        serials: move.serials ?? null,
        reference,
        occurredAt,
        recordedAt: event.recordedAt,
        user,
      });
    }
  }

  private balance(sku: string, location: string, lot: string, delta: number): void {
    // Virtual locations are kept per location only, like in the stock state.
    const lotOfRow = isVirtualLocation(location) ? '' : lot;
    const id = `${sku}\u0000${location}\u0000${lotOfRow}`;
    const row: Sum | undefined = this.balances.get(id);
    if (row) row.delta += delta;
    else this.balances.set(id, { sku, location, lot: lotOfRow, delta });
  }

  private reserve(reference: string, sku: string, location: string, delta: number): void {
    const id = `${reference}\u0000${sku}\u0000${location}`;
    const row: Sum | undefined = this.reservations.get(id);
    if (row) row.delta += delta;
    else this.reservations.set(id, { reference, sku, location, delta });
  }

  private day(sku: string, location: string, day: string, delta: number): void {
    const id = `${sku}\u0000${location}\u0000${day}`;
    const row: Sum | undefined = this.daily.get(id);
    if (row) row.delta += delta;
    else this.daily.set(id, { sku, location, day, delta });
  }
}
