import type { EventStore } from '../eventstore/event-store.js';
import { AggregateCache } from './aggregate-cache.js';
import { CatalogCommands } from './catalog-commands.js';
import { strictStockPolicy, type TenantPolicy } from './command-context.js';
import { uuidIdSource, type IdSource } from './event-ids.js';
import { StockCommands } from './stock-commands.js';

/** The command side of one process: the handlers and the cache of folded states they share. */
export interface CommandHandlers {
  readonly catalog: CatalogCommands;
  readonly stock: StockCommands;
  readonly cache: AggregateCache;
}

/** Builds the command handlers over an event store; each call is a new process's worth (empty cache). */
export function createCommandHandlers(
  store: EventStore,
  options: { readonly policy?: TenantPolicy; readonly ids?: IdSource; readonly maxAttempts?: number; readonly cacheCapacity?: number } = {},
): CommandHandlers {
  const cache = new AggregateCache(store, options.cacheCapacity);
  const dependencies = {
    store,
    cache,
    ids: options.ids ?? uuidIdSource,
    policy: options.policy ?? strictStockPolicy,
    ...(options.maxAttempts === undefined ? {} : { maxAttempts: options.maxAttempts }),
  };
  return { catalog: new CatalogCommands(dependencies), stock: new StockCommands(dependencies), cache };
}
