import { beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { createLogger } from '../../src/logger.js';
import { CredentialCache } from '../../src/tenancy/credential-cache.js';
import { Credentials, SessionRefused } from '../../src/tenancy/credentials.js';
import { LastAdmin, UserAdministration, type Actor } from '../../src/tenancy/user-administration.js';
import { adminPassword, as, registerAndLogin, useApi, type TenantSession } from '../support/api.js';

const password = 'staff password 1';
const wrongCredentials = { status: 401, code: 'unauthenticated', title: 'Wrong username or password', detail: 'The username or the password is wrong.' };

describe('user administration', () => {
  const api = useApi();
  let acme: TenantSession;

  const login = async (tenant: string, username: string, secret = password): Promise<request.Response> =>
    await request(api.app).post('/api/auth/login').set('X-Tenant', tenant).send({ username, password: secret });
  const session = async (tenant: string, username: string, secret = password): Promise<TenantSession> => {
    const answer = await login(tenant, username, secret);
    expect(answer.status).toBe(200);
    return { tenant, token: answer.body.token as string };
  };
  const createUser = async (admin: TenantSession, username: string, role: string): Promise<void> => {
    await as(api.app, admin).post('/api/users').send({ username, email: `${username}@example.com`, password, role }).expect(201);
  };
  const userEvents = async (admin: TenantSession, username: string): Promise<Array<{ type: string; data: Record<string, unknown>; metadata: Record<string, unknown> }>> => {
    const answer = await as(api.app, admin).get(`/api/audit/events?stream=user-${username}`).expect(200);
    return answer.body.items;
  };

  beforeAll(async () => {
    acme = await registerAndLogin(api.app, 'acme');
  });

  it('lists each user with role, status and last login', async () => {
    await createUser(acme, 'lister', 'viewer');
    const before = await as(api.app, acme).get('/api/users').expect(200);
    expect(before.body.items).toEqual([
      expect.objectContaining({ username: 'admin', role: 'admin', status: 'active', lastLoginAt: expect.any(String) }),
      expect.objectContaining({ username: 'lister', role: 'viewer', status: 'active', lastLoginAt: null }),
    ]);
    await session('acme', 'lister');
    const after = await as(api.app, acme).get('/api/users').expect(200);
    expect(after.body.items[1]).toMatchObject({ username: 'lister', lastLoginAt: expect.any(String) });
  });

  it('changes a role: the old sessions end, a new login has the new role, and it is an audited event', async () => {
    await createUser(acme, 'bob', 'operator');
    const bob = await session('acme', 'bob');
    await as(api.app, bob).get('/api/me').expect(200);
    const changed = await as(api.app, acme).patch('/api/users/BOB').send({ role: 'viewer' }).expect(200);
    expect(changed.body).toMatchObject({ username: 'bob', role: 'viewer', status: 'active' });
    await as(api.app, bob).get('/api/me').expect(401);
    const again = await session('acme', 'bob');
    const me = await as(api.app, again).get('/api/me').expect(200);
    expect(me.body.user).toEqual({ username: 'bob', role: 'viewer' });
    const events = await userEvents(acme, 'bob');
    expect(events).toEqual([
      expect.objectContaining({
        stream: 'acme:user-bob',
        type: 'UserRoleChanged',
        data: { username: 'bob', userId: changed.body.id, sessionsEnded: 1, from: 'operator', to: 'viewer' },
        metadata: expect.objectContaining({ user: 'admin', source: 'api', occurredAt: expect.any(String) }),
      }),
    ]);
    // The same role again changes nothing and records nothing.
    await as(api.app, acme).patch('/api/users/bob').send({ role: 'viewer' }).expect(200);
    expect(await userEvents(acme, 'bob')).toHaveLength(1);
  });

  it('disables a user: their session gets 401 on its next request, in another process too, and login answers as to a wrong password', async () => {
    await createUser(acme, 'dora', 'operator');
    const dora = await session('acme', 'dora');
    const byCookie = await login('acme', 'dora');
    // "Another process" that has dora's session cached.
    const cache = new CredentialCache(api.database.db, createLogger('silent'));
    await cache.start();
    try {
      const elsewhere = new Credentials(api.database.db, cache);
      expect(await elsewhere.authenticate('acme', dora.token)).toMatchObject({ user: 'dora' });
      const disabled = await as(api.app, acme).post('/api/users/dora/disable').expect(200);
      expect(disabled.body).toMatchObject({ username: 'dora', status: 'disabled' });
      await as(api.app, dora).get('/api/me').expect(401);
      await request(api.app).get('/api/me').set('X-Tenant', 'acme').set('Cookie', `sc_session=${byCookie.body.token as string}`).expect(401);
      const deadline = Date.now() + 2000;
      let principal = await elsewhere.authenticate('acme', dora.token);
      while (principal && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 10));
        principal = await elsewhere.authenticate('acme', dora.token);
      }
      expect(principal).toBeUndefined();
    } finally {
      await cache.stop();
    }
    const right = await login('acme', 'dora');
    const wrong = await login('acme', 'dora', 'not the password');
    expect(right.status).toBe(401);
    expect(right.body).toEqual(wrong.body);
    expect(right.body).toMatchObject(wrongCredentials);
    await as(api.app, acme).post('/api/users/dora/enable').expect(200);
    await session('acme', 'dora');
    expect((await userEvents(acme, 'dora')).map((event) => [event.type, event.data.sessionsEnded])).toEqual([
      ['UserDisabled', 2],
      ['UserEnabled', 0],
    ]);
  });

  it('never opens a session for a user who is disabled, even one whose password was checked before', async () => {
    await createUser(acme, 'racer', 'viewer');
    const user = await api.database.db.one<{ id: string }>(`select id from users where tenant = 'acme' and username = 'racer'`);
    await as(api.app, acme).post('/api/users/racer/disable').expect(200);
    await expect(new Credentials(api.database.db).openSession('acme', { id: user.id, username: 'racer' })).rejects.toBeInstanceOf(SessionRefused);
  });

  it('never opens a session with a password checked just before a reset committed', async () => {
    await createUser(acme, 'slow', 'viewer');
    const checked = await api.application.users.checkLogin('acme', 'slow', password);
    expect(checked).toBeDefined();
    await as(api.app, acme).post('/api/users/slow/password').send({ password: 'reset meanwhile' }).expect(204);
    const credentials = new Credentials(api.database.db);
    await expect(credentials.openSession('acme', checked as NonNullable<typeof checked>)).rejects.toBeInstanceOf(SessionRefused);
    const fresh = await api.application.users.checkLogin('acme', 'slow', 'reset meanwhile');
    await expect(credentials.openSession('acme', fresh as NonNullable<typeof fresh>)).resolves.toMatchObject({ secret: expect.any(String) });
  });

  it('deletes a user: sessions end, login fails, the name can be used again', async () => {
    await createUser(acme, 'carol', 'manager');
    const carol = await session('acme', 'carol');
    const token = await as(api.app, carol).get('/api/me').expect(200);
    expect(token.body.user.username).toBe('carol');
    await as(api.app, acme).delete('/api/users/carol').expect(204);
    await as(api.app, carol).get('/api/me').expect(401);
    expect((await login('acme', 'carol')).body).toMatchObject(wrongCredentials);
    const users = await as(api.app, acme).get('/api/users').expect(200);
    expect((users.body.items as Array<{ username: string }>).map((user) => user.username)).not.toContain('carol');
    await as(api.app, acme).delete('/api/users/carol').expect(404);
    await createUser(acme, 'carol', 'viewer');
    const events = await userEvents(acme, 'carol');
    expect(events.map((event) => [event.type, event.data.role, event.data.sessionsEnded])).toEqual([['UserDeleted', 'manager', 1]]);
  });

  it('resets a password (admin): the old one stops working, the user sessions end, the admin keeps theirs', async () => {
    await createUser(acme, 'erin', 'operator');
    const erin = await session('acme', 'erin');
    await as(api.app, acme).post('/api/users/erin/password').send({ password: 'a brand new one' }).expect(204);
    await as(api.app, erin).get('/api/me').expect(401);
    expect((await login('acme', 'erin')).status).toBe(401);
    await session('acme', 'erin', 'a brand new one');
    await as(api.app, acme).get('/api/me').expect(200);
    // An admin resetting their own password keeps the session that asked, and only that one.
    const adminElsewhere = await session('acme', 'admin', adminPassword);
    await as(api.app, acme).post('/api/users/admin/password').send({ password: adminPassword }).expect(204);
    await as(api.app, acme).get('/api/me').expect(200);
    await as(api.app, adminElsewhere).get('/api/me').expect(401);
    expect((await userEvents(acme, 'erin')).map((event) => event.type)).toEqual(['UserPasswordReset']);
  });

  it('lets any user change their own password with the current one; their other sessions end', async () => {
    await createUser(acme, 'vic', 'viewer');
    const here = await session('acme', 'vic');
    const there = await session('acme', 'vic');
    const wrong = await as(api.app, here).post('/api/me/password').send({ currentPassword: 'not it at all', newPassword: 'vics new password' }).expect(422);
    expect(wrong.body).toMatchObject({ code: 'wrong-password', errors: [{ path: 'currentPassword', message: 'is wrong' }] });
    await as(api.app, here).post('/api/me/password').send({ currentPassword: password, newPassword: 'short' }).expect(422);
    await as(api.app, here).post('/api/me/password').send({ currentPassword: password, newPassword: 'vics new password' }).expect(204);
    await as(api.app, here).get('/api/me').expect(200);
    await as(api.app, there).get('/api/me').expect(401);
    expect((await login('acme', 'vic')).status).toBe(401);
    await session('acme', 'vic', 'vics new password');
    expect((await userEvents(acme, 'vic')).map((event) => [event.type, event.data.sessionsEnded, event.metadata.user])).toEqual([['UserPasswordChanged', 1, 'vic']]);
  });

  it("ends a user's sessions (admin) and one's own everywhere (any user); API tokens are not users", async () => {
    await createUser(acme, 'fay', 'auditor');
    const one = await session('acme', 'fay');
    const two = await session('acme', 'fay');
    const ended = await as(api.app, acme).delete('/api/users/fay/sessions').expect(200);
    expect(ended.body).toEqual({ sessionsEnded: 2 });
    await as(api.app, one).get('/api/me').expect(401);
    await as(api.app, two).get('/api/me').expect(401);
    const three = await session('acme', 'fay');
    const four = await session('acme', 'fay');
    expect((await as(api.app, three).delete('/api/me/sessions').expect(200)).body).toEqual({ sessionsEnded: 2 });
    await as(api.app, three).get('/api/me').expect(401);
    await as(api.app, four).get('/api/me').expect(401);
    expect((await userEvents(acme, 'fay')).map((event) => [event.type, event.data.sessionsEnded, event.metadata.user])).toEqual([
      ['UserSessionsEnded', 2, 'admin'],
      ['UserSessionsEnded', 2, 'fay'],
    ]);
    const issued = await as(api.app, acme).post('/api/tokens').send({ name: 'robot', role: 'admin' }).expect(201);
    const robot = { tenant: 'acme', token: issued.body.token as string };
    expect((await as(api.app, robot).delete('/api/me/sessions').expect(403)).body.code).toBe('not-a-user');
    expect((await as(api.app, robot).post('/api/me/password').send({ currentPassword: 'x', newPassword: 'long enough pw' }).expect(403)).body.code).toBe('not-a-user');
    // Ending a user's sessions leaves the API tokens alone.
    await as(api.app, acme).delete('/api/users/admin/sessions').expect(200);
    await as(api.app, robot).get('/api/me').expect(200);
    await as(api.app, acme).get('/api/me').expect(401);
    acme = await session('acme', 'admin', adminPassword);
  });

  it('allows only admins to administer users; every role may change its own password', async () => {
    const admin = await registerAndLogin(api.app, 'roles');
    await createUser(admin, 'target', 'viewer');
    for (const role of ['manager', 'operator', 'viewer', 'auditor']) {
      await createUser(admin, `a-${role}`, role);
      const someone = await session('roles', `a-${role}`);
      const calls = [
        as(api.app, someone).patch('/api/users/target').send({ role: 'admin' }),
        as(api.app, someone).post('/api/users/target/disable'),
        as(api.app, someone).post('/api/users/target/enable'),
        as(api.app, someone).delete('/api/users/target'),
        as(api.app, someone).post('/api/users/target/password').send({ password: 'taken over now' }),
        as(api.app, someone).delete('/api/users/target/sessions'),
      ];
      for (const call of calls) expect([role, (await call).status]).toEqual([role, 403]);
      await as(api.app, someone).post('/api/me/password').send({ currentPassword: password, newPassword: `${role} new password` }).expect(204);
    }
    const target = await as(api.app, admin).get('/api/users').expect(200);
    expect(target.body.items).toContainEqual(expect.objectContaining({ username: 'target', role: 'viewer', status: 'active' }));
  });

  it('never removes, disables or demotes the last active admin, also against two concurrent demotions', async () => {
    const admin = await registerAndLogin(api.app, 'solo');
    for (const refused of [
      as(api.app, admin).patch('/api/users/admin').send({ role: 'manager' }),
      as(api.app, admin).post('/api/users/admin/disable'),
      as(api.app, admin).delete('/api/users/admin'),
    ]) {
      const answer = await refused;
      expect([answer.status, answer.body.code]).toEqual([409, 'last-admin']);
    }
    // A disabled admin does not count.
    await createUser(admin, 'second', 'admin');
    await as(api.app, admin).post('/api/users/second/disable').expect(200);
    expect((await as(api.app, admin).patch('/api/users/admin').send({ role: 'viewer' })).status).toBe(409);
    await as(api.app, admin).post('/api/users/second/enable').expect(200);
    await as(api.app, admin).patch('/api/users/admin').send({ role: 'viewer' }).expect(200);
    for (let round = 0; round < 5; round += 1) {
      // Two admins, both demoted at once (one of them by itself): exactly one demotion may go through.
      const tenant = `duo${round}`;
      const first = await registerAndLogin(api.app, tenant);
      await createUser(first, 'other', 'admin');
      const answers = await Promise.all(['admin', 'other'].map((name) => as(api.app, first).patch(`/api/users/${name}`).send({ role: 'operator' })));
      expect(answers.map((answer) => [answer.status, answer.body.code]).sort()).toEqual([
        [200, undefined],
        [409, 'last-admin'],
      ]);
      const admins = await api.database.db.one<{ count: number }>(`select count(*)::int as count from users where tenant = $1 and role = 'admin' and disabled_at is null`, [tenant]);
      expect(admins.count).toBe(1);
    }
  });

  it('holds the last-admin rule across processes: two demotions at once from two processes, one goes through', async () => {
    for (let round = 0; round < 5; round += 1) {
      const tenant = `apart${round}`;
      const first = await registerAndLogin(api.app, tenant);
      await createUser(first, 'other', 'admin');
      // Two "processes": each its own administration (and so its own in-process queue) over the database.
      const processes = [0, 1].map(() => new UserAdministration(api.database.db, api.application.eventStore, new Credentials(api.database.db)));
      const actor: Actor = { metadata: { tenant, user: 'admin', source: 'api', correlationId: `race-${round}`, occurredAt: new Date().toISOString() }, kind: 'token', credentialId: 'none' };
      const outcomes = await Promise.allSettled(['admin', 'other'].map((name, index) => (processes[index] as UserAdministration).changeRole(actor, name, 'viewer')));
      expect(outcomes.map((outcome) => outcome.status).sort()).toEqual(['fulfilled', 'rejected']);
      expect(outcomes.find((outcome) => outcome.status === 'rejected')).toMatchObject({ reason: expect.any(LastAdmin) });
      const admins = await api.database.db.one<{ count: number }>(`select count(*)::int as count from users where tenant = $1 and role = 'admin'`, [tenant]);
      expect(admins.count).toBe(1);
    }
  });

  it('keeps passwords and hashes out of every event, and the read models go on past user events', async () => {
    const events = await as(api.app, acme).get('/api/audit/events?limit=500').expect(200);
    const text = JSON.stringify(events.body);
    for (const secret of [password, adminPassword, 'a brand new one', 'vics new password', '$argon2']) expect(text).not.toContain(secret);
    expect(text).toContain('UserPasswordReset');
    const admin = as(api.app, acme);
    await admin.post('/api/locations').send({ code: 'WH', type: 'warehouse' }).expect(201);
    await admin.post('/api/articles').send({ sku: 'AFTER', name: 'After user events', unit: 'pcs', tracking: 'none' }).expect(201);
    const receipt = await admin.post('/api/stock/receipts').send({ lines: [{ sku: 'AFTER', quantity: 2, location: 'WH' }] }).expect(201);
    const stock = await admin.get('/api/stock?sku=AFTER').set('X-Min-Position', receipt.headers['x-position'] as string).expect(200);
    expect(stock.body.items).toEqual([expect.objectContaining({ onHand: 2 })]);
  });

  it('documents the routes in the OpenAPI document', async () => {
    const document = await request(api.app).get('/api/openapi.json').expect(200);
    const paths = document.body.paths as Record<string, Record<string, unknown>>;
    expect(Object.keys(paths['/api/users/{username}'] ?? {}).sort()).toEqual(['delete', 'patch']);
    for (const path of ['/api/users/{username}/disable', '/api/users/{username}/enable', '/api/users/{username}/password', '/api/me/password']) expect(paths[path]).toHaveProperty('post');
    for (const path of ['/api/users/{username}/sessions', '/api/me/sessions']) expect(paths[path]).toHaveProperty('delete');
  });
});
