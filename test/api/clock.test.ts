import { beforeAll, describe, expect, it } from '@jest/globals';
import { fixedClock } from '../../src/api/clock.js';
import { as, registerAndLogin, useApi, type TenantSession } from '../support/api.js';

describe('the injected clock', () => {
  const fixed = '2026-01-02T03:04:05.000Z';
  const api = useApi({}, { clock: fixedClock(fixed) });
  let acme: TenantSession;
  const client = () => as(api.app, acme);

  beforeAll(async () => {
    acme = await registerAndLogin(api.app, 'clocked');
    await client().post('/api/locations').send({ code: 'WH', type: 'warehouse' }).expect(201);
    await client().post('/api/articles').send({ sku: 'BOLT', name: 'Bolt', unit: 'pcs', tracking: 'none' }).expect(201);
  });

  it("gives a movement without occurredAt the clock's time, not the machine's", async () => {
    await client().post('/api/stock/receipts').send({ lines: [{ sku: 'BOLT', quantity: 1, location: 'WH' }] }).expect(201);
    const events = await client().get('/api/audit/events?sku=BOLT').expect(200);
    const receipt = (events.body.items as Array<{ type: string; metadata: { occurredAt: string } }>).find((event) => event.type === 'StockReceived');
    expect(receipt?.metadata.occurredAt).toBe(fixed);
  });

  it("replays an article as of the clock's now when no time is given", async () => {
    const replay = await client().get('/api/audit/articles/BOLT/replay').expect(200);
    // The events were recorded by the machine's clock, after the fixed time: none is folded.
    expect(replay.body).toMatchObject({ at: fixed, eventsFolded: 0 });
  });
});
