/**
 * Migration 0008 under a rolling deploy: a process of the previous release keeps calling
 * es_append_many with 0004's 8 arguments, through the statement it prepared before the migration,
 * and gets 0004's answers; the new call with recording times works beside it.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { loadMigrations, migrate } from '../../src/database/migrations.js';
import { appendEntriesSql, appendManySql, appendSql } from '../../src/eventstore/postgres/append.sql.js';
import { createLogger } from '../../src/logger.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

const logger = createLogger('silent');

describe('migration 0008 (es_append_many with recording times)', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase({ migrated: false });
  });
  afterAll(async () => {
    await database.drop();
  });

  it("keeps the previous release's calls working, its prepared statement included", async () => {
    const migrations = await loadMigrations();
    const before = migrations.filter((migration) => migration.version < 8);
    expect(migrations.map((migration) => migration.version)).toContain(8);
    await migrate(database.db, logger, before);

    type Row = { stream_name: string; revision: string; position: string; duplicate: boolean };
    const ids = (count: number): string[] => Array.from({ length: count }, () => randomUUID());
    const oldCall = (streams: string[], expected: string[], counts: number[], events: string[]): unknown[] => [
      'mig',
      streams,
      expected,
      counts,
      events,
      events.map(() => 'T'),
      events.map(() => '{"n":1}'),
      events.map(() => '{}'),
    ];
    // The old process: one connection that prepared "es-append-many" before the migration ran.
    const oldProcess = await database.db.connect();
    try {
      const first = ids(3);
      const asOld = (values: unknown[]): Promise<Row[]> => oldProcess.many<Row>({ name: 'es-append-many', text: appendManySql(), values });
      expect((await asOld(oldCall(['mig:stock-A', 'mig:stock-B'], ['no_stream', 'no_stream'], [2, 1], first))).map((row) => [row.revision, row.duplicate])).toEqual([
        ['1', false],
        ['0', false],
      ]);

      expect(await migrate(database.db, logger, migrations)).toEqual([8]);

      // The same prepared statement, after the function it named was replaced.
      const retried = await asOld(oldCall(['mig:stock-A', 'mig:stock-B'], ['no_stream', 'no_stream'], [2, 1], first));
      expect(retried.map((row) => [row.stream_name, row.revision, row.duplicate])).toEqual([
        ['mig:stock-A', '1', true],
        ['mig:stock-B', '0', true],
      ]);
      const next = await asOld(oldCall(['mig:stock-A', 'mig:stock-C'], ['1', 'no_stream'], [1, 1], ids(2)));
      expect(next.map((row) => [row.revision, row.duplicate])).toEqual([
        ['2', false],
        ['0', false],
      ]);
      await expect(asOld(oldCall(['mig:stock-A'], ['0'], [1], ids(1)))).rejects.toMatchObject({ code: 'SCW01' });
      await expect(asOld(oldCall(['mig:stock-A'], ['2'], [2], [first[0] ?? '', randomUUID()]))).rejects.toMatchObject({ code: 'SCD01', detail: 'mig:stock-A' });
      // es_append (one stream) is unchanged.
      const single = await oldProcess.one<{ revision: string }>(appendSql(), ['mig', 'mig:stock-A', '2', ids(1), ['T'], ['{}'], ['{}']]);
      expect(single.revision).toBe('3');
      // Without recording times, the store's clock as before.
      const recent = await oldProcess.one<{ recent: boolean }>('select bool_and(recorded_at > now() - interval $1) as recent from es_events', ['1 hour']);
      expect(recent.recent).toBe(true);
    } finally {
      oldProcess.done();
    }

    // The new overload: data and metadata as JSON arrays, recording times kept.
    const timed = randomUUID();
    const rows = await database.db.many<{ revision: string; already_stored: number }>(appendEntriesSql(), [
      'mig',
      ['mig:stock-D'],
      ['no_stream'],
      [1],
      [timed],
      ['T'],
      '[{"n":2}]',
      '[{}]',
      ['2001-02-03T04:05:06.007Z'],
      false,
    ]);
    expect(rows).toEqual([{ stream_name: 'mig:stock-D', revision: '0', position: expect.any(String), duplicate: false, already_stored: 0 }]);
    const recordedAt = await database.db.one<{ recorded_at: Date }>('select recorded_at from es_events where event_id = $1', [timed]);
    expect(recordedAt.recorded_at.toISOString()).toBe('2001-02-03T04:05:06.007Z');
  });
});
