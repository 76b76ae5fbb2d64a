import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { adminPassword, as, registerAndLogin, useApi } from '../support/api.js';
import { createTestDatabase } from '../support/test-database.js';
import { ndjson, stockctl } from './stockctl-process.js';

describe('stockctl audit commands as child processes against a real database', () => {
  const api = useApi();
  // The test database is reached as the superuser; LOG_LEVEL=error keeps its warning off stderr.
  const operator = (): Record<string, string> => ({ DATABASE_URL: api.database.url, LOG_LEVEL: 'error' });
  let directory: string;

  beforeAll(async () => {
    directory = await mkdtemp(path.join(tmpdir(), 'stockctl-audit-'));
  });
  afterAll(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  /** A tenant with one location, one article, three receipts of 5 and an issue of 3, through the API. */
  async function tenantWithStock(tenant: string): Promise<void> {
    const session = await registerAndLogin(api.app, tenant);
    const admin = as(api.app, session);
    await admin.post('/api/locations').send({ code: 'A-01', type: 'storage' }).expect(201);
    await admin.post('/api/articles').send({ sku: 'BOLT', name: 'Bolt', unit: 'pcs', tracking: 'none' }).expect(201);
    for (let i = 0; i < 3; i += 1) await admin.post('/api/stock/receipts').send({ reference: `PO-${i}`, lines: [{ sku: 'BOLT', quantity: 5, location: 'A-01' }] }).expect(201);
  }

  /**
   * A tenant's events as the store of `db` holds them, in position order, without what an import
   * into another tenant rightly changes: ids, positions and the tenant (recordedAt is kept).
   */
  async function eventsOf(tenant: string, db = api.database.db, keepIds = false): Promise<unknown[]> {
    const rows = await db.any<{ event_id: string; stream_name: string; revision: string; type: string; data: unknown; metadata: Record<string, unknown>; recorded_at: Date }>(
      'select event_id, stream_name, revision, type, data, metadata, recorded_at from es_events where tenant = $1 order by position',
      [tenant],
    );
    return rows.map((row) => ({
      ...(keepIds ? { id: row.event_id } : {}),
      stream: row.stream_name.slice(row.stream_name.indexOf(':') + 1),
      revision: row.revision,
      type: row.type,
      data: row.data,
      metadata: { ...row.metadata, tenant: undefined },
      recordedAt: row.recorded_at.toISOString(),
    }));
  }

  it('export -> import into a new tenant gives the same events, a read model without drift, and a rerun records nothing', async () => {
    await tenantWithStock('cli-audit-src');
    const file = path.join(directory, 'src.ndjson.gz');
    const exported = await stockctl(['export', '--tenant', 'cli-audit-src', file, '--json'], operator());
    expect(exported.stderr).toBe('');
    expect(exported.code).toBe(0);
    const manifest = JSON.parse(exported.stdout) as { count: number; sha256: string };
    expect(manifest.count).toBeGreaterThan(3);

    const dryRun = await stockctl(['import', file, '--tenant', 'cli-audit-copy', '--dry-run', '--json'], operator());
    expect(dryRun.code).toBe(0);
    expect(JSON.parse(dryRun.stdout)).toMatchObject({ dryRun: true, events: manifest.count, appended: 0 });
    expect(await eventsOf('cli-audit-copy')).toEqual([]);

    const imported = await stockctl(['import', file, '--tenant', 'cli-audit-copy', '--json'], operator());
    expect(imported.stderr).toBe('');
    expect(imported.code).toBe(0);
    expect(JSON.parse(imported.stdout)).toMatchObject({ tenant: 'cli-audit-copy', sourceTenant: 'cli-audit-src', appended: manifest.count, alreadyStored: 0 });
    expect(await eventsOf('cli-audit-copy')).toEqual(await eventsOf('cli-audit-src'));

    const verify = await stockctl(['projections', 'verify', '--tenant', 'cli-audit-copy', '--json'], operator());
    expect(verify.code).toBe(0);
    expect(JSON.parse(verify.stdout)).toMatchObject({ tenant: 'cli-audit-copy', ok: true, differences: [] });

    // The imported history has events but no registration: the audit commands still find it.
    const sound = await stockctl(['verify', 'events', '--tenant', 'cli-audit-copy'], operator());
    expect(sound.code).toBe(0);

    const rerun = await stockctl(['import', file, '--tenant', 'cli-audit-copy', '--json'], operator());
    expect(rerun.code).toBe(0);
    expect(JSON.parse(rerun.stdout)).toMatchObject({ appended: 0, alreadyStored: manifest.count });

    // The copy is registered as the original was, so the API serves it once it has a user.
    const shown = await stockctl(['tenants', 'show', 'cli-audit-copy', '--json'], operator());
    expect(shown.code).toBe(0);
    expect(JSON.parse(shown.stdout)).toMatchObject({ tenant: 'cli-audit-copy', companyName: 'cli-audit-src Ltd', domains: ['cli-audit-copy.localhost'] });
    const user = await stockctl(['users', 'create', 'keeper', '--tenant', 'cli-audit-copy', '--email', 'keeper@copy.example', '--role', 'admin'], { ...operator(), STOCKCTL_PASSWORD: adminPassword });
    expect(user.code).toBe(0);
    const login = await request(api.app).post('/api/auth/login').set('X-Tenant', 'cli-audit-copy').send({ username: 'keeper', password: adminPassword }).expect(200);
    const keeper = as(api.app, { tenant: 'cli-audit-copy', token: (login.body as { token: string }).token });
    const stock = await keeper.get('/api/stock?sku=BOLT').expect(200);
    expect(stock.body).toMatchObject({ items: [expect.objectContaining({ sku: 'BOLT', location: 'A-01', onHand: 15 })] });
    await keeper.post('/api/stock/receipts').send({ reference: 'PO-after-import', lines: [{ sku: 'BOLT', quantity: 1, location: 'A-01' }] }).expect(201);
  }, 120_000);

  it('moves a tenant to another store: same ids, order, revisions and recording times, and the copy verifies clean', async () => {
    await tenantWithStock('cli-audit-move');
    const file = path.join(directory, 'move.ndjson');
    expect((await stockctl(['export', '--tenant', 'cli-audit-move', file], operator())).code).toBe(0);
    const other = await createTestDatabase();
    const there = { DATABASE_URL: other.url, LOG_LEVEL: 'error' };
    try {
      const imported = await stockctl(['import', file, '--json'], there);
      expect(imported.stderr).toBe('');
      expect(imported.code).toBe(0);
      expect(JSON.parse(imported.stdout)).toMatchObject({ tenant: 'cli-audit-move', sourceTenant: 'cli-audit-move', alreadyStored: 0 });
      const original = await eventsOf('cli-audit-move', api.database.db, true);
      expect(original.length).toBeGreaterThan(3);
      expect(await eventsOf('cli-audit-move', other.db, true)).toEqual(original);

      expect((await stockctl(['verify', 'events', '--tenant', 'cli-audit-move'], there)).code).toBe(0);
      const verify = await stockctl(['projections', 'verify', '--tenant', 'cli-audit-move', '--json'], there);
      expect(verify.code).toBe(0);
      expect(JSON.parse(verify.stdout)).toMatchObject({ ok: true, differences: [] });
      const at = new Date(Date.now() + 60_000).toISOString();
      expect((await stockctl(['stock', 'as-of', '--tenant', 'cli-audit-move', '--at', at, '--check'], there)).code).toBe(0);
      // A seal of the moved history equals one of the original: the chain covers ids, revisions and times.
      const sealHere = await stockctl(['seal', '--tenant', 'cli-audit-move', '--json'], operator());
      const sealThere = await stockctl(['seal', '--tenant', 'cli-audit-move', '--json'], there);
      expect((JSON.parse(sealThere.stdout) as { last: { hash: string } }).last.hash).toBe((JSON.parse(sealHere.stdout) as { last: { hash: string } }).last.hash);
    } finally {
      await other.drop();
    }
  }, 120_000);

  it('verify events exits 0, stock as-of --check exits 0, replay --explain prints the running balance; as-of and replay also in auditor mode', async () => {
    await tenantWithStock('cli-audit-read');
    const events = await stockctl(['verify', 'events', '--tenant', 'cli-audit-read'], operator());
    expect(events).toMatchObject({ code: 0, stdout: '' });
    expect(events.stderr).toMatch(/cli-audit-read: \d+ events, 0 findings/);

    const at = new Date(Date.now() + 60_000).toISOString();
    const check = await stockctl(['stock', 'as-of', '--tenant', 'cli-audit-read', '--at', at, '--check'], operator());
    expect(check.code).toBe(0);
    expect(check.stderr).toContain('read model and events agree');
    const fromEvents = await stockctl(['stock', 'as-of', '--tenant', 'cli-audit-read', '--at', at, '--from-events', '--json'], operator());
    expect(ndjson(fromEvents)).toEqual([{ sku: 'BOLT', location: 'A-01', lot: '', onHand: 15 }]);
    const readModel = await stockctl(['stock', 'as-of', '--tenant', 'cli-audit-read', '--at', at, '--json'], operator());
    expect(ndjson(readModel)).toEqual(ndjson(fromEvents));

    const replay = await stockctl(['replay', 'article', 'BOLT', '--tenant', 'cli-audit-read', '--at', at, '--explain'], operator());
    expect(replay.code).toBe(0);
    const lines = replay.stdout.trim().split('\n');
    expect(lines.slice(0, 3)).toEqual([
      expect.stringMatching(/ by admin \(ref PO-0\): 5 .* -> A-01 \| A-01: 5$/),
      expect.stringMatching(/ by admin \(ref PO-1\): 5 .* -> A-01 \| A-01: 10$/),
      expect.stringMatching(/ by admin \(ref PO-2\): 5 .* -> A-01 \| A-01: 15$/),
    ]);
    expect(replay.stdout).toContain('A-01: 15 on hand');

    // Auditor mode: the same answers through the API with an auditor token; the event-store-only options are usage errors.
    const created = await stockctl(['tokens', 'create', '--tenant', 'cli-audit-read', '--name', 'audit', '--role', 'auditor', '--json'], operator());
    const auditor = { env: { STOCKCTL_TOKEN: (JSON.parse(created.stdout) as { token: string }).token }, args: ['--url', api.app, '--tenant', 'cli-audit-read'] };
    const viaApi = await stockctl(['stock', 'as-of', '--at', at, '--json', ...auditor.args], auditor.env);
    expect(viaApi.code).toBe(0);
    expect(ndjson(viaApi)).toEqual(ndjson(fromEvents));
    expect((await stockctl(['stock', 'as-of', '--at', at, '--check', ...auditor.args], auditor.env)).code).toBe(2);
    const replayViaApi = await stockctl(['replay', 'article', 'BOLT', '--at', at, ...auditor.args], auditor.env);
    expect(replayViaApi.code).toBe(0);
    expect(replayViaApi.stdout).toContain('A-01: 15 on hand');
    expect((await stockctl(['replay', 'article', 'BOLT', '--at', at, '--explain', ...auditor.args], auditor.env)).code).toBe(2);

    const diff = await stockctl(['stock', 'diff', '--tenant', 'cli-audit-read', '--from', '2000-01-01T00:00:00Z', '--to', at, '--json'], operator());
    expect(diff.code).toBe(0);
    expect(ndjson(diff)).toEqual([expect.objectContaining({ sku: 'BOLT', location: 'A-01', before: 0, after: 15, movements: [expect.anything(), expect.anything(), expect.anything()] })]);
  }, 120_000);

  it('replay --at counts business time in both modes: a receipt entered today for last year is there at last year', async () => {
    const session = await registerAndLogin(api.app, 'cli-audit-late');
    const admin = as(api.app, session);
    await admin.post('/api/locations').send({ code: 'A-01', type: 'storage' }).expect(201);
    await admin.post('/api/articles').send({ sku: 'BOLT', name: 'Bolt', unit: 'pcs', tracking: 'none' }).expect(201);
    await admin.post('/api/stock/receipts').send({ reference: 'PO-LATE', occurredAt: '2025-06-01T08:00:00Z', lines: [{ sku: 'BOLT', quantity: 5, location: 'A-01' }] }).expect(201);
    const at = '2025-07-01T00:00:00Z';
    const viaStore = await stockctl(['replay', 'article', 'BOLT', '--tenant', 'cli-audit-late', '--at', at], operator());
    expect(viaStore.code).toBe(0);
    expect(viaStore.stdout).toContain('A-01: 5 on hand');
    const created = await stockctl(['tokens', 'create', '--tenant', 'cli-audit-late', '--name', 'audit', '--role', 'auditor', '--json'], operator());
    const token = (JSON.parse(created.stdout) as { token: string }).token;
    const viaApi = await stockctl(['replay', 'article', 'BOLT', '--at', at, '--url', api.app, '--tenant', 'cli-audit-late'], { STOCKCTL_TOKEN: token });
    expect(viaApi.code).toBe(0);
    expect(viaApi.stdout).toContain('BOLT at 2025-07-01T00:00:00.000Z: 1 events');
    expect(viaApi.stdout).toContain('A-01: 5 on hand');
    // The API's default stays as it was: what had been recorded by then (nothing, a year ago).
    const recorded = await request(api.app).get(`/api/audit/articles/BOLT/replay?at=${at}`).set('Authorization', `Bearer ${token}`).set('X-Tenant', 'cli-audit-late').expect(200);
    expect(recorded.body).toMatchObject({ basis: 'recorded', eventsFolded: 0, onHand: 0 });
  }, 60_000);

  it('seal, then an event edited by a superuser with the append-only trigger disabled: verify seals exits 1 naming it', async () => {
    await tenantWithStock('cli-audit-seal');
    const sealed = await stockctl(['seal', '--tenant', 'cli-audit-seal', '--json'], operator());
    expect(sealed.code).toBe(0);
    const { last } = JSON.parse(sealed.stdout) as { last: { position: string; hash: string } };
    const list = await stockctl(['seals', 'list', '--tenant', 'cli-audit-seal', '--json'], operator());
    expect(ndjson(list)).toEqual([expect.objectContaining({ tenant: 'cli-audit-seal', position: last.position, hash: last.hash })]);
    const sound = await stockctl(['verify', 'seals', '--tenant', 'cli-audit-seal'], operator());
    expect(sound.code).toBe(0);

    const tampered = await api.database.db.one<{ event_id: string; position: string }>(
      "select event_id, position::text from es_events where tenant = $1 and type = 'StockReceived' order by position offset 1 limit 1",
      ['cli-audit-seal'],
    );
    await api.database.db.tx(async (t) => {
      await t.none('alter table es_events disable trigger es_events_no_update_delete');
      await t.none(`update es_events set data = jsonb_set(data, '{quantity}', '200000') where event_id = $1`, [tampered.event_id]);
      await t.none('alter table es_events enable trigger es_events_no_update_delete');
    });
    const broken = await stockctl(['verify', 'seals', '--tenant', 'cli-audit-seal'], operator());
    expect(broken.code).toBe(1);
    expect(broken.stdout).toContain(`event ${tampered.event_id} at position ${tampered.position} is changed`);
    const json = await stockctl(['verify', 'seals', '--tenant', 'cli-audit-seal', '--json'], operator());
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: false, difference: { kind: 'changed', eventId: tampered.event_id } });
  }, 120_000);

  it('exit codes: 2 for usage, 4 for an unknown tenant', async () => {
    const noFile = await stockctl(['export', '--tenant', 'cli-audit-src'], operator());
    expect(noFile.code).toBe(2);
    const badTime = await stockctl(['stock', 'as-of', '--tenant', 'cli-audit-src', '--at', 'yesterday'], operator());
    expect(badTime.code).toBe(2);
    for (const args of [['verify', 'events'], ['verify', 'seals'], ['seal'], ['seals', 'list'], ['replay', 'article', 'BOLT', '--explain']]) {
      const unknown = await stockctl([...args, '--tenant', 'cli-nobody'], operator());
      expect({ args, code: unknown.code }).toEqual({ args, code: 4 });
      expect(unknown.stderr).toContain('no tenant cli-nobody');
    }
    const exportUnknown = await stockctl(['export', '--tenant', 'cli-nobody', path.join(directory, 'none.ndjson')], operator());
    expect(exportUnknown.code).toBe(4);
  }, 120_000);
});
