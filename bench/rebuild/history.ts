/**
 * A realistic stock history for the rebuild benchmark, simulated per article so that every event
 * is one the deciders would have recorded: receipts (lots with expiry for lot-tracked articles),
 * transfers, reservations, shipments consuming them, shipments without one, releases, returns,
 * adjustments and counts. Stock leaves a (bin, lot) only as far as it is not earmarked for an open
 * reservation, so no real balance ever goes below zero and every reservation can be shipped.
 */
import type { StockEvent } from '../../src/domain/stock/events.js';

/** A seeded pseudo-random source (mulberry32): the same seed writes the same history. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** An article of the benchmark catalog. */
export interface BenchArticle {
  readonly sku: string;
  readonly tracking: 'none' | 'lot';
  /** The bins it is kept in. */
  readonly bins: readonly string[];
}

/** A stock event with the business time it happened at. */
export interface TimedStockEvent {
  readonly event: StockEvent;
  readonly occurredAt: string;
}

/** What the projection must show once the whole history is applied, summed over the tenant. */
export interface ExpectedTotals {
  /** Sum of on hand over real locations. */
  onHand: number;
  /** (article, real location, lot) rows with stock. */
  balanceRows: number;
  /** Sum of open reservations. */
  reserved: number;
  /** Ledger rows (moves). */
  ledgerRows: number;
}

type Operation = 'receive' | 'transfer' | 'reserve' | 'shipReserved' | 'ship' | 'release' | 'return' | 'adjust' | 'count';

/** How often each operation is tried (an impossible one, e.g. shipping from an empty article, becomes a receipt). */
const mix: ReadonlyArray<readonly [Operation, number]> = [
  ['receive', 24],
  ['transfer', 18],
  ['reserve', 17],
  ['shipReserved', 16],
  ['ship', 9],
  ['release', 3],
  ['return', 3],
  ['adjust', 7],
  ['count', 3],
];
const mixTotal = mix.reduce((sum, [, weight]) => sum + weight, 0);

const unit = 1000;
const dayMs = 86_400_000;

interface OpenReservation {
  readonly reference: string;
  readonly bin: string;
  readonly lot: string;
  readonly quantity: number;
}

/**
 * One article's stock, simulated: `next(occurredAt)` decides the next event. Balances are per
 * (bin, lot), with '' as the lot of untracked articles.
 */
export class ArticleSimulation {
  private readonly onHand = new Map<string, number>();
  private readonly earmarked = new Map<string, number>();
  private readonly open: OpenReservation[] = [];
  private readonly lots: Array<{ lot: string; expiresOn: string }> = [];
  private receipts = 0;
  private sequence = 0;
  ledgerRows = 0;

  constructor(
    private readonly article: BenchArticle,
    private readonly random: () => number,
  ) {}

  /** The next event of this article at business time `occurredAt` (ms since the epoch). */
  next(occurredAtMs: number): TimedStockEvent {
    const occurredAt = new Date(occurredAtMs).toISOString();
    const event = this.decide(this.pick(), occurredAtMs) ?? this.receive(occurredAtMs);
    if (event.type !== 'StockReserved' && event.type !== 'StockReservationReleased' && !(event.type === 'StockCounted' && event.data.difference === 0)) {
      this.ledgerRows += 1;
    }
    return { event, occurredAt };
  }

  /** Adds this article's final state to `totals`. */
  addTo(totals: ExpectedTotals): void {
    for (const quantity of this.onHand.values()) {
      totals.onHand += quantity;
      if (quantity !== 0) totals.balanceRows += 1;
    }
    for (const reservation of this.open) totals.reserved += reservation.quantity;
    totals.ledgerRows += this.ledgerRows;
  }

  private pick(): Operation {
    let roll = this.random() * mixTotal;
    for (const [operation, weight] of mix) {
      roll -= weight;
      if (roll < 0) return operation;
    }
    return 'receive';
  }

  private decide(operation: Operation, at: number): StockEvent | undefined {
    switch (operation) {
      case 'receive':
        return this.receive(at);
      case 'transfer':
        return this.transfer();
      case 'reserve':
        return this.reserve();
      case 'shipReserved':
        return this.shipReserved();
      case 'ship':
        return this.ship();
      case 'release':
        return this.release();
      case 'return':
        return this.returned();
      case 'adjust':
        return this.adjust();
      case 'count':
        return this.count();
    }
  }

  private line(): { movementId: string; line: number; sku: string } {
    this.sequence += 1;
    return { movementId: `${this.article.sku}-m${this.sequence}`, line: 0, sku: this.article.sku };
  }

  private bin(): string {
    return this.article.bins[Math.floor(this.random() * this.article.bins.length)] as string;
  }

  private quantity(max: number): number {
    const units = Math.max(1, Math.floor(max / unit));
    return (1 + Math.floor(this.random() * Math.min(units, 40))) * unit;
  }

  private move(bin: string, lot: string, delta: number): void {
    const key = `${bin}\u0000${lot}`;
    this.onHand.set(key, (this.onHand.get(key) ?? 0) + delta);
  }

  private available(key: string): number {
    return (this.onHand.get(key) ?? 0) - (this.earmarked.get(key) ?? 0);
  }

  /** A (bin, lot) with stock that is not earmarked, or undefined. */
  private stocked(): { bin: string; lot: string; available: number } | undefined {
    const keys = [...this.onHand.keys()];
    for (let tries = 0; tries < 4 && keys.length > 0; tries += 1) {
      const key = keys[Math.floor(this.random() * keys.length)] as string;
      const available = this.available(key);
      if (available >= unit) {
        const [bin = '', lot = ''] = key.split('\u0000');
        return { bin, lot, available };
      }
    }
    return undefined;
  }

  private lotOf(lot: string): { lot?: string } {
    return this.article.tracking === 'lot' ? { lot } : {};
  }

  private receive(at: number): StockEvent {
    this.receipts += 1;
    let lot = '';
    let expiresOn: string | undefined;
    if (this.article.tracking === 'lot') {
      if (this.lots.length === 0 || this.receipts % 5 === 0) {
        this.lots.push({ lot: `${this.article.sku}-L${this.lots.length + 1}`, expiresOn: new Date(at + 400 * dayMs).toISOString().slice(0, 10) });
      }
      const current = this.lots.at(-1) as { lot: string; expiresOn: string };
      lot = current.lot;
      expiresOn = current.expiresOn;
    }
    const to = this.bin();
    const quantity = (10 + Math.floor(this.random() * 190)) * unit;
    this.move(to, lot, quantity);
    const unitCost = Math.round(this.random() * 5000) / 100;
    return {
      type: 'StockReceived',
      data: { ...this.line(), to, quantity, ...this.lotOf(lot), ...(expiresOn ? { expiresOn } : {}), unitCost, reference: `PO-${this.article.sku}-${this.receipts}` },
    };
  }

  private transfer(): StockEvent | undefined {
    const from = this.stocked();
    if (!from || this.article.bins.length < 2) return undefined;
    let to = this.bin();
    while (to === from.bin) to = this.bin();
    const quantity = this.quantity(from.available);
    this.move(from.bin, from.lot, -quantity);
    this.move(to, from.lot, quantity);
    return { type: 'StockTransferred', data: { ...this.line(), from: from.bin, to, quantity, ...this.lotOf(from.lot) } };
  }

  private reserve(): StockEvent | undefined {
    const at = this.stocked();
    if (!at) return undefined;
    const quantity = this.quantity(at.available);
    const reservation = { reference: `SO-${this.article.sku}-${this.sequence + 1}`, bin: at.bin, lot: at.lot, quantity };
    this.open.push(reservation);
    const key = `${at.bin}\u0000${at.lot}`;
    this.earmarked.set(key, (this.earmarked.get(key) ?? 0) + quantity);
    return { type: 'StockReserved', data: { ...this.line(), reference: reservation.reference, location: at.bin, quantity } };
  }

  private closeOldest(): OpenReservation | undefined {
    const reservation = this.open.shift();
    if (!reservation) return undefined;
    const key = `${reservation.bin}\u0000${reservation.lot}`;
    this.earmarked.set(key, (this.earmarked.get(key) ?? 0) - reservation.quantity);
    return reservation;
  }

  private shipReserved(): StockEvent | undefined {
    const reservation = this.closeOldest();
    if (!reservation) return undefined;
    const { reference, bin, lot, quantity } = reservation;
    this.move(bin, lot, -quantity);
    return {
      type: 'StockShipped',
      data: { ...this.line(), from: bin, quantity, ...this.lotOf(lot), reference, reservationConsumed: [{ location: bin, quantity }] },
    };
  }

  private ship(): StockEvent | undefined {
    const from = this.stocked();
    if (!from) return undefined;
    const quantity = this.quantity(from.available);
    this.move(from.bin, from.lot, -quantity);
    return { type: 'StockShipped', data: { ...this.line(), from: from.bin, quantity, ...this.lotOf(from.lot), reference: `WEB-${this.sequence}` } };
  }

  private release(): StockEvent | undefined {
    const reservation = this.closeOldest();
    if (!reservation) return undefined;
    return { type: 'StockReservationReleased', data: { ...this.line(), reference: reservation.reference, location: reservation.bin, quantity: reservation.quantity } };
  }

  private returned(): StockEvent | undefined {
    const lot = this.lots.at(-1)?.lot ?? '';
    if (this.article.tracking === 'lot' && lot === '') return undefined;
    const to = this.bin();
    const quantity = (1 + Math.floor(this.random() * 5)) * unit;
    this.move(to, lot, quantity);
    return { type: 'StockReturned', data: { ...this.line(), to, quantity, ...this.lotOf(lot), reason: 'unwanted', reference: `RMA-${this.sequence}` } };
  }

  private adjust(): StockEvent | undefined {
    const at = this.stocked();
    if (!at) return undefined;
    const found = this.random() < 0.3;
    const delta = found ? this.quantity(10 * unit) : -this.quantity(Math.min(at.available, 5 * unit));
    this.move(at.bin, at.lot, delta);
    return { type: 'StockAdjusted', data: { ...this.line(), location: at.bin, delta, ...this.lotOf(at.lot), reason: found ? 'found' : 'damaged' } };
  }

  private count(): StockEvent | undefined {
    const at = this.stocked();
    if (!at) return undefined;
    const key = `${at.bin}\u0000${at.lot}`;
    const expected = this.onHand.get(key) ?? 0;
    // Never below what is earmarked, so every open reservation can still be shipped.
    const counted = Math.max(this.earmarked.get(key) ?? 0, expected + Math.round((this.random() - 0.6) * 4) * unit);
    this.move(at.bin, at.lot, counted - expected);
    return { type: 'StockCounted', data: { ...this.line(), location: at.bin, ...this.lotOf(at.lot), counted, expected, difference: counted - expected } };
  }
}
