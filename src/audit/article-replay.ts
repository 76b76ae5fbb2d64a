/**
 * `replay article <sku> --at <time> --explain`: one article's stock events up to a business time,
 * in business-time order, each with who recorded it, why (kind, reference, reason) and the running
 * on-hand balance of every real location it touched: the answer to "why is on hand 17?".
 */
import type { EventStore } from '../eventstore/event-store.js';
import { isVirtualLocation } from '../domain/locations.js';
import { fromThousandths } from '../domain/quantity.js';
import type { Move, StockEvent } from '../domain/stock/events.js';
import type { AuditRunOptions } from './audit-run.js';
import { occurredAtMs, stockEvents } from './stock-as-of.js';
import { StockBalances, type BalanceLine } from './stock-balances.js';

/** The movement kind each stock event records (the names of API.md and MovementRecorded). */
const kinds: Record<StockEvent['type'], string> = {
  StockReceived: 'received',
  StockTransferred: 'transferred',
  StockReserved: 'reserved',
  StockReservationReleased: 'reservation-released',
  StockShipped: 'shipped',
  StockReturned: 'returned',
  StockAdjusted: 'adjusted',
  StockCounted: 'counted',
  StockMovementReversed: 'reversed',
};

/** One event of the replay. */
export interface ReplayStep {
  readonly eventId: string;
  readonly position: string;
  readonly revision: string;
  readonly type: StockEvent['type'];
  readonly kind: string;
  readonly movementId: string;
  readonly occurredAt: string;
  readonly recordedAt: string;
  /** Who: the user the event's metadata names. */
  readonly user: string;
  readonly source: string;
  /** Why: the movement's reference and reason (or a count's figures, an adjustment's note). */
  readonly reference?: string;
  readonly reason?: string;
  readonly moves: readonly Move[];
  /** On hand after this event at each real location (and lot) it touched. */
  readonly balances: ReadonlyArray<Omit<BalanceLine, 'sku'>>;
}

/** The replay of one article. */
export interface ArticleReplay {
  readonly sku: string;
  readonly at: string;
  readonly steps: readonly ReplayStep[];
  /** On hand at `at` per real location and lot. */
  readonly onHand: ReadonlyArray<Omit<BalanceLine, 'sku'>>;
}

function whyOf(event: StockEvent): { reference?: string; reason?: string } {
  const data = event.data as StockEvent['data'] & { reference?: string; reason?: string; note?: string };
  const reason =
    event.type === 'StockCounted'
      ? `counted ${fromThousandths(event.data.counted)}, expected ${fromThousandths(event.data.expected)}`
      : event.type === 'StockMovementReversed'
        ? `${event.data.reason} (reverses ${event.data.reversedMovementId})`
        : [data.reason, data.note].filter((part) => part !== undefined && part !== '').join(': ') || undefined;
  return { ...(data.reference === undefined ? {} : { reference: data.reference }), ...(reason === undefined ? {} : { reason }) };
}

/**
 * Notes the on-hand of a real location (and lot) a step touched, once, where it was first
 * touched: a step touches one to a few, so a list searched is cheaper than a map with a joined
 * key per move (replay of a 100,000-event article, bench/stockctl).
 */
function touch(balances: Array<Omit<BalanceLine, 'sku'>>, book: StockBalances, sku: string, location: string, lot: string): void {
  if (isVirtualLocation(location)) return;
  const line = { location, lot, onHand: book.get(sku, location, lot) };
  const index = balances.findIndex((seen) => seen.location === location && seen.lot === lot);
  if (index === -1) balances.push(line);
  else balances[index] = line;
}

/**
 * Replays article `sku` of `tenant` up to business time `at`: its events with occurredAt at or
 * before `at`, in occurredAt order (recording order among equal times).
 */
export async function replayArticle(store: EventStore, tenant: string, sku: string, at: Date, options: AuditRunOptions = {}): Promise<ArticleReplay> {
  const limit = at.getTime();
  const chosen = [];
  for await (const decoded of stockEvents(store, tenant, { ...options, sku })) {
    const time = occurredAtMs(decoded);
    if (time <= limit) chosen.push({ decoded, time });
  }
  // Stable: events of one time stay in recording (revision) order.
  chosen.sort((a, b) => a.time - b.time);
  const book = new StockBalances();
  const steps: ReplayStep[] = chosen.map(({ decoded }) => {
    const { recorded, event } = decoded;
    const moves = book.applyEvent(decoded);
    const balances: Array<Omit<BalanceLine, 'sku'>> = [];
    for (const move of moves) {
      touch(balances, book, sku, move.from, move.lot ?? '');
      touch(balances, book, sku, move.to, move.lot ?? '');
    }
    return {
      eventId: recorded.id,
      position: recorded.position,
      revision: recorded.revision.toString(),
      type: event.type,
      kind: kinds[event.type],
      movementId: event.data.movementId,
      occurredAt: event.metadata.occurredAt,
      recordedAt: recorded.recordedAt.toISOString(),
      user: event.metadata.user,
      source: event.metadata.source,
      ...whyOf(event),
      moves,
      balances,
    };
  });
  const onHand = book.lines({ real: true }).map(({ location, lot, onHand: quantity }) => ({ location, lot, onHand: quantity }));
  return { sku, at: at.toISOString(), steps, onHand };
}

/**
 * One line of explanation for a step, e.g.
 * `2026-03-02T09:15:00.000Z received by alice (ref PO-7): 20 @supplier -> A-01 | A-01: 17`.
 */
export function explainStep(step: ReplayStep): string {
  const why = [step.reference === undefined ? '' : `ref ${step.reference}`, step.reason ?? ''].filter(Boolean).join(', ');
  const moves = step.moves.map((move) => `${fromThousandths(move.quantity)} ${move.from} -> ${move.to}${move.lot ? ` lot ${move.lot}` : ''}`).join('; ');
  const balances = step.balances.map((line) => `${line.location}${line.lot ? `/${line.lot}` : ''}: ${fromThousandths(line.onHand)}`).join(', ');
  return `${step.occurredAt} ${step.kind} by ${step.user}${why ? ` (${why})` : ''}: ${moves || 'no move'}${balances ? ` | ${balances}` : ''}`;
}
