import { afterAll, beforeAll } from '@jest/globals';
import type { EventStore } from '../../src/eventstore/event-store.js';
import { PostgresEventStore } from '../../src/eventstore/postgres/postgres-event-store.js';
import { createLogger } from '../../src/logger.js';
import { ReadSchemas } from '../../src/projections/read-schemas.js';
import { commandSide, type CommandSide } from './command-handlers.js';
import { createTestDatabase, type TestDatabase } from './test-database.js';

/** What a read-side test file works with; filled in by its beforeAll. */
export interface ReadSide {
  database: TestDatabase;
  store: EventStore;
  side: CommandSide;
  schemas: ReadSchemas;
}

/**
 * Gives a test file its own database, event store, command side and read schemas, set up before
 * its tests and closed after them. Read the fields inside tests (they are set in beforeAll).
 */
export function useReadSide(): ReadSide {
  const readSide = {} as ReadSide;
  const logger = createLogger('silent');
  beforeAll(async () => {
    readSide.database = await createTestDatabase();
    readSide.store = new PostgresEventStore(readSide.database.db, logger);
    readSide.side = commandSide(readSide.store);
    readSide.schemas = new ReadSchemas(readSide.database.db, readSide.store, logger);
  });
  afterAll(async () => {
    await readSide.store.close();
    await readSide.database.drop();
  });
  return readSide;
}
