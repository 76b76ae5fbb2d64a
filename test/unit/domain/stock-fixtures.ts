import type { Tracking } from '../../../src/domain/article/article.js';
import { fold } from '../../../src/domain/decider.js';
import type { LocationFacts } from '../../../src/domain/locations.js';
import { toThousandths, type Quantity } from '../../../src/domain/quantity.js';
import type { StockCommand, StockContext } from '../../../src/domain/stock/commands.js';
import type { StockEvent } from '../../../src/domain/stock/events.js';
import type { StockState } from '../../../src/domain/stock/state.js';
import { stockDecider } from '../../../src/domain/stock/stock.js';

/** The article every stock specification moves (one stock stream per article). */
export const sku = 'BOLT-M8';

/** Business time of the commands unless a specification says otherwise. */
export const occurredAt = '2025-06-01T10:00:00Z';

/** A quantity in thousandths from a decimal number of units (exact, see quantity.ts). */
export function units(value: number): Quantity {
  const quantity = toThousandths(value);
  if (quantity === undefined) throw new Error(`not a quantity: ${value}`);
  return quantity;
}

/** Real locations of the test warehouse: receiving dock, two bins, the shipping dock. */
export const realLocations = ['RECV', 'A-01', 'A-02', 'SHIP'] as const;

export interface ContextOptions {
  readonly tracking?: Tracking;
  readonly exists?: boolean;
  readonly archived?: boolean;
  readonly shelfLifeDays?: number;
  readonly blocked?: readonly string[];
  readonly allowNegativeStock?: boolean;
  readonly occurredAt?: string;
}

/** The facts a handler would look up: the article, every real location (some maybe blocked), policy, time. */
export function context(options: ContextOptions = {}): StockContext {
  const locations: Record<string, LocationFacts> = {};
  for (const code of realLocations) locations[code] = { exists: true, blocked: options.blocked?.includes(code) ?? false };
  return {
    article: {
      exists: options.exists ?? true,
      archived: options.archived ?? false,
      tracking: options.tracking ?? 'none',
      ...(options.shelfLifeDays === undefined ? {} : { shelfLifeDays: options.shelfLifeDays }),
    },
    locations,
    allowNegativeStock: options.allowNegativeStock ?? false,
    occurredAt: options.occurredAt ?? occurredAt,
  };
}

type Type = StockCommand['type'];
type CommandData<T extends Type> = Omit<Extract<StockCommand, { type: T }>['data'], 'sku' | 'movementId'> & { readonly movementId?: string };

/** A stock command on `sku`, movement `mv-new` unless given, in the given context. */
export function command<T extends Type>(type: T, data: CommandData<T>, facts: StockContext = context()): StockCommand {
  return { type, context: facts, data: { sku, movementId: 'mv-new', ...data } } as unknown as StockCommand;
}

type EventType = StockEvent['type'];
type EventData<T extends EventType> = Omit<Extract<StockEvent, { type: T }>['data'], 'sku' | 'movementId'> & { readonly movementId?: string };

/** A stock event of `sku`, of movement `mv-new` unless given (the id `command` uses). */
export function event<T extends EventType>(type: T, data: EventData<T>): StockEvent {
  return { type, data: { sku, movementId: 'mv-new', ...data } } as unknown as StockEvent;
}

/** A receipt from @supplier, as history. */
export function received(movementId: string, to: string, quantity: Quantity, extra: { lot?: string; expiresOn?: string; serials?: string[] } = {}): StockEvent {
  return event('StockReceived', { movementId, line: 0, to, quantity, ...extra });
}

/** The state a history leaves, folded from the initial state. */
export function stateAfter(history: readonly StockEvent[]): StockState {
  return fold(stockDecider, history);
}
