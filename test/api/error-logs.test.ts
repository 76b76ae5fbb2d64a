import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startHttpServer, type HttpServer } from '../../src/api/http-server.js';
import { composeApplication, type Application } from '../../src/composition-root.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { as, registerAndLogin, type TenantSession } from '../support/api.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

describe('the log line of a 500', () => {
  const lines: string[] = [];
  let database: TestDatabase;
  let application: Application;
  let server: HttpServer;
  let app: string;
  let acme: TenantSession;

  beforeAll(async () => {
    database = await createTestDatabase();
    const destination = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(...chunk.toString().split('\n').filter((line) => line.length > 0));
        done();
      },
    });
    const config = loadConfig({ DATABASE_URL: database.url, LOG_LEVEL: 'info', DEMO: 'false' });
    application = composeApplication(config, createLogger('info', 'stockcontrol', destination), database.db);
    await application.start();
    server = await startHttpServer(application.app, 0, '127.0.0.1');
    app = `http://127.0.0.1:${server.port}`;
    acme = await registerAndLogin(app, 'acme');
    // A fault the API does not map: the insert fails with a PostgreSQL error whose DETAIL quotes
    // the whole row, hash and email included, as a constraint's "Key (...)=(...)" would.
    await database.db.none(`
      create function test_refuse_user() returns trigger language plpgsql as $$
      begin
        raise exception 'refused by a test trigger' using detail = 'row: ' || new::text, hint = 'email ' || new.email;
      end $$;
      create trigger test_refuse_user before insert on users for each row when (new.username = 'victim') execute function test_refuse_user();`);
  });

  afterAll(async () => {
    try {
      await server?.close(5_000);
      await application?.close();
    } finally {
      await database?.drop();
    }
  });

  it('keeps the message, SQLSTATE and stack but no query, parameters, detail, hash, password or email', async () => {
    const password = 'a very secret password';
    const email = 'victim@private.example';
    const answer = await as(app, acme).post('/api/users').send({ username: 'victim', email, password, role: 'viewer' }).expect(500);
    expect(JSON.stringify(answer.body)).not.toContain('refused by a test trigger');
    const failed = lines.filter((line) => line.includes('request failed'));
    expect(failed).toHaveLength(1);
    const line = failed[0] ?? '';
    for (const secret of [email, password, '$argon2id$', 'insert into', 'victim']) expect(line.toLowerCase()).not.toContain(secret.toLowerCase());
    const entry = JSON.parse(line) as { err: Record<string, unknown> };
    expect(entry.err).toMatchObject({ message: 'refused by a test trigger', sqlState: 'P0001', code: 'P0001' });
    expect(String(entry.err.stack)).toContain('refused by a test trigger');
    for (const field of ['query', 'params', 'detail', 'hint', 'where']) expect(entry.err[field]).toBeUndefined();
  });
});
