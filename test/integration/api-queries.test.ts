import { beforeAll, describe, expect, it } from '@jest/globals';
import { pgp, type Database } from '../../src/database/connection.js';
import { findByBarcode, getArticle, listArticles, type Article } from '../../src/projections/catalog.queries.js';
import { encodeCursor, InvalidCursor, type Page } from '../../src/projections/cursor.js';
import { getLocation, listLocations } from '../../src/projections/locations.queries.js';
import { listMovements, type MovementQuery } from '../../src/projections/movements.queries.js';
import { readModelDdl } from '../../src/projections/read-model.sql.js';
import { expiringLots, lowStock, stockHistory } from '../../src/projections/reports.queries.js';
import { commandSide, freshTenant, metadataFor } from '../support/command-handlers.js';
import { useReadSide } from '../support/read-side.js';

const units = (n: number): number => n * 1000;

/** Every page of a list, following nextCursor from the first page to the last. */
async function allPages<T>(fetch: (cursor: string | undefined) => Promise<Page<T>>): Promise<{ items: T[]; pages: number }> {
  const items: T[] = [];
  let cursor: string | undefined;
  let pages = 0;
  for (;;) {
    const page = await fetch(cursor);
    pages += 1;
    items.push(...page.items);
    if (page.nextCursor === null) return { items, pages };
    expect(page.items.length).toBeGreaterThan(0);
    cursor = page.nextCursor;
    if (pages > 100) throw new Error('the cursor does not advance');
  }
}

describe('read-side queries behind the GET endpoints', () => {
  const readSide = useReadSide();
  let db: Database;
  let schema: string;
  /** Movement ids in the order they were recorded (movements that write ledger rows only). */
  const recorded: string[] = [];

  beforeAll(async () => {
    db = readSide.database.db;
    const { side, schemas } = readSide;
    const tenant = freshTenant('aq');
    const meta = (occurredAt = '2026-03-01T08:00:00Z') => metadataFor(tenant, { occurredAt });
    const record = async (result: Promise<{ movementId: string }>) => recorded.push((await result).movementId);

    await side.catalog.createLocation(meta(), { code: 'WH', name: 'Main warehouse', type: 'warehouse' });
    for (const code of ['A-01', 'A-02', 'B-01']) await side.catalog.createLocation(meta(), { code, type: 'storage', parent: 'WH' });
    await side.catalog.createLocation(meta(), { code: 'Q-01', name: 'Quarantine', type: 'quarantine', parent: 'WH' });
    await side.catalog.blockLocation(meta(), 'Q-01');

    const articles = [
      { sku: 'BOLT', name: 'Bolt M8 100% steel', unit: 'pcs', tracking: 'none', barcode: '4006381333931', reorderPoint: units(9), reorderQuantity: units(50) },
      { sku: 'DRILL', name: 'Cordless drill', unit: 'pcs', tracking: 'serial' },
      { sku: 'MILK', name: 'Milk 1l', unit: 'l', tracking: 'lot', shelfLifeDays: 14 },
      { sku: 'NUT_M8', name: 'Nut M8', unit: 'pcs', tracking: 'none', reorderPoint: units(10) },
      { sku: 'NUTXM8', name: 'Nut XM8 1000 pcs', unit: 'pcs', tracking: 'none', reorderPoint: units(1) },
      { sku: 'OLD', name: 'Old back\\slash part', unit: 'pcs', tracking: 'none', reorderPoint: units(3) },
      { sku: 'SCREW', name: 'Screw', unit: 'pcs', tracking: 'none', barcode: 'Q-01' },
      { sku: 'WASHER', name: 'Washer 100 pcs', unit: 'pcs', tracking: 'none' },
    ] as const;
    for (const article of articles) await side.catalog.registerArticle(meta(), article);
    await side.catalog.archiveArticle(meta(), 'OLD');

    await record(
      side.stock.receive(meta('2026-03-01T08:00:00Z'), {
        reference: 'PO-1',
        lines: [
          { sku: 'BOLT', quantity: units(10), location: 'A-01' },
          { sku: 'NUTXM8', quantity: units(5), location: 'A-01' },
        ],
      }),
    );
    await record(
      side.stock.receive(meta('2026-03-01T09:00:00Z'), {
        reference: 'PO-M',
        lines: [
          { sku: 'MILK', quantity: units(5), location: 'A-01', lot: 'L1', expiresOn: '2026-03-05' },
          { sku: 'MILK', quantity: units(3), location: 'A-01', lot: 'L2', expiresOn: '2026-03-20' },
          { sku: 'MILK', quantity: units(2), location: 'A-02', lot: 'L2', expiresOn: '2026-03-20' },
          { sku: 'MILK', quantity: units(4), location: 'A-01', lot: 'L3', expiresOn: '2026-04-30' },
          { sku: 'MILK', quantity: units(2), location: 'A-02', lot: 'L4', expiresOn: '2026-03-15' },
          { sku: 'MILK', quantity: units(1), location: 'B-01', lot: 'L5', expiresOn: '2026-04-09' },
          { sku: 'MILK', quantity: units(1), location: 'A-01', lot: 'L6', expiresOn: '2026-04-10' },
        ],
      }),
    );
    await record(side.stock.ship(meta('2026-03-02T10:00:00Z'), { lines: [{ sku: 'MILK', quantity: units(2), from: 'A-02', lot: 'L4' }] }));
    // A tenant that books shipments before receipts: lot L7 ends at -1, which no report may list.
    const negative = commandSide(readSide.store, { policy: { allowNegativeStock: async () => true } });
    await record(side.stock.receive(meta('2026-03-02T11:00:00Z'), { lines: [{ sku: 'MILK', quantity: units(1), location: 'A-02', lot: 'L7', expiresOn: '2026-03-12' }] }));
    await record(negative.stock.ship(meta('2026-03-02T12:00:00Z'), { lines: [{ sku: 'MILK', quantity: units(2), from: 'A-02', lot: 'L7' }] }));
    await record(side.stock.receive(meta('2026-03-03T10:00:00Z'), { reference: 'PO-2', lines: [{ sku: 'BOLT', quantity: units(4), location: 'A-02' }] }));
    await record(side.stock.receive(meta('2026-03-04T10:00:00Z'), { lines: [{ sku: 'DRILL', quantity: units(2), location: 'A-02', serials: ['SN1', 'SN2'] }] }));
    await side.stock.reserve(meta('2026-03-05T10:00:00Z'), { reference: 'SO-1', lines: [{ sku: 'BOLT', quantity: units(3), location: 'A-01' }] });
    await side.stock.reserve(meta('2026-03-05T11:00:00Z'), { reference: 'SO-2', lines: [{ sku: 'BOLT', quantity: units(2) }] });
    await record(side.stock.ship(meta('2026-03-06T12:00:00Z'), { reference: 'SO-9', lines: [{ sku: 'BOLT', quantity: units(1), from: 'A-02' }] }));
    await record(side.stock.transfer(meta('2026-03-07T10:00:00Z'), { lines: [{ sku: 'BOLT', quantity: units(2), from: 'A-01', to: 'B-01' }] }));
    // Back-dated: recorded last, happened first.
    await record(side.stock.receive(meta('2026-02-20T09:00:00Z'), { reference: 'PO-0', lines: [{ sku: 'BOLT', quantity: units(1), location: 'B-01' }] }));

    const live = await schemas.ensureLive(tenant);
    await schemas.catchUp(tenant, live.schema);
    schema = live.schema;
  });

  describe('articles', () => {
    const allSkus = ['BOLT', 'DRILL', 'MILK', 'NUTXM8', 'NUT_M8', 'OLD', 'SCREW', 'WASHER'];

    it('walks every page in SKU order without duplicates or gaps, whatever the page size', async () => {
      // The order is the database's collation of the SKUs, asked for on its own.
      const inSkuOrder = await db.map('select unnest($1::text[]) as sku order by 1', [allSkus], (row: { sku: string }) => row.sku);
      for (const limit of [1, 3, 8, 500]) {
        const { items, pages } = await allPages((cursor) => listArticles(db, schema, { limit, ...(cursor ? { cursor } : {}) }));
        expect(items.map((article) => article.sku)).toEqual(inSkuOrder);
        expect(pages).toBe(Math.ceil(allSkus.length / limit));
      }
    });

    it('lists master data with null for absent values and the archived flag', async () => {
      const { items } = await listArticles(db, schema, { limit: 500 });
      const bySku = new Map(items.map((article) => [article.sku, article]));
      expect(bySku.get('BOLT')).toEqual({
        sku: 'BOLT',
        name: 'Bolt M8 100% steel',
        unit: 'pcs',
        tracking: 'none',
        barcode: '4006381333931',
        reorderPoint: units(9),
        reorderQuantity: units(50),
        shelfLifeDays: null,
        archived: false,
      } satisfies Article);
      expect(bySku.get('MILK')).toMatchObject({ tracking: 'lot', barcode: null, reorderPoint: null, reorderQuantity: null, shelfLifeDays: 14 });
      expect(bySku.get('OLD')?.archived).toBe(true);
    });

    it('searches SKU, name and barcode as a case-insensitive substring, taking %, _ and \\ literally', async () => {
      const search = async (term: string, limit = 500) => {
        const { items } = await allPages((cursor) => listArticles(db, schema, { search: term, limit, ...(cursor ? { cursor } : {}) }));
        return items.map((article) => article.sku).sort();
      };
      expect(await search('100%')).toEqual(['BOLT']);
      expect(await search('T_M')).toEqual(['NUT_M8']);
      expect(await search('\\')).toEqual(['OLD']);
      expect(await search('%')).toEqual(['BOLT']);
      expect(await search('_')).toEqual(['NUT_M8']);
      expect(await search('nut', 1)).toEqual(['NUTXM8', 'NUT_M8'].sort());
      expect(await search('333931')).toEqual(['BOLT']);
      expect(await search('CORDLESS')).toEqual(['DRILL']);
      expect(await search('no such thing')).toEqual([]);
      expect(await search('')).toHaveLength(allSkus.length);
    });

    it('gives an article with on hand over real locations, every reservation (located and anywhere) and available', async () => {
      expect(await getArticle(db, schema, 'BOLT')).toMatchObject({ sku: 'BOLT', name: 'Bolt M8 100% steel', onHand: units(14), reserved: units(5), available: units(9) });
      expect(await getArticle(db, schema, 'MILK')).toMatchObject({ onHand: units(15), reserved: 0, available: units(15) });
      expect(await getArticle(db, schema, 'NUT_M8')).toMatchObject({ onHand: 0, reserved: 0, available: 0 });
      expect(await getArticle(db, schema, 'NOPE')).toBeUndefined();
    });

    it('finds an article by its barcode first, else a location by its code', async () => {
      expect(await findByBarcode(db, schema, '4006381333931')).toEqual({ kind: 'article', article: expect.objectContaining({ sku: 'BOLT' }) });
      expect(await findByBarcode(db, schema, 'Q-01')).toEqual({ kind: 'article', article: expect.objectContaining({ sku: 'SCREW' }) });
      expect(await findByBarcode(db, schema, 'A-01')).toEqual({ kind: 'location', location: { code: 'A-01', name: null, parent: 'WH', type: 'storage', blocked: false } });
      expect(await findByBarcode(db, schema, 'BOLT')).toBeUndefined();
      expect(await findByBarcode(db, schema, '@supplier')).toBeUndefined();
    });
  });

  describe('locations', () => {
    it('lists locations flat by code over every page, with parent, type and blocked', async () => {
      for (const limit of [1, 2, 5]) {
        const { items, pages } = await allPages((cursor) => listLocations(db, schema, { limit, ...(cursor ? { cursor } : {}) }));
        expect(items.map((location) => location.code)).toEqual(['A-01', 'A-02', 'B-01', 'Q-01', 'WH']);
        expect(pages).toBe(Math.ceil(5 / limit));
      }
      const { items } = await listLocations(db, schema, { limit: 500 });
      expect(items).toContainEqual({ code: 'Q-01', name: 'Quarantine', parent: 'WH', type: 'quarantine', blocked: true });
      expect(items).toContainEqual({ code: 'WH', name: 'Main warehouse', parent: null, type: 'warehouse', blocked: false });
    });

    it('gives a location with its stock lines, first expiring first, reserved and available per line (reservations shared out FEFO, "anywhere" ones included)', async () => {
      expect(await getLocation(db, schema, 'A-01')).toEqual({
        code: 'A-01',
        name: null,
        parent: 'WH',
        type: 'storage',
        blocked: false,
        stock: [
          { sku: 'MILK', lot: 'L1', expiresOn: '2026-03-05', onHand: units(5), reserved: 0, available: units(5) },
          { sku: 'MILK', lot: 'L2', expiresOn: '2026-03-20', onHand: units(3), reserved: 0, available: units(3) },
          { sku: 'MILK', lot: 'L6', expiresOn: '2026-04-10', onHand: units(1), reserved: 0, available: units(1) },
          { sku: 'MILK', lot: 'L3', expiresOn: '2026-04-30', onHand: units(4), reserved: 0, available: units(4) },
          { sku: 'BOLT', lot: null, expiresOn: null, onHand: units(8), reserved: units(5), available: units(3) },
          { sku: 'NUTXM8', lot: null, expiresOn: null, onHand: units(5), reserved: 0, available: units(5) },
        ],
      });
      expect((await getLocation(db, schema, 'Q-01'))?.stock).toEqual([]);
      expect(await getLocation(db, schema, 'NOPE')).toBeUndefined();
      expect(await getLocation(db, schema, '@customer')).toBeUndefined();
    });
  });

  describe('movements', () => {
    const everything = (query: Omit<MovementQuery, 'limit' | 'cursor'> = {}) => listMovements(db, schema, { ...query, limit: 500 });

    it('lists ledger rows newest recorded first, back-dated ones by when they were recorded', async () => {
      const { items, nextCursor } = await everything();
      expect(nextCursor).toBeNull();
      const movementIds = items.map((row) => row.movementId).filter((id, index, ids) => id !== ids[index - 1]);
      expect(movementIds).toEqual([...recorded].reverse());
      const ledgerRows = await db.one<{ n: number }>(`select count(*)::int as n from ${pgp.as.name(schema)}.ledger`);
      expect(items).toHaveLength(ledgerRows.n);
      expect(items[0]).toEqual({
        movementId: recorded.at(-1) as string,
        kind: 'received',
        sku: 'BOLT',
        from: '@supplier',
        to: 'B-01',
        quantity: units(1),
        lot: null,
        serials: null,
        occurredAt: '2026-02-20T09:00:00.000Z',
        recordedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
        user: 'tester',
        reference: 'PO-0',
      });
      expect(items.find((row) => row.sku === 'DRILL')).toMatchObject({ serials: ['SN1', 'SN2'], quantity: units(2), to: 'A-02' });
      expect(items.find((row) => row.lot === 'L4' && row.to === '@customer')).toMatchObject({ kind: 'shipped', from: 'A-02' });
    });

    it('walks every page of the ledger without duplicates or gaps', async () => {
      const { items: all } = await everything();
      for (const limit of [1, 4, 7]) {
        const { items, pages } = await allPages((cursor) => listMovements(db, schema, { limit, ...(cursor ? { cursor } : {}) }));
        expect(items).toEqual(all);
        expect(pages).toBe(Math.ceil(all.length / limit));
      }
      const { items: bolts } = await allPages((cursor) => listMovements(db, schema, { sku: 'BOLT', limit: 2, ...(cursor ? { cursor } : {}) }));
      expect(bolts).toEqual((await everything({ sku: 'BOLT' })).items);
    });

    it('orders positions as numbers and the moves of one position by seq, also across page boundaries', async () => {
      // Positions of a young store have the same number of digits; these do not.
      const synthetic = `${schema}_ledger`;
      await db.none(readModelDdl(synthetic));
      const keys: Array<[number, number]> = [[7, 0], [9, 0], [9, 1], [9, 2], [10, 0], [99, 0], [100, 0], [100, 1], [1_000_000_000_000, 0]];
      await db.none(
        `insert into ${pgp.as.name(synthetic)}.ledger (position, seq, movement_id, line, kind, sku, from_location, to_location, quantity, occurred_at, recorded_at, user_name)
         select p, s, p::text || '/' || s::text, 0, 'received', 'X', '@supplier', 'A', 1000, now(), now(), 'u' from unnest($1::bigint[], $2::int[]) as k(p, s)`,
        [keys.map(([position]) => position), keys.map(([, seq]) => seq)],
      );
      const newestFirst = keys.map(([position, seq]) => `${position}/${seq}`).reverse();
      for (const limit of [1, 2, 3, 500]) {
        const { items } = await allPages((cursor) => listMovements(db, synthetic, { limit, ...(cursor ? { cursor } : {}) }));
        expect(items.map((row) => row.movementId)).toEqual(newestFirst);
      }
    });

    it('filters by article, by either end of the move, by reference, and by business time (from inclusive, to exclusive)', async () => {
      const bolt = (await everything({ sku: 'BOLT' })).items;
      expect(bolt.map((row) => [row.kind, row.reference])).toEqual([
        ['received', 'PO-0'],
        ['transferred', null],
        ['shipped', 'SO-9'],
        ['received', 'PO-2'],
        ['received', 'PO-1'],
      ]);
      const atB01 = (await everything({ location: 'B-01' })).items;
      expect(atB01.map((row) => `${row.sku} ${row.from}>${row.to}`)).toEqual(['BOLT @supplier>B-01', 'BOLT A-01>B-01', 'MILK @supplier>B-01']);
      const atA02 = (await everything({ location: 'A-02', sku: 'BOLT' })).items;
      expect(atA02.map((row) => `${row.from}>${row.to}`)).toEqual(['A-02>@customer', '@supplier>A-02']);
      expect((await everything({ reference: 'PO-1' })).items.map((row) => row.sku).sort()).toEqual(['BOLT', 'NUTXM8']);
      const window = await everything({ sku: 'BOLT', from: '2026-03-03T10:00:00Z', to: '2026-03-07T10:00:00Z' });
      expect(window.items.map((row) => row.occurredAt)).toEqual(['2026-03-06T12:00:00.000Z', '2026-03-03T10:00:00.000Z']);
      const offset = await everything({ from: '2026-03-03T12:00:00+02:00', to: '2026-03-04T00:00:00+00:00' });
      expect(offset.items.map((row) => row.reference)).toEqual(['PO-2']);
      expect((await everything({ sku: 'NOPE' })).items).toEqual([]);
    });
  });

  describe('reports', () => {
    it('lists active articles whose available is at or below the reorder point', async () => {
      expect(await lowStock(db, schema)).toEqual([
        { sku: 'BOLT', name: 'Bolt M8 100% steel', onHand: units(14), reserved: units(5), available: units(9), reorderPoint: units(9), reorderQuantity: units(50) },
        { sku: 'NUT_M8', name: 'Nut M8', onHand: 0, reserved: 0, available: 0, reorderPoint: units(10), reorderQuantity: null },
      ]);
    });

    it('lists lots with stock expiring up to today + withinDays, the expired ones included, first expiring first', async () => {
      expect(await expiringLots(db, schema, { withinDays: 30, today: '2026-03-10' })).toEqual([
        { sku: 'MILK', lot: 'L1', expiresOn: '2026-03-05', onHand: units(5), daysLeft: -5 },
        { sku: 'MILK', lot: 'L2', expiresOn: '2026-03-20', onHand: units(5), daysLeft: 10 },
        { sku: 'MILK', lot: 'L5', expiresOn: '2026-04-09', onHand: units(1), daysLeft: 30 },
      ]);
      expect((await expiringLots(db, schema, { withinDays: 0, today: '2026-03-05' })).map((lot) => [lot.lot, lot.daysLeft])).toEqual([['L1', 0]]);
      expect(await expiringLots(db, schema, { withinDays: 3, today: '2026-03-01' })).toEqual([]);
    });

    it('gives the on hand at the end of each day of the window, carrying the last value over days without movements', async () => {
      const history = await stockHistory(db, schema, { sku: 'BOLT', days: 10, today: '2026-03-08' });
      expect(history).toEqual({
        sku: 'BOLT',
        days: [
          { day: '2026-02-27', onHand: units(1) },
          { day: '2026-02-28', onHand: units(1) },
          { day: '2026-03-01', onHand: units(11) },
          { day: '2026-03-02', onHand: units(11) },
          { day: '2026-03-03', onHand: units(15) },
          { day: '2026-03-04', onHand: units(15) },
          { day: '2026-03-05', onHand: units(15) },
          { day: '2026-03-06', onHand: units(14) },
          { day: '2026-03-07', onHand: units(14) },
          { day: '2026-03-08', onHand: units(14) },
        ],
      });
      expect((await stockHistory(db, schema, { sku: 'BOLT', days: 2, today: '2026-03-03' })).days).toEqual([
        { day: '2026-03-02', onHand: units(11) },
        { day: '2026-03-03', onHand: units(15) },
      ]);
      expect((await stockHistory(db, schema, { sku: 'MILK', days: 1, today: '2026-03-02' })).days).toEqual([{ day: '2026-03-02', onHand: units(15) }]);
      expect((await stockHistory(db, schema, { sku: 'BOLT', days: 3, today: '2026-02-10' })).days.map((day) => day.onHand)).toEqual([0, 0, 0]);
      expect((await stockHistory(db, schema, { sku: 'BOLT', days: 90, today: '2026-03-08' })).days).toHaveLength(90);
    });
  });

  describe('cursors', () => {
    const base64url = (text: string) => Buffer.from(text, 'utf8').toString('base64url');

    it.each([
      ['not base64url', 'abc$def'],
      ['empty', ''],
      ['not JSON', base64url('{"l":"articles",')],
      ['no key', base64url('{"l":"articles"}')],
      ['a key of the wrong type', base64url('{"l":"articles","k":[42]}')],
      ['a key of the wrong length', base64url('{"l":"articles","k":["A","B"]}')],
      ['a cursor of another list', encodeCursor('locations', ['A-01'])],
      ['too long', 'A'.repeat(5000)],
    ])('refuses an article cursor that is %s', async (_reason, cursor) => {
      const refused = listArticles(db, schema, { limit: 5, cursor });
      await expect(refused).rejects.toBeInstanceOf(InvalidCursor);
      await expect(refused).rejects.toMatchObject({ code: 'validation', path: 'cursor' });
    });

    it.each([
      ['a position that is not a number', encodeCursor('movements', ['12x', 0])],
      ['a position beyond int8', encodeCursor('movements', ['9223372036854775808', 0])],
      ['a fractional seq', encodeCursor('movements', ['12', 0.5])],
      ['a cursor of articles', encodeCursor('articles', ['BOLT'])],
    ])('refuses a movement cursor with %s', async (_reason, cursor) => {
      await expect(listMovements(db, schema, { limit: 5, cursor })).rejects.toMatchObject({ code: 'validation', path: 'cursor' });
    });

    it('accepts a cursor this service made, and a page that ends the list has no next cursor', async () => {
      const first = await listLocations(db, schema, { limit: 4 });
      expect(first.nextCursor).toEqual(expect.any(String));
      expect((await listLocations(db, schema, { limit: 1, cursor: first.nextCursor as string })).items.map((l) => l.code)).toEqual(['WH']);
      expect((await listLocations(db, schema, { limit: 5 })).nextCursor).toBeNull();
      await expect(listLocations(db, schema, { limit: 5, cursor: first.nextCursor?.slice(0, -2) as string })).rejects.toBeInstanceOf(InvalidCursor);
    });
  });
});
