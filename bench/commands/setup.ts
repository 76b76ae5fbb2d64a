/**
 * Set-up of the command benchmark: a tenant with a warehouse, bins and articles, and one article
 * whose stock stream is made long by writing its events straight to the store (set-up, not
 * measured).
 */
import { randomUUID } from 'node:crypto';
import type { CommandHandlers } from '../../src/commands/command-handlers.js';
import type { CommandMetadata } from '../../src/domain/metadata.js';
import type { StockEvent } from '../../src/domain/stock/events.js';
import type { EventStore } from '../../src/eventstore/event-store.js';
import { streamName } from '../../src/eventstore/stream-name.js';
import { encodeEvent } from '../../src/events/codec.js';

/** Command metadata of the benchmark user, now. */
export function benchMetadata(tenant: string): CommandMetadata {
  return { tenant, user: 'bench', source: 'cli', correlationId: randomUUID(), occurredAt: new Date().toISOString() };
}

/** Bin codes of the benchmark warehouse. */
export const bins = Array.from({ length: 20 }, (_, i) => `A-${String(i + 1).padStart(2, '0')}`);

/** Creates the warehouse, its bins and `articles` untracked articles (`ART-0`...). */
export async function createWarehouse(side: CommandHandlers, tenant: string, articles: number): Promise<void> {
  await side.catalog.createLocation(benchMetadata(tenant), { code: 'WH', type: 'warehouse' });
  for (const code of bins) await side.catalog.createLocation(benchMetadata(tenant), { code, type: 'storage', parent: 'WH' });
  for (let i = 0; i < articles; i += 1) await side.catalog.registerArticle(benchMetadata(tenant), { sku: `ART-${i}`, name: `Article ${i}`, unit: 'pcs', tracking: 'none' });
}

/**
 * Gives an article `movements` movements: receipts into the bins and transfers between them,
 * appended 1,000 events at a time, encoded exactly as the command handler encodes them.
 */
export async function writeHistory(store: EventStore, tenant: string, sku: string, movements: number, onProgress: (done: number) => void): Promise<void> {
  const stream = streamName(tenant, 'stock', sku);
  const metadata = benchMetadata(tenant);
  for (let written = 0; written < movements; ) {
    const batch: StockEvent[] = [];
    for (; batch.length < 1000 && written < movements; written += 1) {
      const movementId = randomUUID();
      // Even: 2 in; odd: 1 of those moved on to the next bin. No balance ever goes below zero.
      const here = bins[written % bins.length] as string;
      const before = bins[(written + bins.length - 1) % bins.length] as string;
      batch.push(
        written % 2 === 0
          ? { type: 'StockReceived', data: { movementId, line: 0, sku, to: here, quantity: 2000 } }
          : { type: 'StockTransferred', data: { movementId, line: 0, sku, from: before, to: here, quantity: 1000 } },
      );
    }
    await store.append(
      stream,
      batch.map((event) => encodeEvent(event, randomUUID(), metadata)),
      { expectedRevision: 'any' },
    );
    onProgress(written);
  }
}
