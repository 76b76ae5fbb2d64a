/**
 * An export reads lines PostgreSQL writes itself (TenantJsonLines). They must be the very bytes
 * Node writes from the store's text (TenantTextReads, eventTextLine), whatever the data holds, or
 * a file and its manifest hash would depend on which path wrote them.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { exportTenant } from '../../src/audit/export.js';
import { checkExport } from '../../src/audit/export-reader.js';
import type { EventStore, RecordedEvent } from '../../src/eventstore/event-store.js';
import { streamName } from '../../src/eventstore/stream-name.js';
import { freshTenant } from '../support/command-handlers.js';
import { useReadSide } from '../support/read-side.js';

/** `store` without the named optional capabilities, as an adapter without them would be. */
function without(store: EventStore, hidden: readonly string[]): EventStore {
  return new Proxy(store, {
    get(target, property, receiver) {
      if (hidden.includes(String(property))) return undefined;
      const value: unknown = Reflect.get(target, property, receiver);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}

/** Data that jsonb writes differently from JSON.stringify, or orders differently from the canonical order. */
const awkwardData: unknown[] = [
  { sku: 'BOLT-M8', quantity: 5000, to: 'A-01', reference: 'PO-7', line: 0 },
  { note: 'quote " backslash \\ tab \t line\n cr \r ff \f bs \b \u0001 \u001f \u007f slash /', list: [1, -2, 0, [], {}, [[]]] },
  { unicode: 'é ß 中文 \u{1F4E6} \u2028 \u2029', 'spaced key': 'spaces , : inside { "strings" } [ ]' },
  { price: 1.5, tiny: 0.1, big: 1e21, beyond: 2 ** 53 + 2, negative: -7, exponent: 1.25e-7 },
  // UTF-8 bytes and UTF-16 units order these keys differently: jsonb puts "ab" first, canonical "｡".
  { ab: 1, '\uff61': 2, é: { z: 1, ä: 2 } },
  null,
  'a string',
  [3, 2, 1],
];

describe('export lines written by PostgreSQL', () => {
  const readSide = useReadSide();
  const tenant = freshTenant('txt');
  let folder: string;
  let all: RecordedEvent[];

  beforeAll(async () => {
    folder = await mkdtemp(path.join(os.tmpdir(), 'stockctl-text-'));
    const events = (round: number) =>
      awkwardData.map((data, index) => ({ id: randomUUID(), type: index % 2 === 0 ? 'Awkward"Type' : 'Plain', data, metadata: { tenant, user: 'ann', round, 'é': 'x' } }));
    // Separate appends: separate transactions, recorded at different microseconds.
    for (let round = 0; round < 3; round += 1) {
      await readSide.store.append(streamName(tenant, 'odd', 'Ä/ß "q"'), events(round), { expectedRevision: 'any' });
      await readSide.store.append(streamName(tenant, 'stock', `S-${round}`), events(round), { expectedRevision: 'any' });
    }
    all = [];
    for await (const event of readSide.store.readTenant(tenant)) all.push(event);
  });
  afterAll(async () => {
    await rm(folder, { recursive: true, force: true });
  });

  it.each([
    ['the whole tenant', () => ({})],
    ['up to a position', () => ({ upToPosition: all[7]?.position as string })],
    ['up to a recording time', () => ({ until: all[10]?.recordedAt as Date })],
  ])('exports %s to the same bytes whether PostgreSQL writes the lines or Node does', async (_label, limits) => {
    const now = () => new Date('2026-06-01T12:00:00.000Z');
    const byStore = path.join(folder, 'store.ndjson');
    const byNode = path.join(folder, 'node.ndjson');
    const manifest = await exportTenant(readSide.store, tenant, byStore, { ...limits(), batchSize: 4, now });
    const nodeManifest = await exportTenant(without(readSide.store, ['readTenantJsonLines']), tenant, byNode, { ...limits(), batchSize: 4, now });
    expect(manifest).toEqual(nodeManifest);
    expect(manifest.count).toBeGreaterThan(0);
    expect(await readFile(byStore, 'utf8')).toBe(await readFile(byNode, 'utf8'));
    // Hash, count, order and revisions check out; these made-up event types do not decode, by design.
    expect((await checkExport(byStore)).problems.filter((problem) => !problem.includes('does not decode'))).toEqual([]);
  });
});
