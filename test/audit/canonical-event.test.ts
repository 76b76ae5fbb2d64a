/**
 * The seal chain's text is a published definition (README, Audit core): anyone recomputes it from
 * an export. However canonicalEventJson and nextLink are made faster, a chain must stay the one
 * that definition gives, byte for byte; this recomputes it independently over awkward events.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import { canonicalEventJson } from '../../src/audit/canonical-event.js';
import { nextLink } from '../../src/audit/seals.js';
import type { RecordedEvent } from '../../src/eventstore/event-store.js';

/** An independent reading of the definition: keys shortest first, then by code unit, at every depth. */
function canonical(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(canonical);
  const keys = Object.keys(value).sort((a, b) => a.length - b.length || (a < b ? -1 : a > b ? 1 : 0));
  return Object.fromEntries(keys.map((key) => [key, canonical((value as Record<string, unknown>)[key])]));
}

function definedText(event: RecordedEvent): string {
  return JSON.stringify(
    canonical({ id: event.id, data: event.data ?? null, type: event.type, stream: event.stream, metadata: event.metadata, revision: String(event.revision), recordedAt: event.recordedAt.toISOString() }),
  );
}

const awkwardData: unknown[] = [
  // jsonb's order (already canonical), as PostgreSQL hands data back.
  { to: 'A-01', sku: 'BOLT-M8', line: 0, quantity: 5000, reference: 'PO-7', movementId: 'm-1' },
  // The same keys in the order a command writes them: sorted on the way.
  { sku: 'BOLT-M8', line: 0, to: 'A-01', quantity: 5000, movementId: 'm-1', reference: 'PO-7' },
  { note: 'quote " backslash \\ tab \t line\n \u0001 \u007f', list: [1, -2, 0, [], {}, [[{ b: 1, a: 2 }]]] },
  { unicode: 'é ß 中文 \u{1F4E6} \u2028', 'spaced key': 'x', nested: { zz: { yy: 1, x: 2 }, a: null } },
  { price: 1.5, tiny: 0.1, big: 1e21, beyond: 2 ** 53 + 2, exponent: 1.25e-7 },
  // UTF-8 bytes and UTF-16 units order these keys differently.
  { ab: 1, '\uff61': 2, é: { z: 1, ä: 2 } },
  null,
  undefined,
  'a string',
  [3, 2, 1],
];

/** Events over a few times: runs sharing one recording time (one transaction), and times that come back. */
function events(): RecordedEvent[] {
  const times = ['2026-12-05T04:00:00.123Z', '2026-12-05T04:00:00.123Z', '2026-12-05T04:00:00.124Z', '2026-12-05T04:00:00.123Z', '1999-01-01T00:00:00.000Z'];
  return awkwardData.flatMap((data, index) =>
    times.map((time, round) => ({
      id: `00000000-0000-4000-8000-${String(index * 10 + round).padStart(12, '0')}`,
      stream: `acme:stock-Ä/ß "q"-${index}`,
      revision: BigInt(round),
      position: String(1000 + index * 10 + round),
      type: index % 2 === 0 ? 'Awkward"Type' : 'StockReceived',
      data,
      metadata: { tenant: 'acme', user: 'ann', round, schemaVersion: 2, correlationId: 'c', é: 'x', occurredAt: time },
      recordedAt: new Date(time),
    })),
  );
}

describe('the seal chain over canonical event JSON', () => {
  it('writes each event as the definition does', () => {
    for (const event of events()) expect(canonicalEventJson(event)).toBe(definedText(event));
  });

  it('links the events as the definition does: SHA-256 of the previous link in hex and the event text', () => {
    let link = '0'.repeat(64);
    let reference = '0'.repeat(64);
    for (const event of events()) {
      link = nextLink(link, event);
      reference = createHash('sha256').update(reference + definedText(event), 'utf8').digest('hex');
      expect(link).toBe(reference);
    }
  });
});
