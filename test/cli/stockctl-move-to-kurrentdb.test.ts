import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { RecordedEvent } from '../../src/eventstore/event-store.js';
import { PostgresEventStore } from '../../src/eventstore/postgres/postgres-event-store.js';
import { createLogger } from '../../src/logger.js';
import { as, registerAndLogin, useApi } from '../support/api.js';
import { openKurrentDbForTests, type KurrentDbForTests } from '../support/kurrentdb.js';
import { createTestDatabase } from '../support/test-database.js';
import { stockctl } from './stockctl-process.js';

/**
 * Issue 14's move between stores, as an operator runs it: `stockctl export` on the embedded
 * default's PostgreSQL, `stockctl import` into an installation whose events are in KurrentDB (the
 * stand-in here, a real server with KURRENTDB_URL), and the copy checked with the audit commands.
 */
describe('stockctl moves a tenant from PostgreSQL to KurrentDB', () => {
  const api = useApi();
  let kurrent: KurrentDbForTests;
  let directory: string;

  beforeAll(async () => {
    kurrent = await openKurrentDbForTests();
    directory = await mkdtemp(path.join(tmpdir(), 'stockctl-move-'));
  });
  afterAll(async () => {
    await kurrent.stop();
    await rm(directory, { recursive: true, force: true });
  });

  /** The port's view of an event, without the position (each store numbers its own log). */
  const comparable = (event: RecordedEvent) => ({ id: event.id, stream: event.stream, revision: event.revision, type: event.type, data: event.data, metadata: event.metadata, recordedAt: event.recordedAt.toISOString() });

  it('keeps ids, order, revisions, data and recording times, and the copy verifies with zero drift', async () => {
    const tenant = `mv${Date.now().toString(36)}`;
    const session = await registerAndLogin(api.app, tenant);
    const admin = as(api.app, session);
    await admin.post('/api/locations').send({ code: 'A-01', type: 'storage' }).expect(201);
    await admin.post('/api/locations').send({ code: 'B-01', type: 'storage' }).expect(201);
    await admin.post('/api/articles').send({ sku: 'BOLT', name: 'Bolt', unit: 'pcs', tracking: 'none' }).expect(201);
    for (let i = 0; i < 3; i += 1) await admin.post('/api/stock/receipts').send({ reference: `PO-${i}`, lines: [{ sku: 'BOLT', quantity: 5, location: 'A-01' }] }).expect(201);
    await admin.post('/api/stock/transfers').send({ reference: 'MOVE-1', lines: [{ sku: 'BOLT', quantity: 4, from: 'A-01', to: 'B-01' }] }).expect(201);

    const file = path.join(directory, `${tenant}.ndjson`);
    const exported = await stockctl(['export', '--tenant', tenant, file], { DATABASE_URL: api.database.url, LOG_LEVEL: 'error' });
    expect(exported.code).toBe(0);

    const other = await createTestDatabase();
    const there = { DATABASE_URL: other.url, LOG_LEVEL: 'error', EVENT_STORE: 'kurrentdb', KURRENTDB_URL: kurrent.url };
    const reader = kurrent.store();
    try {
      const imported = await stockctl(['import', file, '--json'], there);
      expect(imported.stderr).toBe('');
      expect(imported.code).toBe(0);
      expect(JSON.parse(imported.stdout)).toMatchObject({ tenant, alreadyStored: 0 });

      const original: RecordedEvent[] = [];
      const source = new PostgresEventStore(api.database.db, createLogger('silent'));
      for await (const event of source.readTenant(tenant)) original.push(event);
      await source.close();
      const moved: RecordedEvent[] = [];
      for await (const event of reader.readTenant(tenant)) moved.push(event);
      expect(original.length).toBeGreaterThan(5);
      expect(moved.map(comparable)).toEqual(original.map(comparable));

      expect((await stockctl(['verify', 'events', '--tenant', tenant], there)).code).toBe(0);
      const verify = await stockctl(['projections', 'verify', '--tenant', tenant, '--json'], there);
      expect(verify.code).toBe(0);
      expect(JSON.parse(verify.stdout)).toMatchObject({ ok: true, differences: [] });
      const at = new Date(Date.now() + 60_000).toISOString();
      expect((await stockctl(['stock', 'as-of', '--tenant', tenant, '--at', at, '--check'], there)).code).toBe(0);
    } finally {
      await reader.close();
      await other.drop();
    }
  }, 180_000);
});
