import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { appendParameters } from '../../src/eventstore/postgres/append.js';
import { appendManySql, appendSql } from '../../src/eventstore/postgres/append.sql.js';
import { PostgresEventStore } from '../../src/eventstore/postgres/postgres-event-store.js';
import { createLogger } from '../../src/logger.js';
import { createTestDatabase } from '../support/test-database.js';
import { describeEventStoreContract } from './event-store/contract.js';

describeEventStoreContract({
  name: 'PostgreSQL',
  // Positions come from the writing transaction's xid8, taken before it commits; and a second
  // store on the same database learns of appends only by LISTEN/NOTIFY, as another process would.
  capabilities: { positionsTakenBeforeCommit: true, otherProcess: true, densePositions: true },
  open: async () => {
    const database = await createTestDatabase();
    const store = new PostgresEventStore(database.db, createLogger('silent'));
    const otherProcess = new PostgresEventStore(database.db, createLogger('silent'));
    return {
      store,
      otherProcess,
      holdOpenAppend: async (stream, events) => {
        const connection = await database.db.connect();
        await connection.none('begin');
        const row = await connection.one<{ position: string }>(appendSql(), appendParameters(stream, events, 'any'));
        return {
          position: row.position,
          commit: async () => {
            await connection.none('commit');
            connection.done();
          },
        };
      },
      cleanup: async () => {
        await store.close();
        await otherProcess.close();
        await database.drop();
      },
    };
  },
});

describe('es_append_many (SQL)', () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => {
    await database.drop();
  });

  const call = (counts: number[], ids: string[]): Promise<unknown> =>
    database.db.any(appendManySql(), ['tqa', ['tqa:stock-A', 'tqa:stock-B'], ['no_stream', 'no_stream'], counts, ids, ids.map(() => 'T'), ids.map(() => '{}'), ids.map(() => '{}')]);

  it('refuses counts that do not add up to the events given, and writes nothing', async () => {
    await expect(call([1, 2], [randomUUID(), randomUUID()])).rejects.toMatchObject({ code: '22023' });
    await expect(call([2, 1], [randomUUID(), randomUUID()])).rejects.toMatchObject({ code: '22023' });
    await expect(call([0, 2], [randomUUID(), randomUUID()])).rejects.toMatchObject({ code: '22023' });
    expect(await database.db.one('select count(*)::int as n from es_streams where tenant = $1', ['tqa'])).toEqual({ n: 0 });
  });

  it('continues positions after an earlier append of the same transaction', async () => {
    const positions = await database.db.tx(async (tx) => {
      const first = await tx.one<{ position: string }>(appendSql(), appendParameters('tqa:stock-C', [{ id: randomUUID(), type: 'T', data: {}, metadata: {} }], 'no_stream'));
      const ids = [randomUUID(), randomUUID()];
      const rows = await tx.any<{ position: string }>(appendManySql(), ['tqa', ['tqa:stock-D', 'tqa:stock-E'], ['no_stream', 'no_stream'], [1, 1], ids, ['T', 'T'], ['{}', '{}'], ['{}', '{}']]);
      return [first.position, ...rows.map((row) => row.position)].map(BigInt);
    });
    expect(positions[1]).toBe((positions[0] ?? 0n) + 1n);
    expect(positions[2]).toBe((positions[0] ?? 0n) + 2n);
  });
});
