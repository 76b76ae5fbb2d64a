import { describe, expect, it } from '@jest/globals';
import { createLogger } from '../../src/logger.js';
import { CredentialCache } from '../../src/tenancy/credential-cache.js';
import { Credentials } from '../../src/tenancy/credentials.js';
import { as, registerAndLogin, useApi } from '../support/api.js';

describe('revoking a cached credential', () => {
  const api = useApi();

  it('holds at once in another process that had it cached (NOTIFY evicts it there)', async () => {
    const admin = await registerAndLogin(api.app, 'revoke');
    const issued = await as(api.app, admin).post('/api/tokens').send({ name: 'scanner', role: 'operator' }).expect(201);
    // "Another process": its own cache and listener over the same database.
    const cache = new CredentialCache(api.database.db, createLogger('silent'));
    await cache.start();
    try {
      const elsewhere = new Credentials(api.database.db, cache);
      expect(await elsewhere.authenticate('revoke', issued.body.token as string)).toMatchObject({ role: 'operator' });
      // Cached now: the row is gone from the cache's point of view only after the announcement.
      await api.database.db.none(`update credentials set role = 'viewer' where id = $1`, [issued.body.id]);
      expect(await elsewhere.authenticate('revoke', issued.body.token as string)).toMatchObject({ role: 'operator' });
      await as(api.app, admin).delete(`/api/tokens/${issued.body.id as string}`).expect(204);
      const deadline = Date.now() + 2000;
      let principal = await elsewhere.authenticate('revoke', issued.body.token as string);
      while (principal && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 10));
        principal = await elsewhere.authenticate('revoke', issued.body.token as string);
      }
      expect(principal).toBeUndefined();
    } finally {
      await cache.stop();
    }
  });

  it('serves nothing from a cache whose listener is down', async () => {
    const cache = new CredentialCache(api.database.db, createLogger('silent'));
    const principal = { tenant: 't', user: 'u', role: 'admin' as const, kind: 'token' as const, credentialId: 'c' };
    cache.set('k', principal, Number.POSITIVE_INFINITY, cache.ticket());
    expect(cache.get('k')).toBeUndefined();
    await cache.start();
    cache.set('k', principal, Number.POSITIVE_INFINITY, cache.ticket());
    expect(cache.get('k')).toEqual(principal);
    cache.set('expired', principal, Date.now() - 1, cache.ticket());
    expect(cache.get('expired')).toBeUndefined();
    await cache.stop();
    expect(cache.get('k')).toBeUndefined();
  });

  it('does not cache a lookup that began before a revocation and ended after it', async () => {
    const cache = new CredentialCache(api.database.db, createLogger('silent'));
    await cache.start();
    try {
      const principal = { tenant: 't', user: 'u', role: 'admin' as const, kind: 'token' as const, credentialId: 'c' };
      const ticket = cache.ticket(); // the lookup reads the row: still live
      cache.evict('c'); // the revocation commits and is announced meanwhile
      cache.set('k', principal, Number.POSITIVE_INFINITY, ticket); // the lookup ends
      expect(cache.get('k')).toBeUndefined();
    } finally {
      await cache.stop();
    }
  });
});
