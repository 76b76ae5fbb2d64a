/**
 * The events the event-store benchmark writes: shaped like a real stock movement, so that row
 * size and JSON work are what production sees, not an empty `{}`.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { EventToAppend } from '../../src/eventstore/event-store.js';
import { streamName } from '../../src/eventstore/stream-name.js';

/** A tenant slug of its own per run, so that reruns against DATABASE_URL do not meet old events. */
export function benchTenant(purpose: string): string {
  return `bench-${purpose}-${randomBytes(3).toString('hex')}`;
}

/** The name of stock stream `index` of `tenant`: `<tenant>:stock-ART-00042`. */
export function stockStream(tenant: string, index: number): string {
  return streamName(tenant, 'stock', `ART-${String(index).padStart(5, '0')}`);
}

/** The body of a StockReceived event and its metadata, as stored. */
export interface StockReceivedShape {
  readonly type: 'StockReceived';
  readonly data: Readonly<Record<string, string>>;
  readonly metadata: Readonly<Record<string, string>>;
}

/** A StockReceived of article `article`: six data fields and the metadata every command carries. */
export function stockReceived(article: number, sequence: number): StockReceivedShape {
  const article5 = String(article).padStart(5, '0');
  const correlationId = randomUUID();
  return {
    type: 'StockReceived',
    data: {
      articleId: `ART-${article5}`,
      locationId: `A-${String(article % 40).padStart(2, '0')}-${String(sequence % 12).padStart(2, '0')}`,
      lot: `L2025-${String(sequence % 9973).padStart(4, '0')}`,
      quantity: `${(sequence % 250) + 1}.000`,
      unit: 'pcs',
      receiptId: `REC-${String(sequence).padStart(8, '0')}`,
    },
    metadata: {
      user: 'bench-user@example.com',
      correlationId,
      causationId: correlationId,
      idempotencyKey: randomUUID(),
      source: 'bench',
      occurredAt: new Date().toISOString(),
    },
  };
}

/** A StockReceived ready for EventStore.append, with a fresh event id. */
export function stockReceivedToAppend(article: number, sequence: number): EventToAppend {
  return { id: randomUUID(), ...stockReceived(article, sequence) };
}
