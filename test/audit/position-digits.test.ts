/**
 * Positions are bigints, and a tenant's history crosses from one digit count to the next (a
 * 1,100,000-event tenant went from 8-digit to 9-digit positions). A statement that selects
 * `position::text` and orders by the bare name `position` sorts by that output column, as text,
 * where "100000000" comes before "99999999": seals then listed their checkpoints out of order
 * (verify seals said FAILED on an untampered tenant) and the JSON-lines export cut its pages at
 * the wrong ends (a file with repeated and missing events). Small tenants never cross a digit,
 * so this file writes events on both sides of one.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { exportTenant } from '../../src/audit/export.js';
import { importTenant } from '../../src/audit/import.js';
import { listSeals, seal, verifySeals } from '../../src/audit/seals.js';
import { hasTenantJsonLines } from '../../src/eventstore/event-store.js';
import { streamName } from '../../src/eventstore/stream-name.js';
import { freshTenant } from '../support/command-handlers.js';
import { useReadSide } from '../support/read-side.js';

/** Events written on each side of the digit boundary. */
const perSide = 5;

describe('positions that cross a power of ten', () => {
  const readSide = useReadSide();
  const tenant = freshTenant('digits');
  let positions: string[] = [];
  let folder: string;

  beforeAll(async () => {
    folder = await mkdtemp(path.join(os.tmpdir(), 'position-digits-'));
    const { db } = readSide.database;
    // The largest power of ten below what the read guard lets through now (xid << 16): events
    // there are readable. Offsets that high (>= 50,000 in one transaction) are never taken by an append.
    const { safe } = await db.one<{ safe: string }>(`select (pg_current_xact_id()::text::bigint << 16)::text as safe`);
    let boundary = 10n ** BigInt(safe.length - 1);
    if (BigInt(safe) - boundary < 1000n) boundary /= 10n;
    positions = Array.from({ length: 2 * perSide }, (_, index) => (boundary - BigInt(perSide) + BigInt(index)).toString());
    expect(positions[0]?.length).toBe((positions.at(-1)?.length ?? 0) - 1);
    const stream = streamName(tenant, 'stock', 'DIGIT');
    // Written as rows, as the append function writes them: an append cannot choose its positions.
    for (const [revision, position] of positions.entries()) {
      const movementId = randomUUID();
      await db.none(
        `insert into es_events (position, tenant, stream_name, revision, event_id, type, data, metadata)
         values ($1::bigint, $2, $3, $4, $5, 'StockReceived', $6, $7)`,
        [
          position,
          tenant,
          stream,
          revision,
          randomUUID(),
          { sku: 'DIGIT', line: 0, to: 'A-01', quantity: (revision + 1) * 1000, movementId, reference: `PO-${revision}` },
          { tenant, user: 'auditor@example.com', source: 'cli', correlationId: movementId, occurredAt: new Date(Date.UTC(2025, 0, 1, 0, revision)).toISOString(), schemaVersion: 2 },
        ],
      );
    }
    await db.none(`insert into es_streams (stream_name, tenant, revision) values ($1, $2, $3) on conflict do nothing`, [stream, tenant, positions.length - 1]);
  });

  afterAll(async () => {
    await rm(folder, { recursive: true, force: true });
  });

  it('reads the tenant in numeric position order', async () => {
    const read: string[] = [];
    for await (const event of readSide.store.readTenant(tenant, { batchSize: 3 })) read.push(event.position);
    expect(read).toEqual(positions);
  });

  it('lists seal checkpoints in position order, continues from the newest, and verifies', async () => {
    const { db } = readSide.database;
    await seal(db, readSide.store, tenant, { segmentSize: 2 });
    const checkpoints = await listSeals(db, tenant);
    expect(checkpoints.map((checkpoint) => checkpoint.position)).toEqual(positions.filter((_, index) => index % 2 === 1));
    expect(checkpoints.map((checkpoint) => checkpoint.count)).toEqual([2, 4, 6, 8, 10]);
    // Nothing new: a seal that took an older checkpoint for the newest would chain events again.
    expect(await seal(db, readSide.store, tenant, { segmentSize: 2 })).toMatchObject({ sealed: 0 });
    const verification = await verifySeals(db, readSide.store, tenant);
    expect(verification).toMatchObject({ ok: true, checkpointsConfirmed: 5, checkpoints: 5, events: positions.length, sealedUpTo: positions.at(-1) });
  });

  it('builds JSON-line pages that end where they should', async () => {
    const { store } = readSide;
    if (!hasTenantJsonLines(store)) throw new Error('the PostgreSQL store has TenantJsonLines');
    const pages: string[][] = [];
    for await (const page of store.readTenantJsonLines(tenant, { upTo: positions.at(-1) as string, batchSize: 3 })) {
      pages.push(page.lines.split('\n').map((line) => (JSON.parse(line) as { position: string }).position));
    }
    expect(pages).toEqual([positions.slice(0, 3), positions.slice(3, 6), positions.slice(6, 9), positions.slice(9)]);
  });

  it('exports every event once, in order, and imports them all', async () => {
    const file = path.join(folder, 'digits.ndjson');
    const manifest = await exportTenant(readSide.store, tenant, file, { batchSize: 3 });
    expect(manifest).toMatchObject({ count: positions.length, firstPosition: positions[0], lastPosition: positions.at(-1) });
    const copy = freshTenant('digitcopy');
    const result = await importTenant(readSide.store, file, { tenant: copy, batchSize: 4 });
    expect(result.appended).toBe(positions.length);
  });
});
