/**
 * The tenant the stockctl benchmark works on: stock receipts that decode with the codec (the
 * import checks every event, verify decodes them), spread over many articles, plus one article
 * with a long history for the replay.
 */
import { randomUUID } from 'node:crypto';
import type { Database } from '../../src/database/connection.js';
import type { EventStore, EventToAppend } from '../../src/eventstore/event-store.js';
import { streamName } from '../../src/eventstore/stream-name.js';
import { runConcurrently } from '../measure.js';

/** How the tenant is loaded. */
export interface AuditTenantLoad {
  readonly tenant: string;
  /** Events over `articles` articles. */
  readonly events: number;
  readonly articles: number;
  /** Events of the one article replayed (`REPLAY`), on top of `events`. */
  readonly replayEvents: number;
  readonly eventsPerAppend: number;
}

/** The article whose history the replay measures. */
export const replaySku = 'REPLAY';

const firstDay = Date.parse('2025-01-01T00:00:00Z');

/** A StockReceived of the current schema (version 2), as a command would have recorded it. */
function receipt(tenant: string, sku: string, sequence: number): EventToAppend {
  const movementId = randomUUID();
  return {
    id: randomUUID(),
    type: 'StockReceived',
    data: { sku, line: 0, to: `A-${String(sequence % 40).padStart(2, '0')}-${String(sequence % 12).padStart(2, '0')}`, quantity: ((sequence % 250) + 1) * 1000, movementId, reference: `PO-${sequence}` },
    metadata: {
      tenant,
      user: 'bench-user@example.com',
      source: 'cli',
      correlationId: movementId,
      occurredAt: new Date(firstDay + sequence * 1000).toISOString(),
      schemaVersion: 2,
    },
  };
}

/** Appends the tenant's events, `eventsPerAppend` at a time, 4 appends in flight; then vacuums es_events. */
export async function loadAuditTenant(store: EventStore, db: Database, load: AuditTenantLoad, onProgress: (stored: number) => void): Promise<void> {
  let stored = 0;
  const appendsOf = (events: number): number => Math.ceil(events / load.eventsPerAppend);
  const main = appendsOf(load.events);
  await runConcurrently(main + appendsOf(load.replayEvents), 4, async (call) => {
    const replay = call >= main;
    const first = (replay ? call - main : call) * load.eventsPerAppend;
    const count = Math.min(load.eventsPerAppend, (replay ? load.replayEvents : load.events) - first);
    const sku = replay ? replaySku : `ART-${String(call % load.articles).padStart(5, '0')}`;
    const events = Array.from({ length: count }, (_, offset) => receipt(load.tenant, sku, first + offset));
    await store.append(streamName(load.tenant, 'stock', sku), events, { expectedRevision: 'any' });
    stored += count;
    onProgress(stored);
  });
  await db.none('vacuum (analyze) es_events');
}
