import type { EventStore } from '../eventstore/event-store.js';
import type { AggregateCache } from './aggregate-cache.js';
import type { IdSource } from './event-ids.js';

/** Tenant settings that change what the stock rules allow. */
export interface TenantPolicy {
  /** Whether stock may go below zero at a location (some warehouses book shipments before receipts). */
  allowNegativeStock(tenant: string): Promise<boolean>;
}

/** The policy of a tenant with no settings: negative stock is refused. */
export const strictStockPolicy: TenantPolicy = { allowNegativeStock: async () => false };

/** What command handlers are built from. */
export interface CommandDependencies {
  readonly store: EventStore;
  readonly cache: AggregateCache;
  readonly ids: IdSource;
  readonly policy: TenantPolicy;
  /** Attempts at one command when other processes keep winning the race (default: retry-policy.ts). */
  readonly maxAttempts?: number;
}
