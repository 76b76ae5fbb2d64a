import { pgp } from '../../database/connection.js';
import { locationEvents, recordEvents, stockEvents, userEvents } from './ignored-events.js';
import { memoryTable, writeInOrder, type ProjectionEvent, type ReadModel } from './read-model.js';

type ArticleEvent = ProjectionEvent<'ArticleRegistered' | 'ArticleUpdated' | 'ArticleArchived'>;

/** A batch's changes to the catalog: its article events in order (they are few). */
export type CatalogChanges = ArticleEvent[];

const record = (changes: CatalogChanges, event: ArticleEvent): void => {
  changes.push(event);
};

/** The SQL of one article event, formatted (`s` is the escaped schema name). */
function statement(s: string, event: ArticleEvent): string {
  switch (event.type) {
    case 'ArticleRegistered': {
      const a = event.data;
      return pgp.as.format(
        `insert into ${s}.articles (sku, name, unit, tracking, barcode, reorder_point, reorder_quantity, shelf_life_days)
         values ($1, $2, $3, $4, $5, $6, $7, $8) on conflict (sku) do nothing`,
        [a.sku, a.name, a.unit, a.tracking, a.barcode ?? null, a.reorderPoint ?? null, a.reorderQuantity ?? null, a.shelfLifeDays ?? null],
      );
    }
    case 'ArticleUpdated': {
      const c = event.data.changes;
      return pgp.as.format(
        `update ${s}.articles set name = coalesce($2, name), barcode = coalesce($3, barcode), reorder_point = coalesce($4, reorder_point),
           reorder_quantity = coalesce($5, reorder_quantity), shelf_life_days = coalesce($6, shelf_life_days) where sku = $1`,
        [event.data.sku, c.name ?? null, c.barcode ?? null, c.reorderPoint ?? null, c.reorderQuantity ?? null, c.shelfLifeDays ?? null],
      );
    }
    case 'ArticleArchived':
      return pgp.as.format(`update ${s}.articles set archived = true where sku = $1`, [event.data.sku]);
    default: {
      const never: never = event;
      return never;
    }
  }
}

/** Takes the fields an update gives, keeps the others (the SQL's coalesce). */
function updated(row: Record<string, unknown>, changes: Record<string, unknown>): Record<string, unknown> {
  const next = { ...row };
  for (const [column, value] of Object.entries(changes)) if (value !== undefined && value !== null) next[column] = value;
  return next;
}

/** The catalog of articles: registered once, updated field by field, archived. */
export const catalog: ReadModel<CatalogChanges> = {
  name: 'catalog',
  tables: ['articles'],
  changes: () => [],
  evolve: {
    ArticleRegistered: record,
    ArticleUpdated: record,
    ArticleArchived: record,
    ...locationEvents,
    ...stockEvents,
    ...recordEvents,
    ...userEvents,
  },
  write: writeInOrder(statement),
  applyInMemory(tables, changes) {
    const articles = memoryTable(tables, 'articles');
    for (const event of changes) {
      const { sku } = event.data;
      const row = articles.get(sku);
      if (event.type === 'ArticleRegistered') {
        const a = event.data;
        if (row) continue;
        articles.set(sku, {
          sku,
          name: a.name,
          unit: a.unit,
          tracking: a.tracking,
          barcode: a.barcode ?? null,
          reorder_point: a.reorderPoint ?? null,
          reorder_quantity: a.reorderQuantity ?? null,
          shelf_life_days: a.shelfLifeDays ?? null,
          archived: false,
        });
      } else if (!row) continue;
      else if (event.type === 'ArticleUpdated') {
        const c = event.data.changes;
        articles.set(sku, updated(row, { name: c.name, barcode: c.barcode, reorder_point: c.reorderPoint, reorder_quantity: c.reorderQuantity, shelf_life_days: c.shelfLifeDays }));
      } else articles.set(sku, { ...row, archived: true });
    }
  },
};
