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

  it('takes TRUST_PROXY as none, a number of hops or proxy addresses and subnets', () => {
    expect(loadConfig({}).TRUST_PROXY).toBe(false);
    expect(loadConfig({ TRUST_PROXY: 'false' }).TRUST_PROXY).toBe(false);
    expect(loadConfig({ TRUST_PROXY: '2' }).TRUST_PROXY).toBe(2);
    expect(loadConfig({ TRUST_PROXY: ' 10.0.0.0/8, loopback ,fd00::/16,192.168.1.1/255.255.255.0, 2001:db8::1' }).TRUST_PROXY).toBe(
      '10.0.0.0/8,loopback,fd00::/16,192.168.1.1/255.255.255.0,2001:db8::1',
    );
  });

  it('refuses TRUST_PROXY=true, saying what to set instead', () => {
    expect(() => loadConfig({ TRUST_PROXY: 'true' })).toThrow(ConfigError);
    try {
      loadConfig({ TRUST_PROXY: 'true' });
    } catch (error) {
      const problems = (error as ConfigError).problems.join('\n');
      expect(problems).toContain('TRUST_PROXY');
      expect(problems).toMatch(/number of proxies/);
      expect(problems).toMatch(/addresses/);
    }
  });

  it.each(['0.0.0.0/0', '::/0', '0.0.0.0/0.0.0.0', '10.0.0.0/7', '128.0.0.0/128.0.0.0', 'fd00::/15', '::/16', '::ffff:0:0/96', '::ffff:0.0.0.0/100', 'loopback,0.0.0.0/1'])(
    'refuses TRUST_PROXY=%s, a subnet as wide as true, saying why',
    (value) => {
      expect(() => loadConfig({ TRUST_PROXY: value })).toThrow(/TRUST_PROXY.*most of the Internet.*at least \/8 \(IPv4\) or \/16 \(IPv6\)/s);
    },
  );

  it.each(['11', '4294967295', '99999999999999999999'])('refuses TRUST_PROXY=%s hops, more than any chain of proxies', (value) => {
    expect(() => loadConfig({ TRUST_PROXY: value })).toThrow(/TRUST_PROXY.*hops.*at most 10/s);
  });

  it('takes the narrowest subnets and hop counts it allows', () => {
    expect(loadConfig({ TRUST_PROXY: '10' }).TRUST_PROXY).toBe(10);
    expect(loadConfig({ TRUST_PROXY: '0' }).TRUST_PROXY).toBe(0);
    expect(loadConfig({ TRUST_PROXY: '10.0.0.0/255.0.0.0,fd00::/16,::ffff:10.0.0.0/104' }).TRUST_PROXY).toBe('10.0.0.0/255.0.0.0,fd00::/16,::ffff:10.0.0.0/104');
  });

  it.each(['yes', '10.0.0.0/255.0.255.0', '10.0.0.0/33', '300.1.1.1', 'loopback,', '-1', '1.5', 'fd00::/129'])('refuses TRUST_PROXY=%s', (value) => {
    expect(() => loadConfig({ TRUST_PROXY: value })).toThrow(/TRUST_PROXY/);
  });

  it('refuses DB_POOL_SIZE=1: a user-administration act needs a second connection for its audit event', () => {
    expect(() => loadConfig({ DB_POOL_SIZE: '1' })).toThrow(/DB_POOL_SIZE/);
    expect(loadConfig({ DB_POOL_SIZE: '2' }).DB_POOL_SIZE).toBe(2);
  });
});
