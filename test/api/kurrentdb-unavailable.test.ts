/**
 * The service on KurrentDB while KurrentDB cannot be reached: requests that need the events are
 * answered 503 `unavailable` with Retry-After (as while PostgreSQL is down), never 500.
 */
import { describe, expect, it } from '@jest/globals';
import { as, registerAndLogin, useApi } from '../support/api.js';

describe('the API on an unreachable KurrentDB', () => {
  // Port 1 on the loopback: nothing listens there, so every connection is refused.
  const api = useApi({ EVENT_STORE: 'kurrentdb', KURRENTDB_URL: 'kurrentdb://127.0.0.1:1?tls=false' });

  it('answers a command, which appends events, 503 unavailable', async () => {
    // Registration and login live in PostgreSQL's control plane: they work on.
    const session = await registerAndLogin(api.app, 'gone');
    const response = await as(api.app, session).post('/api/locations').send({ code: 'WH', type: 'warehouse' });
    expect(response.status).toBe(503);
    expect(response.body).toMatchObject({ code: 'unavailable' });
    expect(response.headers['retry-after']).toBeDefined();
  });
});
