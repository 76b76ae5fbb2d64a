import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { findFreePort } from '../../src/database/tcp-port.js';
import { startService, type ServiceProcess } from '../support/service-process.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

describe("the demo admin's password", () => {
  let database: TestDatabase;
  let service: ServiceProcess | undefined;

  beforeAll(async () => {
    database = await createTestDatabase();
  });

  afterAll(async () => {
    try {
      if (service && service.child.exitCode === null) {
        service.child.kill('SIGTERM');
        await service.exited;
      }
    } finally {
      await database?.drop();
    }
  });

  it('goes to stderr, never to the JSON log stream on stdout', async () => {
    const port = await findFreePort();
    service = startService({ DATABASE_URL: database.url, PORT: String(port), DEMO: 'true', LOG_LEVEL: 'info' });
    let stdout = '';
    let stderr = '';
    service.child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    service.child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    await service.waitUntilHealthy(port, 60_000);
    const started = Date.now();
    while (!/password: \S+/.test(stderr)) {
      if (Date.now() - started > 30_000) throw new Error(`no demo password on stderr:\n${service.output()}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const password = /password: (\S+)/.exec(stderr)?.[1] ?? '';
    expect(password.length).toBeGreaterThanOrEqual(10);
    service.child.kill('SIGTERM');
    expect(await service.exited).toBe(0);
    expect(stdout).not.toContain(password);
    // stdout stays one JSON object a line, for a log shipper.
    for (const line of stdout.split('\n').filter((text) => text.trim().length > 0)) expect(() => JSON.parse(line) as unknown).not.toThrow();
  }, 120_000);
});
