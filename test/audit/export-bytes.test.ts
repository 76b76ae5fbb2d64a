/**
 * An export file is a published format (export-format.ts): however export.ts gathers, encodes,
 * hashes and compresses its lines, the file must hold exactly the lines the format defines, in
 * position order, each with its newline, and the manifest's SHA-256 must be theirs. Recomputed
 * here independently, over more events than one write chunk and over several recording times.
 */
import { createHash, randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { exportTenant } from '../../src/audit/export.js';
import { hasTenantTextReads, type EventStore, type RecordedEvent } from '../../src/eventstore/event-store.js';
import { streamName } from '../../src/eventstore/stream-name.js';
import { freshTenant } from '../support/command-handlers.js';
import { useReadSide } from '../support/read-side.js';

/** `store` with its optional capabilities hidden: the port alone, as another adapter would be. */
function portOnly(store: EventStore): EventStore {
  return new Proxy(store, {
    get(target, property, receiver) {
      if (['readTenantText', 'readTenantJsonLines', 'appendHistory'].includes(String(property))) return undefined;
      const value: unknown = Reflect.get(target, property, receiver);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}

/** More than the 2,000 lines export.ts writes at once, so the file is several chunks. */
const eventCount = 4500;

describe('the bytes of an export file', () => {
  const readSide = useReadSide();
  const tenant = freshTenant('xb');
  let folder: string;

  beforeAll(async () => {
    folder = await mkdtemp(path.join(os.tmpdir(), 'stockctl-bytes-'));
    // Appends of different sizes: runs of events sharing a recording time, then a new time.
    let appended = 0;
    for (const size of [1, 2999, 1, 3, 1495, 1]) {
      const events = Array.from({ length: size }, (_, index) => ({
        id: randomUUID(),
        type: index % 3 === 0 ? 'Odd"Type' : 'StockReceived',
        data: index % 7 === 0 ? { note: `é "${appended + index}" \n ${'\u{1F4E6}'}`, list: [1.5, null, { b: 1, a: [] }] } : { sku: `S-${index % 5}`, quantity: index * 1000 },
        metadata: { tenant, user: 'ann', n: appended + index },
      }));
      await readSide.store.append(streamName(tenant, 'stock', `S-${appended % 4}`), events, { expectedRevision: 'any' });
      appended += size;
    }
    expect(appended).toBe(eventCount);
  });
  afterAll(async () => {
    await rm(folder, { recursive: true, force: true });
  });

  const now = () => new Date('2026-06-01T12:00:00.000Z');

  /** Event lines and manifest of a file, and the SHA-256 of the event lines as they are. */
  function split(bytes: Buffer): { events: Buffer; manifest: { count: number; sha256: string } } {
    const end = bytes.lastIndexOf('\n', bytes.length - 2) + 1;
    const manifest = (JSON.parse(bytes.subarray(end).toString('utf8')) as { manifest: { count: number; sha256: string } }).manifest;
    return { events: bytes.subarray(0, end), manifest };
  }

  it('writes, through the store text (TenantTextReads), the defined line of each event, hashed by the manifest, gzip or not', async () => {
    const store = readSide.store;
    if (!hasTenantTextReads(store)) throw new Error('the PostgreSQL store reads text');
    let expected = '';
    for await (const event of store.readTenantText(tenant)) {
      expected +=
        `{"id":${JSON.stringify(event.id)},"stream":${JSON.stringify(event.stream)},"revision":"${String(event.revision)}","position":${JSON.stringify(event.position)},` +
        `"type":${JSON.stringify(event.type)},"data":${event.dataJson},"metadata":${event.metadataJson},"recordedAt":${JSON.stringify(event.recordedAt)}}\n`;
    }
    const plain = path.join(folder, 'text.ndjson');
    await exportTenant(store, tenant, plain, { batchSize: 1000, now });
    const file = split(await readFile(plain));
    expect(file.manifest.count).toBe(eventCount);
    expect(file.events.toString('utf8')).toBe(expected);
    expect(file.manifest.sha256).toBe(createHash('sha256').update(expected, 'utf8').digest('hex'));
    const gzipped = path.join(folder, 'text.ndjson.gz');
    await exportTenant(store, tenant, gzipped, { batchSize: 1000, now });
    expect(gunzipSync(await readFile(gzipped))).toEqual(await readFile(plain));
  });

  it('writes, through the port alone (readTenant), each event as JSON.stringify writes the line object', async () => {
    let expected = '';
    const all: RecordedEvent[] = [];
    for await (const event of readSide.store.readTenant(tenant)) all.push(event);
    for (const event of all) {
      const { id, stream, revision, position, type, data, metadata, recordedAt } = event;
      expected += JSON.stringify({ id, stream, revision: String(revision), position, type, data: data ?? null, metadata, recordedAt }) + '\n';
    }
    const upTo = all[3001]?.position as string;
    const port = path.join(folder, 'port.ndjson');
    await exportTenant(portOnly(readSide.store), tenant, port, { batchSize: 700, now });
    const file = split(await readFile(port));
    expect(file.events.toString('utf8')).toBe(expected);
    expect(file.manifest.sha256).toBe(createHash('sha256').update(expected, 'utf8').digest('hex'));
    // A prefix ends where asked, whatever chunk it falls in.
    const prefix = path.join(folder, 'prefix.ndjson');
    await exportTenant(portOnly(readSide.store), tenant, prefix, { batchSize: 700, upToPosition: upTo, now });
    expect(split(await readFile(prefix)).events.toString('utf8')).toBe(expected.split('\n').slice(0, 3002).join('\n') + '\n');
  });
});
