import { describe, expect, it } from '@jest/globals';
import { articleDecider, type ArticleDetails, type ArticleEvent } from '../../../src/domain/article/article.js';
import { ArticleArchived, DuplicateSku, InvalidQuantity, UnknownArticle } from '../../../src/domain/errors.js';
import { spec } from './given-when-then.js';

const article = spec(articleDecider);

const bolt: ArticleDetails = { sku: 'BOLT-M8', name: 'Bolt M8x40', unit: 'pcs', tracking: 'none', reorderPoint: 100_000, shelfLifeDays: 365 };
const registered: ArticleEvent = { type: 'ArticleRegistered', data: bolt };
const archived: ArticleEvent = { type: 'ArticleArchived', data: { sku: 'BOLT-M8' } };

describe('RegisterArticle', () => {
  it('registers a new article with its master data', () => {
    article.given([]).when({ type: 'RegisterArticle', data: bolt }).then([registered]);
  });

  it('registers lot- and serial-tracked articles', () => {
    const milk: ArticleDetails = { sku: 'MILK-1L', name: 'Milk 1 l', unit: 'l', tracking: 'lot', shelfLifeDays: 10 };
    article.given([]).when({ type: 'RegisterArticle', data: milk }).then([{ type: 'ArticleRegistered', data: milk }]);
    const drill: ArticleDetails = { sku: 'DRILL-X1', name: 'Drill X1', unit: 'pcs', tracking: 'serial' };
    article.given([]).when({ type: 'RegisterArticle', data: drill }).then([{ type: 'ArticleRegistered', data: drill }]);
  });

  it('refuses a SKU that is already registered', () => {
    article.given([registered]).when({ type: 'RegisterArticle', data: { ...bolt, name: 'Other bolt' } }).thenThrows(DuplicateSku, { sku: 'BOLT-M8', field: 'sku' });
  });

  it('refuses a SKU that was registered and archived', () => {
    article.given([registered, archived]).when({ type: 'RegisterArticle', data: bolt }).thenThrows(DuplicateSku, { sku: 'BOLT-M8' });
  });

  it('accepts a reorder point and quantity of zero', () => {
    const data = { ...bolt, reorderPoint: 0, reorderQuantity: 0 };
    article.given([]).when({ type: 'RegisterArticle', data }).then([{ type: 'ArticleRegistered', data }]);
  });

  it('refuses a negative or fractional-thousandths reorder point', () => {
    article.given([]).when({ type: 'RegisterArticle', data: { ...bolt, reorderPoint: -1 } }).thenThrows(InvalidQuantity, { field: 'reorderPoint' });
    article.given([]).when({ type: 'RegisterArticle', data: { ...bolt, reorderPoint: 0.5 } }).thenThrows(InvalidQuantity, { field: 'reorderPoint' });
  });

  it('refuses a negative reorder quantity', () => {
    article.given([]).when({ type: 'RegisterArticle', data: { ...bolt, reorderQuantity: -1000 } }).thenThrows(InvalidQuantity, { field: 'reorderQuantity' });
  });

  it('refuses a shelf life of zero days or of a fraction of a day', () => {
    article.given([]).when({ type: 'RegisterArticle', data: { ...bolt, shelfLifeDays: 0 } }).thenThrows(InvalidQuantity, { field: 'shelfLifeDays' });
    article.given([]).when({ type: 'RegisterArticle', data: { ...bolt, shelfLifeDays: 1.5 } }).thenThrows(InvalidQuantity, { field: 'shelfLifeDays' });
  });
});

describe('UpdateArticle', () => {
  it('records only the fields that change', () => {
    article
      .given([registered])
      .when({ type: 'UpdateArticle', data: { sku: 'BOLT-M8', changes: { name: 'Bolt M8x45', reorderPoint: 100_000, shelfLifeDays: 180 } } })
      .then([{ type: 'ArticleUpdated', data: { sku: 'BOLT-M8', changes: { name: 'Bolt M8x45', shelfLifeDays: 180 } } }]);
  });

  it('compares with the master data as updated before', () => {
    const renamed: ArticleEvent = { type: 'ArticleUpdated', data: { sku: 'BOLT-M8', changes: { name: 'Bolt M8x45' } } };
    article.given([registered, renamed]).when({ type: 'UpdateArticle', data: { sku: 'BOLT-M8', changes: { name: 'Bolt M8x45' } } }).then([]);
    article
      .given([registered, renamed])
      .when({ type: 'UpdateArticle', data: { sku: 'BOLT-M8', changes: { name: 'Bolt M8x40' } } })
      .then([{ type: 'ArticleUpdated', data: { sku: 'BOLT-M8', changes: { name: 'Bolt M8x40' } } }]);
  });

  it('records nothing when nothing changes', () => {
    article.given([registered]).when({ type: 'UpdateArticle', data: { sku: 'BOLT-M8', changes: { name: 'Bolt M8x40', reorderPoint: 100_000 } } }).then([]);
    article.given([registered]).when({ type: 'UpdateArticle', data: { sku: 'BOLT-M8', changes: {} } }).then([]);
  });

  it('adds a barcode the article did not have', () => {
    article
      .given([registered])
      .when({ type: 'UpdateArticle', data: { sku: 'BOLT-M8', changes: { barcode: '4006381333931' } } })
      .then([{ type: 'ArticleUpdated', data: { sku: 'BOLT-M8', changes: { barcode: '4006381333931' } } }]);
  });

  it('refuses an unknown article', () => {
    article.given([]).when({ type: 'UpdateArticle', data: { sku: 'NUT-M8', changes: { name: 'Nut' } } }).thenThrows(UnknownArticle, { sku: 'NUT-M8' });
  });

  it('refuses an archived article', () => {
    article.given([registered, archived]).when({ type: 'UpdateArticle', data: { sku: 'BOLT-M8', changes: { name: 'Nut' } } }).thenThrows(ArticleArchived, { sku: 'BOLT-M8' });
  });

  it('refuses invalid reorder quantities and shelf lives', () => {
    const update = (changes: object) => article.given([registered]).when({ type: 'UpdateArticle', data: { sku: 'BOLT-M8', changes } });
    update({ reorderPoint: -1 }).thenThrows(InvalidQuantity, { field: 'reorderPoint' });
    update({ reorderQuantity: Number.MAX_SAFE_INTEGER + 2 }).thenThrows(InvalidQuantity, { field: 'reorderQuantity' });
    update({ shelfLifeDays: -3 }).thenThrows(InvalidQuantity, { field: 'shelfLifeDays' });
  });
});

describe('ArchiveArticle', () => {
  it('archives an active article', () => {
    article.given([registered]).when({ type: 'ArchiveArticle', data: { sku: 'BOLT-M8' } }).then([archived]);
  });

  it('is idempotent: archiving an archived article records nothing', () => {
    article.given([registered, archived]).when({ type: 'ArchiveArticle', data: { sku: 'BOLT-M8' } }).then([]);
  });

  it('refuses an unknown article', () => {
    article.given([]).when({ type: 'ArchiveArticle', data: { sku: 'BOLT-M8' } }).thenThrows(UnknownArticle, { sku: 'BOLT-M8' });
  });
});

describe('the article state', () => {
  it('keeps the master data through updates and archiving', () => {
    const state = [registered, { type: 'ArticleUpdated', data: { sku: 'BOLT-M8', changes: { name: 'Bolt' } } } as ArticleEvent, archived].reduce(
      articleDecider.evolve,
      articleDecider.initialState(),
    );
    expect(state).toEqual({ status: 'archived', details: { ...bolt, name: 'Bolt' } });
  });
});
