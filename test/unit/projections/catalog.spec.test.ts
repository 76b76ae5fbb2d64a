import { describe, it } from '@jest/globals';
import { catalog } from '../../../src/projections/read-models/catalog.js';
import { eventsInOrder, projectionSpec } from './projection-spec.js';

const bolt = { sku: 'BOLT', name: 'Bolt M8', unit: 'pcs', tracking: 'none' } as const;
const row = { sku: 'BOLT', name: 'Bolt M8', unit: 'pcs', tracking: 'none', barcode: null, reorder_point: null, reorder_quantity: null, shelf_life_days: null, archived: false };

describe('catalog read model (articles)', () => {
  const spec = projectionSpec(catalog);

  it('lists a registered article with every column; a second registration of its sku changes nothing', () => {
    const event = eventsInOrder();
    spec
      .given(
        event('ArticleRegistered', { sku: 'MILK', name: 'Milk', unit: 'l', tracking: 'lot', barcode: '4001', reorderPoint: 5000, reorderQuantity: 20000, shelfLifeDays: 10 }),
        event('ArticleRegistered', bolt),
        event('ArticleRegistered', { ...bolt, name: 'Another bolt' }),
      )
      .then({
        articles: [
          row,
          { sku: 'MILK', name: 'Milk', unit: 'l', tracking: 'lot', barcode: '4001', reorder_point: 5000, reorder_quantity: 20000, shelf_life_days: 10, archived: false },
        ],
      });
  });

  it('updates only the fields an update gives, and archives', () => {
    const event = eventsInOrder();
    spec
      .given(
        event('ArticleRegistered', { ...bolt, barcode: '111', reorderPoint: 1000 }),
        event('ArticleUpdated', { sku: 'BOLT', changes: { name: 'Hex bolt M8', reorderQuantity: 5000 } }),
        event('ArticleArchived', { sku: 'BOLT' }),
      )
      .then({ articles: [{ ...row, name: 'Hex bolt M8', barcode: '111', reorder_point: 1000, reorder_quantity: 5000, archived: true }] });
  });

  it('ignores updates of an article it does not list, stock, locations and user administration', () => {
    const event = eventsInOrder();
    spec
      .given(
        event('ArticleUpdated', { sku: 'NUT', changes: { name: 'Nut' } }),
        event('ArticleArchived', { sku: 'NUT' }),
        event('LocationCreated', { code: 'A-01', type: 'storage' }),
        event('StockReceived', { movementId: 'm-1', line: 0, sku: 'NUT', to: 'A-01', quantity: 1000 }),
        event('UserEnabled', { username: 'bob', userId: 'u-2', sessionsEnded: 0 }),
      )
      .then({});
  });
});
