/**
 * The export line and the seal's canonical JSON are written field by field for speed; their text
 * must stay exactly what JSON.stringify gives the documented objects, or old exports and stored
 * seals would no longer match.
 */
import { describe, expect, it } from '@jest/globals';
import { canonicalEventJson } from '../../../src/audit/canonical-event.js';
import { eventLine } from '../../../src/audit/export-format.js';
import { nextLink } from '../../../src/audit/seals.js';
import type { RecordedEvent } from '../../../src/eventstore/event-store.js';

const events: RecordedEvent[] = [
  {
    id: '0b7e6c52-5d1f-4f7e-9d3c-2a1b3c4d5e6f',
    stream: 'isd:stock-BOLT-M8',
    revision: 12n,
    position: '123456789012',
    type: 'StockReceived',
    data: { sku: 'BOLT-M8', quantity: 5000, to: 'A-01', note: 'quote " backslash \\ tab \t line\n emoji \u{1F4E6} \u2028' },
    metadata: { user: 'ann', tenant: 'isd', occurredAt: '2026-01-02T03:04:05.678Z', schemaVersion: 2 },
    recordedAt: new Date('2026-01-02T03:04:05.679Z'),
  },
  {
    id: 'weird "id"',
    stream: 'isd:article-Ä/ß',
    revision: 0n,
    position: '1',
    type: 'Type"With\\Escapes',
    data: null,
    metadata: { zeta: { b: [1, { y: 2, x: 1 }], a: null }, a: 'first' },
    recordedAt: new Date('1999-12-31T23:59:59.999Z'),
  },
];

describe('the text of an event', () => {
  it('an export line is JSON.stringify of the documented object', () => {
    for (const event of events) {
      const reference = JSON.stringify({
        id: event.id,
        stream: event.stream,
        revision: event.revision.toString(),
        position: event.position,
        type: event.type,
        data: event.data,
        metadata: event.metadata,
        recordedAt: event.recordedAt.toISOString(),
      });
      expect(eventLine(event)).toBe(reference);
    }
  });

  it('the canonical JSON is JSON.stringify of the documented object with keys shortest first, and the chain link is its hash', () => {
    const [received, second] = events as [RecordedEvent, RecordedEvent];
    expect(canonicalEventJson(received)).toBe(
      JSON.stringify({
        id: received.id,
        data: { to: 'A-01', sku: 'BOLT-M8', note: (received.data as { note: string }).note, quantity: 5000 },
        type: received.type,
        stream: received.stream,
        metadata: { user: 'ann', tenant: 'isd', occurredAt: '2026-01-02T03:04:05.678Z', schemaVersion: 2 },
        revision: '12',
        recordedAt: '2026-01-02T03:04:05.679Z',
      }),
    );
    expect(canonicalEventJson(second)).toBe(
      '{"id":"weird \\"id\\"","data":null,"type":"Type\\"With\\\\Escapes","stream":"isd:article-Ä/ß","metadata":{"a":"first","zeta":{"a":null,"b":[1,{"x":1,"y":2}]}},"revision":"0","recordedAt":"1999-12-31T23:59:59.999Z"}',
    );
    // Computed with the object-building code of before: seals stored then still verify.
    expect(nextLink('0'.repeat(64), received)).toBe(expectedFirstLink);
  });
});

const expectedFirstLink = '6f48a92593bccda0636dfcc8555f5fd1d70834285c0e541a4e5c3d7ae59254ce';
