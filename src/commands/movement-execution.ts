import { articleDecider } from '../domain/article/article.js';
import { locationDecider } from '../domain/location/location.js';
import { isVirtualLocation, type LocationFacts } from '../domain/locations.js';
import type { CommandMetadata } from '../domain/metadata.js';
import { movementDecider, type MovementKind, type MovementLine, type MovementRecord } from '../domain/movement/movement.js';
import type { ArticleFacts, StockCommand, StockContext } from '../domain/stock/commands.js';
import { movesOf, type StockEvent } from '../domain/stock/events.js';
import type { StockState } from '../domain/stock/state.js';
import { stockDecider } from '../domain/stock/stock.js';
import { comparePositions, type Position } from '../eventstore/event-store.js';
import { streamName } from '../eventstore/stream-name.js';
import { decodeEvent } from '../events/codec.js';
import type { Loaded } from './aggregate-cache.js';
import type { CommandDependencies } from './command-context.js';
import { runCommand, type Attempt, type Decided, type StreamDecision } from './command-loop.js';
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
  extra?(movementId: string): Promise<readonly StreamDecision[]>;
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
 * Runs stock movements on the one command path (runCommand): gathers the facts (articles,
 * locations, policy), then, holding the in-process lock of every stream involved, loads each
 * article's stock, decides, and appends all streams at once with their expected revisions
 * (appendMany: all lines or none). A conflict with another process reloads and decides again.
 * With an idempotency key, the movement id and every event id are derived from it, and a movement
 * already recorded is answered as it was.
 */
export class MovementExecution {
  constructor(
    private readonly dependencies: CommandDependencies,
    private readonly locks: { run<T>(keys: readonly string[], work: () => Promise<T>): Promise<T> },
  ) {}

  async execute(metadata: CommandMetadata, plan: MovementPlan): Promise<MovementResult> {
    const { tenant } = metadata;
    const idempotencyKey = derivationKey(metadata);
    const { ids } = this.dependencies;
    const movementId = idempotencyKey ? ids.derived(tenant, idempotencyKey, 'movement') : ids.random();
    const movementStream = streamName(tenant, 'movement', movementId);
    const stockStreams = plan.skus.map((sku) => streamName(tenant, 'stock', sku));

    return await this.locks.run([...stockStreams, movementStream, ...(plan.extraStreams ?? [])], async () =>
      runCommand(this.dependencies, metadata, stockStreams, async (maxAgeMs): Promise<Attempt<MovementResult>> => {
        if (idempotencyKey) {
          const recorded = await this.recorded(tenant, movementStream);
          if (recorded) return { answered: recorded };
        }
        const facts = await this.facts(metadata, plan, Math.min(maxAgeMs, factsMaxAgeMs));
        const extra = (await plan.extra?.(movementId)) ?? [];
        const loaded = await Promise.all(stockStreams.map((stream) => this.dependencies.cache.load(stream, stockDecider, maxAgeMs)));
        return {
          fresh: facts.fresh && loaded.every((stock) => stock.fresh),
          decide: () => this.decideMovement(plan, movementId, movementStream, stockStreams, facts, loaded, extra),
          // The other streams' refusal (a movement reversed meanwhile) explains more than the stock's.
          beforeRefusing: async () => {
            await plan.extra?.(movementId);
          },
        };
      }),
    );
  }

  /** The movement's appends: each article's stock events, the movement record, and the plan's other streams. */
  private decideMovement(
    plan: MovementPlan,
    movementId: string,
    movementStream: string,
    stockStreams: readonly string[],
    facts: Facts,
    loaded: ReadonlyArray<Loaded<StockState>>,
    extra: readonly StreamDecision[],
  ): Decided<MovementResult> {
    const decided = this.decide(plan, movementId, facts, loaded);
    const events = [...decided.values()].flat();
    const record: MovementRecord = {
      movementId,
      kind: plan.kind,
      ...(plan.reference === undefined ? {} : { reference: plan.reference }),
      lines: recordLines(events),
      ...(plan.reversalOf === undefined ? {} : { reversalOf: plan.reversalOf }),
    };
    const nothingToDo = plan.nothingToDo;
    if (events.length === 0 && nothingToDo) {
      const refuse = (): never => {
        throw nothingToDo();
      };
      return { appends: [], written: refuse, unchanged: refuse };
    }
    const appends: StreamDecision[] = [
      ...plan.skus.flatMap((sku, index): StreamDecision[] => {
        const stockEvents = decided.get(sku) ?? [];
        return stockEvents.length === 0 ? [] : [{ stream: stockStreams[index] as string, events: stockEvents, expectedRevision: loaded[index]?.revision ?? 'no_stream', cachedWith: stockDecider }];
      }),
      { stream: movementStream, events: movementDecider.decide({ type: 'RecordMovement', data: record }, movementDecider.initialState()), expectedRevision: 'no_stream' },
      ...extra,
    ];
    return {
      appends,
      written: (results) => {
        const position = results.map((result) => result.position).reduce((a, b) => (comparePositions(a, b) >= 0 ? a : b));
        return { movementId, position, duplicate: results.every((result) => result.duplicate), record, events };
      },
      unchanged: () => {
        throw new Error('unreachable: a movement always records itself');
      },
    };
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
