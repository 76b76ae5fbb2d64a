/**
 * Stock at a business time straight from the events (each stock event counts at its metadata's
 * `occurredAt`, so back-dated movements count where they belong), the check that the read
 * model's as-of query (src/projections/queries.ts) agrees, and the difference between two times
 * explained by the movements in between.
 */
import type { Database } from '../database/connection.js';
import type { EventStore, RecordedEvent } from '../eventstore/event-store.js';
import { streamName } from '../eventstore/stream-name.js';
import type { Quantity } from '../domain/quantity.js';
import { stockAsOf } from '../projections/queries.js';
import { progressEvery, type AuditRunOptions } from './audit-run.js';
import { compareText, decodeStockEvent, isStockStreamEvent, StockBalances, type BalanceLine, type DecodedStockEvent } from './stock-balances.js';

/** Which stock to look at: one article, or the tenant's every article. */
export interface StockScope extends AuditRunOptions {
  readonly sku?: string;
}

/** The tenant's (or one article's) stock events, decoded, in position order. */
export async function* stockEvents(store: EventStore, tenant: string, scope: StockScope = {}): AsyncGenerator<DecodedStockEvent> {
  const source: AsyncIterable<RecordedEvent> =
    scope.sku === undefined ? store.readTenant(tenant) : store.readStream(streamName(tenant, 'stock', scope.sku));
  let read = 0;
  for await (const event of source) {
    read += 1;
    if (read % progressEvery === 0) {
      scope.signal?.throwIfAborted();
      scope.onProgress?.({ done: read, total: 0 });
    }
    // One article's stream is a stock stream: no need to parse its name for every event.
    if (scope.sku !== undefined || isStockStreamEvent(event)) yield decodeStockEvent(event);
  }
}

/** Business time of a decoded stock event, in epoch milliseconds. */
export function occurredAtMs(decoded: DecodedStockEvent): number {
  return Date.parse(decoded.event.metadata.occurredAt);
}

/** On hand per article, real location and lot at business time `at`, folded from the events. */
export async function stockAsOfFromEvents(store: EventStore, tenant: string, at: Date, scope: StockScope = {}): Promise<BalanceLine[]> {
  const book = new StockBalances();
  const limit = at.getTime();
  for await (const decoded of stockEvents(store, tenant, scope)) if (occurredAtMs(decoded) <= limit) book.applyEvent(decoded);
  return book.lines({ real: true });
}

/** A line where the events and the read model disagree (lot '' for none). */
export interface AsOfDisagreement {
  readonly sku: string;
  readonly location: string;
  readonly lot: string;
  readonly fromEvents: Quantity;
  readonly fromReadModel: Quantity;
}

/** The as-of stock both ways and where they differ (an empty list: they agree). */
export interface AsOfComparison {
  readonly fromEvents: readonly BalanceLine[];
  readonly disagreements: readonly AsOfDisagreement[];
}

/**
 * Compares the as-of stock folded from the events with the read model's as-of query on read
 * schema `schema` (the tenant's live one, or any other built from the same events).
 */
export async function compareStockAsOf(db: Database, schema: string, store: EventStore, tenant: string, at: Date, scope: StockScope = {}): Promise<AsOfComparison> {
  const fromEvents = await stockAsOfFromEvents(store, tenant, at, scope);
  const fromReadModel = await stockAsOf(db, schema, at.toISOString(), scope.sku === undefined ? {} : { sku: scope.sku });
  const key = (line: { sku: string; location: string; lot: string | null }): string => `${line.sku}\u0000${line.location}\u0000${line.lot ?? ''}`;
  const both = new Map<string, AsOfDisagreement>();
  for (const line of fromEvents) both.set(key(line), { sku: line.sku, location: line.location, lot: line.lot, fromEvents: line.onHand, fromReadModel: 0 });
  for (const line of fromReadModel) {
    const existing = both.get(key(line));
    both.set(key(line), { sku: line.sku, location: line.location, lot: line.lot ?? '', fromEvents: existing?.fromEvents ?? 0, fromReadModel: line.onHand });
  }
  const disagreements = [...both.values()].filter((line) => line.fromEvents !== line.fromReadModel);
  return { fromEvents, disagreements };
}

/** One movement line behind a change of stock: what it added to (or took from) one balance. */
export interface ExplainingMovement {
  readonly eventId: string;
  readonly type: string;
  readonly movementId: string;
  readonly occurredAt: string;
  readonly user: string;
  /** Signed: positive into this balance, negative out of it. */
  readonly quantity: Quantity;
}

/** A balance that changed between the two times, and the movements that changed it. */
export interface StockChange {
  readonly sku: string;
  readonly location: string;
  readonly lot: string;
  readonly before: Quantity;
  readonly after: Quantity;
  readonly movements: readonly ExplainingMovement[];
}

/**
 * What changed in real locations between business times `from` and `to` (from < occurredAt <= to),
 * each change with the movements in between that make it up: before plus their quantities is after.
 */
export async function stockDiff(store: EventStore, tenant: string, from: Date, to: Date, scope: StockScope = {}): Promise<StockChange[]> {
  const before = new StockBalances();
  const after = new StockBalances();
  const movements = new Map<string, ExplainingMovement[]>();
  const [start, end] = [from.getTime(), to.getTime()];
  for await (const decoded of stockEvents(store, tenant, scope)) {
    const at = occurredAtMs(decoded);
    if (at > end) continue;
    if (at <= start) before.applyEvent(decoded);
    const moves = after.applyEvent(decoded);
    if (at <= start) continue;
    const { sku, movementId } = decoded.event.data;
    const explain = (location: string, lot: string, quantity: Quantity): void => {
      const key = `${sku}\u0000${location}\u0000${lot}`;
      const list = movements.get(key) ?? [];
      list.push({ eventId: decoded.recorded.id, type: decoded.event.type, movementId, occurredAt: decoded.event.metadata.occurredAt, user: decoded.event.metadata.user, quantity });
      movements.set(key, list);
    };
    for (const move of moves) {
      explain(move.from, move.lot ?? '', -move.quantity);
      explain(move.to, move.lot ?? '', move.quantity);
    }
  }
  const changes: StockChange[] = [];
  for (const [key, list] of movements) {
    const [sku = '', location = '', lot = ''] = key.split('\u0000');
    if (location.startsWith('@')) continue;
    const [was, is] = [before.get(sku, location, lot), after.get(sku, location, lot)];
    if (was === is) continue;
    list.sort((a, b) => Date.parse(a.occurredAt) - Date.parse(b.occurredAt));
    changes.push({ sku, location, lot, before: was, after: is, movements: list });
  }
  return changes.sort((a, b) => compareText(a.sku, b.sku) || compareText(a.location, b.location) || compareText(a.lot, b.lot));
}
