import { randomUUID } from 'node:crypto';
import { createCommandHandlers, type CommandHandlers } from '../../src/commands/command-handlers.js';
import type { TenantPolicy } from '../../src/commands/command-context.js';
import type { CommandMetadata } from '../../src/domain/metadata.js';
import type { EventStore } from '../../src/eventstore/event-store.js';

/** The command side of one process: its own cache and locks over a shared event store. */
export type CommandSide = CommandHandlers;

/** A new process's command side. */
export function commandSide(store: EventStore, options: { policy?: TenantPolicy; maxAttempts?: number } = {}): CommandSide {
  return createCommandHandlers(store, { maxAttempts: 5, ...options });
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
