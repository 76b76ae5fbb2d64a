import { describe, expect, it } from '@jest/globals';
import { ConfigError, loadConfig } from '../../src/config.js';

describe('configuration', () => {
  it('defaults to the embedded database, port 3000 and localhost', () => {
    const config = loadConfig({});
    expect(config.DATABASE_URL).toBeUndefined();
    expect(config).toMatchObject({
      DATA_DIR: './.data',
      EMBEDDED_PG_PORT: 5433,
      EVENT_STORE: 'postgres',
      PORT: 3000,
      BASE_DOMAIN: 'localhost',
      LOG_LEVEL: 'info',
    });
  });

  it('treats empty variables as unset and coerces numbers', () => {
    const config = loadConfig({ DATABASE_URL: '', PORT: '8080', EMBEDDED_PG_PORT: '6543' });
    expect(config.DATABASE_URL).toBeUndefined();
    expect(config.PORT).toBe(8080);
    expect(config.EMBEDDED_PG_PORT).toBe(6543);
  });

  it('accepts a postgres URL', () => {
    expect(loadConfig({ DATABASE_URL: 'postgres://u:p@db:5432/stock' }).DATABASE_URL).toBe('postgres://u:p@db:5432/stock');
  });

  it('lists every bad setting at once', () => {
    let error: unknown;
    try {
      loadConfig({ DATABASE_URL: 'mysql://x/y', PORT: '70000', LOG_LEVEL: 'loud', EVENT_STORE: 'kurrentdb' });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.join('\n');
    for (const setting of ['DATABASE_URL', 'PORT', 'LOG_LEVEL', 'KURRENTDB_URL']) expect(problems).toContain(setting);
  });
});
