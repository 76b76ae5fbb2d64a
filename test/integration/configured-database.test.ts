import { describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { loadConfig } from '../../src/config.js';
import { openConfiguredDatabase } from '../../src/database/configured-database.js';
import { createLogger } from '../../src/logger.js';
import { createTestDatabase } from '../support/test-database.js';

describe('the availability of a DATABASE_URL database', () => {
  it('turns unavailable when its connections are cut, and available again once it answers, one change each', async () => {
    const testDatabase = await createTestDatabase();
    const database = await openConfiguredDatabase(loadConfig({ DATABASE_URL: testDatabase.url, LOG_LEVEL: 'silent' }), createLogger('silent'));
    const changes: boolean[] = [];
    const subscription = database.availability.subscribe((available) => changes.push(available));
    try {
      // A few idle pooled connections, then the server ends them all (as a restart would).
      await Promise.all([1, 2, 3].map(async () => await database.db.one('select pg_sleep(0.05)')));
      const admin = new pg.Client({ connectionString: process.env.STOCKCONTROL_TEST_ADMIN_URL });
      await admin.connect();
      await admin.query('select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()', [testDatabase.name]);
      await admin.end();
      const deadline = Date.now() + 10_000;
      while (changes.length < 3 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
      expect(changes).toEqual([true, false, true]);
      expect(database.isAvailable()).toBe(true);
      expect((await database.db.one<{ one: number }>('select 1 as one')).one).toBe(1);
    } finally {
      subscription.unsubscribe();
      await database.close();
      await testDatabase.drop();
    }
  });
});
