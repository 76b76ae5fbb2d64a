import { randomUUID } from 'node:crypto';
import { AggregateCache } from '../../src/commands/aggregate-cache.js';
import { CatalogCommands } from '../../src/commands/catalog-commands.js';
import { strictStockPolicy, type TenantPolicy } from '../../src/commands/command-context.js';
import { uuidIdSource } from '../../src/commands/event-ids.js';
import { StockCommands } from '../../src/commands/stock-commands.js';
import type { CommandMetadata } from '../../src/domain/metadata.js';
import type { EventStore } from '../../src/eventstore/event-store.js';

/** The command side of one process: its own cache and locks over a shared event store. */
export interface CommandSide {
  readonly catalog: CatalogCommands;
  readonly stock: StockCommands;
  readonly cache: AggregateCache;
}

export function commandSide(store: EventStore, options: { policy?: TenantPolicy; maxAttempts?: number } = {}): CommandSide {
  const cache = new AggregateCache(store);
  const dependencies = { store, cache, ids: uuidIdSource, policy: options.policy ?? strictStockPolicy, maxAttempts: options.maxAttempts ?? 5 };
  return { catalog: new CatalogCommands(dependencies), stock: new StockCommands(dependencies), cache };
}

/** Command metadata of a test user, now. */
export function metadataFor(tenant: string, extra: Partial<CommandMetadata> = {}): CommandMetadata {
  return { tenant, user: 'tester', source: 'api', correlationId: randomUUID(), occurredAt: new Date().toISOString(), ...extra };
}

let counter = 0;
/** A tenant slug unused in this test file. */
export function freshTenant(prefix = 'w'): string {
  counter += 1;
  return `${prefix}${Date.now().toString(36)}${counter}`;
}
