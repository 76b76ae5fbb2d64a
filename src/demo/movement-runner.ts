import type { CommandHandlers } from '../commands/command-handlers.js';
import { nameBasedUuid } from '../commands/event-ids.js';
import type { MovementResult } from '../commands/movement-execution.js';
import type { AdjustmentRequest, CountRequest, ReceiptRequest, ReservationRequest, ReturnRequest, ShipmentRequest, TransferRequest } from '../commands/stock-commands.js';
import type { CommandMetadata } from '../domain/metadata.js';
import type { MovementKind, MovementLine } from '../domain/movement/movement.js';
import type { StockBook } from './stock-book.js';

/** A stock movement the generator has planned: which command, with what. */
export type PlannedMovement =
  | { readonly kind: 'receipt'; readonly request: ReceiptRequest }
  | { readonly kind: 'transfer'; readonly request: TransferRequest }
  | { readonly kind: 'reservation'; readonly request: ReservationRequest }
  | { readonly kind: 'release'; readonly reference: string; readonly skus: readonly string[] }
  | { readonly kind: 'shipment'; readonly request: ShipmentRequest }
  | { readonly kind: 'return'; readonly request: ReturnRequest }
  | { readonly kind: 'adjustment'; readonly request: AdjustmentRequest }
  | { readonly kind: 'count'; readonly request: CountRequest }
  | { readonly kind: 'reversal'; readonly movementId: string; readonly reason: string; readonly skus: readonly string[] };

/** A movement as recorded (filled in once the handler answers), kept for choosing one to reverse. */
export interface RecordedMovement {
  movementId: string;
  kind: MovementKind;
  reference?: string;
  lines: readonly MovementLine[];
  readonly at: number;
  reversed: boolean;
}

/** Who the demo's commands are recorded for and by, and the seed that makes them. */
export interface DemoIdentity {
  readonly tenant: string;
  readonly user: string;
  readonly seed: number;
}

/**
 * The metadata of a demo command at business time `at` (ms). Commands of one business process
 * (an order, a purchase order, the catalog) share a correlation id, derived from its name.
 */
export function demoMetadata(who: DemoIdentity, process: string, at: number): CommandMetadata {
  return {
    tenant: who.tenant,
    user: who.user,
    source: 'import',
    correlationId: nameBasedUuid(`demo|${who.tenant}|${who.seed}|${process}`),
    occurredAt: new Date(at).toISOString(),
  };
}

/** The articles a planned movement touches. */
function skusOf(movement: PlannedMovement): string[] {
  if (movement.kind === 'release' || movement.kind === 'reversal') return [...new Set(movement.skus)];
  return [...new Set<string>(movement.request.lines.map((line) => line.sku))];
}

/** Events a movement appends besides its stock events: its record, and a reservation's or reversed movement's. */
const extraEvents = (kind: PlannedMovement['kind']): number => (kind === 'reservation' || kind === 'release' || kind === 'reversal' ? 2 : 1);

/**
 * Sends planned movements to the command handlers, several at a time but never two on the same
 * article at once, and folds what each records into the stock book. Planning stays deterministic:
 * the planner calls {@link settle} for the articles it is about to look at, which waits for exactly
 * the movements that change them.
 */
export class MovementRunner {
  private readonly inFlight = new Map<string, Promise<void>>();
  private readonly running = new Set<Promise<void>>();
  private failure: { readonly error: unknown } | undefined;
  private counts = { movements: 0, events: 0 };
  /** Every movement recorded so far, in the order they were planned. */
  readonly recorded: RecordedMovement[] = [];

  constructor(
    private readonly handlers: CommandHandlers,
    private readonly book: StockBook,
    private readonly who: DemoIdentity,
    private readonly concurrency: number,
  ) {}

  /** Movements recorded so far, and the events they appended. */
  get recordedCounts(): { readonly movements: number; readonly events: number } {
    return { ...this.counts };
  }

  /** Waits until no movement on these articles (without any: on any article) is in flight. Throws the first failure. */
  async settle(skus?: readonly string[]): Promise<void> {
    const waits = skus === undefined ? [...this.running] : skus.flatMap((sku) => this.inFlight.get(sku) ?? []);
    await Promise.all(waits);
    if (this.failure) throw this.failure.error;
  }

  /**
   * Starts recording a movement at business time `at` (ms), for the business process named by
   * `process` (an order, a purchase order: its correlation id). The planner must have settled its
   * articles; it returns once the movement is under way.
   */
  async record(movement: PlannedMovement, at: number, process: string): Promise<void> {
    if (this.failure) throw this.failure.error;
    const skus = skusOf(movement);
    const busy = skus.filter((sku) => this.inFlight.has(sku));
    if (busy.length > 0) throw new Error(`demo generator: planned a movement on ${busy.join(', ')} while an earlier one was in flight`);
    while (this.running.size >= this.concurrency) await Promise.race(this.running);
    const metadata = demoMetadata(this.who, process, at);
    const entry: RecordedMovement = { movementId: '', kind: 'received', at, lines: [], reversed: false };
    this.recorded.push(entry);
    const work = this.send(movement, metadata).then(
      (result) => {
        this.book.apply(result.events);
        entry.movementId = result.movementId;
        entry.kind = result.record.kind;
        entry.reference = result.record.reference;
        entry.lines = result.record.lines;
        this.counts.movements += 1;
        this.counts.events += result.events.length + extraEvents(movement.kind);
      },
      (error: unknown) => {
        const message = error instanceof Error ? error.message : String(error);
        // A refusal means the generator planned on a wrong idea of the stock: a bug, reported with what was planned.
        this.failure ??= { error: new Error(`demo generator: the ${movement.kind} of ${skus.join(', ')} at ${metadata.occurredAt} was refused: ${message}`, { cause: error }) };
      },
    );
    const done = work.finally(() => {
      this.running.delete(done);
      for (const sku of skus) if (this.inFlight.get(sku) === done) this.inFlight.delete(sku);
    });
    this.running.add(done);
    for (const sku of skus) this.inFlight.set(sku, done);
  }

  /** Waits for every movement in flight; throws the first failure. */
  async drain(): Promise<void> {
    while (this.running.size > 0) await Promise.all([...this.running]);
    if (this.failure) throw this.failure.error;
  }

  private async send(movement: PlannedMovement, metadata: CommandMetadata): Promise<MovementResult> {
    const { stock } = this.handlers;
    switch (movement.kind) {
      case 'receipt':
        return await stock.receive(metadata, movement.request);
      case 'transfer':
        return await stock.transfer(metadata, movement.request);
      case 'reservation':
        return await stock.reserve(metadata, movement.request);
      case 'release':
        return await stock.releaseReservation(metadata, movement.reference);
      case 'shipment':
        return await stock.ship(metadata, movement.request);
      case 'return':
        return await stock.returnStock(metadata, movement.request);
      case 'adjustment':
        return await stock.adjust(metadata, movement.request);
      case 'count':
        return await stock.count(metadata, movement.request);
      case 'reversal':
        return await stock.reverse(metadata, movement.movementId, movement.reason);
      default: {
        const never: never = movement;
        return never;
      }
    }
  }
}
