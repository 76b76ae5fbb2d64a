import { articleDecider } from '../domain/article/article.js';
import { locationDecider } from '../domain/location/location.js';
import { isVirtualLocation, type LocationFacts } from '../domain/locations.js';
import type { CommandMetadata } from '../domain/metadata.js';
import { movementDecider, type MovementKind, type MovementLine, type MovementRecord } from '../domain/movement/movement.js';
import type { ArticleFacts, StockCommand, StockContext } from '../domain/stock/commands.js';
import { movesOf, type StockEvent } from '../domain/stock/events.js';
import type { StockState } from '../domain/stock/state.js';
import { stockDecider } from '../domain/stock/stock.js';
import { DomainError } from '../domain/errors.js';
import { comparePositions, DuplicateEventIds, WrongExpectedRevision, type ExpectedRevision, type Position, type StreamAppend } from '../eventstore/event-store.js';
import { streamName } from '../eventstore/stream-name.js';
import { decodeEvent, encodeEvent, type DomainEvent } from '../events/codec.js';
import type { Loaded } from './aggregate-cache.js';
import { backOff, type CommandDependencies } from './command-context.js';
import { ConcurrencyConflict } from './errors.js';
import { derivationKey } from './event-ids.js';

/**
 * How long article and location facts from the cache are used without reading their streams.
 * Facts come from other aggregates and are never part of the append's consistency check, so a
 * change made by another process (a location blocked) takes effect here within this time; this
 * process's own changes take effect at once. Two seconds: blocking a location or archiving an
 * article is a person's decision, and a busy article's facts are then read every 2 s instead of
 * on most commands (bench/api: reading them was ~0.75 statements per receipt at 500 ms).
 */
const factsMaxAgeMs = 2000;

/** The facts a stock decision needs besides the stock, and whether they were all read just now. */
type Facts = Omit<StockContext, 'article'> & { readonly articles: Map<string, ArticleFacts>; readonly fresh: boolean };

/** The outcome of a stock movement. */
export interface MovementResult {
  readonly movementId: string;
  readonly position: Position;
  /** True when this was a retry of a movement already recorded: nothing new was written. */
  readonly duplicate: boolean;
  readonly record: MovementRecord;
  /** The stock events decided by this call (empty for a duplicate). */
  readonly events: readonly StockEvent[];
}

/** Events for a stream other than the stock streams, appended in the same transaction. */
export interface ExtraAppend {
  readonly stream: string;
  readonly events: readonly DomainEvent[];
  readonly expectedRevision: ExpectedRevision;
}

/** What one movement needs done. */
export interface MovementPlan {
  readonly kind: MovementKind;
  readonly reference?: string;
  readonly skus: readonly string[];
  /** Every location code the lines name (virtual ones are skipped). */
  readonly locations: readonly string[];
  /** Builds each article's command once the facts are known. */
  build(sku: string, movementId: string, context: StockContext): StockCommand;
  /** Streams besides the stock streams to write (and lock), decided after the stock decisions. */
  readonly extraStreams?: readonly string[];
  /** Decided before the stock, so that its refusals (a movement already reversed) come first. */
  extra?(movementId: string): Promise<readonly ExtraAppend[]>;
  readonly reversalOf?: string;
  /** Thrown when no article produced an event (e.g. releasing a reservation with nothing left). */
  nothingToDo?(): Error;
}

/** The lines of the movement record, read off the decided stock events. */
function recordLines(events: readonly StockEvent[]): MovementLine[] {
  return events.flatMap((event): MovementLine[] => {
    if (event.type === 'StockReserved' || event.type === 'StockReservationReleased') {
      const { line, sku, location, quantity } = event.data;
      return [location === undefined ? { line, sku, quantity } : { line, sku, to: location, quantity }];
    }
    return movesOf(event).map((move) => ({ line: event.data.line, sku: event.data.sku, ...move }));
  });
}

/**
 * Runs stock movements: gathers the facts (articles, locations, policy), then, holding the
 * in-process lock of every stream involved, loads each article's stock, decides, and appends all
 * streams at once with their expected revisions (appendMany: all lines or none). A conflict with
 * another process reloads and decides again. With an idempotency key, the movement id and every
 * event id are derived from it, and a movement already recorded is answered as it was.
 */
export class MovementExecution {
  private readonly maxAttempts: number;

  constructor(
    private readonly dependencies: CommandDependencies,
    private readonly locks: { run<T>(keys: readonly string[], work: () => Promise<T>): Promise<T> },
  ) {
    this.maxAttempts = dependencies.maxAttempts ?? 5;
  }

  async execute(metadata: CommandMetadata, plan: MovementPlan): Promise<MovementResult> {
    const { tenant } = metadata;
    const idempotencyKey = derivationKey(metadata);
    const { ids } = this.dependencies;
    const movementId = idempotencyKey ? ids.derived(tenant, idempotencyKey, 'movement') : ids.random();
    const movementStream = streamName(tenant, 'movement', movementId);
    const stockStreams = plan.skus.map((sku) => streamName(tenant, 'stock', sku));

    return await this.locks.run([...stockStreams, movementStream, ...(plan.extraStreams ?? [])], async () => {
      let optimistic = true;
      for (let attempt = 1; attempt <= this.maxAttempts; attempt += 1) {
        if (idempotencyKey) {
          const recorded = await this.recorded(tenant, movementStream);
          if (recorded) return recorded;
        }
        // First try on cached states (see AggregateCache); after a conflict or a refusal, on fresh ones.
        const facts = await this.facts(metadata, plan, optimistic ? factsMaxAgeMs : 0);
        const extra = (await plan.extra?.(movementId)) ?? [];
        const loaded = await Promise.all(stockStreams.map((stream) => this.dependencies.cache.load(stream, stockDecider, optimistic ? Number.POSITIVE_INFINITY : 0)));
        const allFresh = facts.fresh && loaded.every((stock) => stock.fresh);
        let decided: Map<string, readonly StockEvent[]>;
        try {
          decided = this.decide(plan, movementId, facts, loaded);
        } catch (error) {
          // A refusal is only given on what the store says now, never on a cached state alone.
          if (error instanceof DomainError && !allFresh) {
            optimistic = false;
            continue;
          }
          // The other streams' refusal (a movement reversed meanwhile) explains more than the stock's.
          if (error instanceof DomainError) await plan.extra?.(movementId);
          throw error;
        }
        const events = [...decided.values()].flat();
        if (events.length === 0 && plan.nothingToDo) {
          if (!allFresh) {
            optimistic = false;
            continue;
          }
          throw plan.nothingToDo();
        }
        const record: MovementRecord = {
          movementId,
          kind: plan.kind,
          ...(plan.reference === undefined ? {} : { reference: plan.reference }),
          lines: recordLines(events),
          ...(plan.reversalOf === undefined ? {} : { reversalOf: plan.reversalOf }),
        };
        const appends: ExtraAppend[] = [
          ...plan.skus.flatMap((sku, index): ExtraAppend[] => {
            const stockEvents = decided.get(sku) ?? [];
            return stockEvents.length === 0 ? [] : [{ stream: stockStreams[index] as string, events: stockEvents, expectedRevision: loaded[index]?.revision ?? 'no_stream' }];
          }),
          { stream: movementStream, events: movementDecider.decide({ type: 'RecordMovement', data: record }, movementDecider.initialState()), expectedRevision: 'no_stream' },
          ...extra,
        ];
        try {
          const results = await this.dependencies.store.appendMany(appends.map((append) => this.encode(append, metadata)));
          // Cached states of the other streams catch up by reading forward on their next load.
          stockStreams.forEach((stream, index) => {
            const result = results[index];
            const stockEvents = decided.get(plan.skus[index] ?? '') ?? [];
            if (result && !result.duplicate && stockEvents.length > 0) this.dependencies.cache.applyAppended(stream, stockDecider, stockEvents, result.revision);
          });
          const position = results.map((result) => result.position).reduce((a, b) => (comparePositions(a, b) >= 0 ? a : b));
          return { movementId, position, duplicate: results.every((result) => result.duplicate), record, events };
        } catch (error) {
          // Another process wrote first (or a retry of this request raced it): load again and decide again.
          if (!(error instanceof WrongExpectedRevision) && !(error instanceof DuplicateEventIds)) throw error;
          optimistic = false;
          await backOff(attempt);
        }
      }
      throw new ConcurrencyConflict(stockStreams, this.maxAttempts);
    });
  }

  /** Each article's stock events for the plan, decided on the loaded states. */
  private decide(plan: MovementPlan, movementId: string, facts: Facts, loaded: ReadonlyArray<Loaded<StockState>>): Map<string, readonly StockEvent[]> {
    const decided = new Map<string, readonly StockEvent[]>();
    const { articles, fresh, ...shared } = facts;
    for (const [index, sku] of plan.skus.entries()) {
      const stock = loaded[index];
      const article = articles.get(sku);
      if (!stock || !article) throw new Error(`no stock state or article facts for ${sku}`);
      decided.set(sku, stockDecider.decide(plan.build(sku, movementId, { ...shared, article }), stock.state));
    }
    return decided;
  }

  private encode(append: ExtraAppend, metadata: CommandMetadata): StreamAppend {
    const { tenant } = metadata;
    const idempotencyKey = derivationKey(metadata);
    return {
      stream: append.stream,
      expectedRevision: append.expectedRevision,
      events: append.events.map((event, index) =>
        encodeEvent(event, idempotencyKey ? this.dependencies.ids.derived(tenant, idempotencyKey, `${append.stream}#${index}`) : this.dependencies.ids.random(), metadata),
      ),
    };
  }

  /**
   * The movement as first recorded, when a retried request finds it already there. Its position is
   * the tenant's last committed one: at or after every event of the movement, so waiting for it
   * (X-Min-Position) sees the whole movement.
   */
  private async recorded(tenant: string, movementStream: string): Promise<MovementResult | undefined> {
    for await (const stored of this.dependencies.store.readStream(movementStream, { to: 0n })) {
      const event = decodeEvent<{ type: 'MovementRecorded'; data: MovementRecord }>(stored);
      const position = await this.dependencies.store.lastCommittedPosition(tenant);
      return { movementId: event.data.movementId, position, duplicate: true, record: event.data, events: [] };
    }
    return undefined;
  }

  private async facts(metadata: CommandMetadata, plan: MovementPlan, maxAgeMs: number): Promise<Facts> {
    const { cache, policy } = this.dependencies;
    const { tenant } = metadata;
    let fresh = true;
    const articles = new Map<string, ArticleFacts>();
    await Promise.all(
      plan.skus.map(async (sku) => {
        const loaded = await cache.load(streamName(tenant, 'article', sku), articleDecider, maxAgeMs);
        fresh &&= loaded.fresh;
        const { state } = loaded;
        articles.set(
          sku,
          state.status === 'none'
            ? { exists: false, archived: false, tracking: 'none' }
            : { exists: true, archived: state.status === 'archived', tracking: state.details.tracking, ...(state.details.shelfLifeDays ? { shelfLifeDays: state.details.shelfLifeDays } : {}) },
        );
      }),
    );
    const locations: Record<string, LocationFacts> = {};
    await Promise.all(
      [...new Set(plan.locations)]
        .filter((code) => !isVirtualLocation(code))
        .map(async (code) => {
          const loaded = await cache.load(streamName(tenant, 'location', code), locationDecider, maxAgeMs);
          fresh &&= loaded.fresh;
          locations[code] = { exists: loaded.state.status !== 'none', blocked: loaded.state.status === 'blocked' };
        }),
    );
    return { articles, locations, allowNegativeStock: await policy.allowNegativeStock(tenant), occurredAt: metadata.occurredAt, fresh };
  }
}
