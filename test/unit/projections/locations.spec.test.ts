import { describe, it } from '@jest/globals';
import { locations } from '../../../src/projections/read-models/locations.js';
import { eventsInOrder, projectionSpec } from './projection-spec.js';

describe('locations read model', () => {
  const spec = projectionSpec(locations);

  it('lists created locations as a tree by parent; a second creation of a code changes nothing', () => {
    const event = eventsInOrder();
    spec
      .given(
        event('LocationCreated', { code: 'WH', name: 'Main warehouse', type: 'warehouse' }),
        event('LocationCreated', { code: 'A-01', parent: 'WH', type: 'storage' }),
        event('LocationCreated', { code: 'A-01', name: 'Again', type: 'shipping' }),
      )
      .then({
        locations: [
          { code: 'WH', name: 'Main warehouse', parent: null, type: 'warehouse', blocked: false },
          { code: 'A-01', name: null, parent: 'WH', type: 'storage', blocked: false },
        ],
      });
  });

  it('blocks and unblocks', () => {
    const event = eventsInOrder();
    spec
      .given(
        event('LocationCreated', { code: 'A-01', type: 'storage' }),
        event('LocationCreated', { code: 'Q-01', type: 'quarantine' }),
        event('LocationBlocked', { code: 'A-01', reason: 'inventory' }),
        event('LocationBlocked', { code: 'Q-01' }),
        event('LocationUnblocked', { code: 'Q-01' }),
      )
      .then({
        locations: [
          { code: 'A-01', name: null, parent: null, type: 'storage', blocked: true },
          { code: 'Q-01', name: null, parent: null, type: 'quarantine', blocked: false },
        ],
      });
  });

  it('ignores blocking a location it does not list, articles, stock and user administration', () => {
    const event = eventsInOrder();
    spec
      .given(
        event('LocationBlocked', { code: 'X-99' }),
        event('ArticleRegistered', { sku: 'BOLT', name: 'Bolt', unit: 'pcs', tracking: 'none' }),
        event('StockReceived', { movementId: 'm-1', line: 0, sku: 'BOLT', to: 'X-99', quantity: 1000 }),
        event('UserPasswordChanged', { username: 'bob', userId: 'u-2', sessionsEnded: 1 }),
      )
      .then({});
  });
});
