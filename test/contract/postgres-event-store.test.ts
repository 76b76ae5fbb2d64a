import { appendParameters, PostgresEventStore } from '../../src/eventstore/postgres/postgres-event-store.js';
import { appendSql } from '../../src/eventstore/postgres/event-store.sql.js';
import { createLogger } from '../../src/logger.js';
import { createTestDatabase } from '../support/test-database.js';
import { describeEventStoreContract } from './event-store.contract.js';

describeEventStoreContract('PostgreSQL', async () => {
  const database = await createTestDatabase();
  const store = new PostgresEventStore(database.db, createLogger('silent'));
  const otherProcess = new PostgresEventStore(database.db, createLogger('silent'));
  return {
    store,
    otherProcess,
    holdOpenAppend: async (stream, events) => {
      const connection = await database.db.connect();
      await connection.none('begin');
      const row = await connection.one<{ position: string }>(appendSql, appendParameters(stream, events, 'any'));
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
});
