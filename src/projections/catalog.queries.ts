import { pgp, type Database } from '../database/connection.js';
import { decodeCursor, pageOf, type Page, type PageRequest } from './cursor.js';
import { findLocation, type Location } from './locations.queries.js';

/** An article's master data, as GET /api/articles lists it (quantities in thousandths). */
export interface Article {
  readonly sku: string;
  readonly name: string;
  readonly unit: string;
  readonly tracking: string;
  readonly barcode: string | null;
  readonly reorderPoint: number | null;
  readonly reorderQuantity: number | null;
  readonly shelfLifeDays: number | null;
  readonly archived: boolean;
}

/** An article with its stock over real locations: available = onHand − reserved. */
export interface ArticleWithTotals extends Article {
  readonly onHand: number;
  readonly reserved: number;
  readonly available: number;
}

/** Filters and paging of an article listing. */
export interface ArticleQuery extends PageRequest {
  /** A substring of the SKU, name or barcode, matched without regard to case. */
  readonly search?: string;
}

/** What a scanned code names: an article (by its barcode) or else a location (by its code). */
export type BarcodeMatch = { readonly kind: 'article'; readonly article: Article } | { readonly kind: 'location'; readonly location: Location };

interface ArticleRow {
  sku: string;
  name: string;
  unit: string;
  tracking: string;
  barcode: string | null;
  reorder_point: string | null;
  reorder_quantity: string | null;
  shelf_life_days: number | null;
  archived: boolean;
}

const articleColumns = 'a.sku, a.name, a.unit, a.tracking, a.barcode, a.reorder_point::text, a.reorder_quantity::text, a.shelf_life_days, a.archived';

const numberOrNull = (value: string | null): number | null => (value === null ? null : Number(value));

function articleOf(row: ArticleRow): Article {
  return {
    sku: row.sku,
    name: row.name,
    unit: row.unit,
    tracking: row.tracking,
    barcode: row.barcode,
    reorderPoint: numberOrNull(row.reorder_point),
    reorderQuantity: numberOrNull(row.reorder_quantity),
    shelfLifeDays: row.shelf_life_days,
    archived: row.archived,
  };
}

/** A LIKE pattern that finds `term` anywhere, its own `%`, `_` and `\` taken literally. */
function containsPattern(term: string): string {
  return `%${term.replace(/[\\%_]/g, (character) => `\\${character}`)}%`;
}

const list = 'articles';

/**
 * Articles ordered by SKU, a page at a time (keyset on the primary key), archived ones included.
 * With `search`, only those whose SKU, name or barcode contains it (case-insensitive).
 */
export async function listArticles(db: Database, schema: string, query: ArticleQuery): Promise<Page<Article>> {
  const after = query.cursor === undefined ? null : decodeCursor(list, query.cursor, ['text'])[0];
  const pattern = query.search === undefined || query.search === '' ? null : containsPattern(query.search);
  const s = pgp.as.name(schema);
  // The search cannot use a b-tree index; it filters while the primary key is walked in order,
  // which stops as soon as a page is full.
  const rows = await db.any<ArticleRow>(
    `select ${articleColumns} from ${s}.articles a
      where ($1::text is null or a.sku > $1)
        and ($2::text is null or a.sku ilike $2 or a.name ilike $2 or a.barcode ilike $2)
      order by a.sku limit $3`,
    [after, pattern, query.limit + 1],
  );
  return pageOf(list, rows, query.limit, articleOf, (row) => [row.sku]);
}

/**
 * An article with its totals over real locations, or undefined. `reserved` counts every open
 * reservation of the article, those for a location and those for "anywhere" ('').
 */
export async function getArticle(db: Database, schema: string, sku: string): Promise<ArticleWithTotals | undefined> {
  const s = pgp.as.name(schema);
  const row = await db.oneOrNone<ArticleRow & { on_hand: string; reserved: string }>(
    `select ${articleColumns},
            coalesce((select sum(b.on_hand) from ${s}.balances b where b.sku = a.sku and b.location not like '@%'), 0)::text as on_hand,
            coalesce((select sum(r.quantity) from ${s}.reservations r where r.sku = a.sku), 0)::text as reserved
       from ${s}.articles a
      where a.sku = $1`,
    [sku],
  );
  if (row === null) return undefined;
  const onHand = Number(row.on_hand);
  const reserved = Number(row.reserved);
  return { ...articleOf(row), onHand, reserved, available: onHand - reserved };
}

/**
 * What a scanner read: the article carrying barcode `code`, else the location whose code it is,
 * else undefined. Should two articles carry the same barcode, an active one comes before an
 * archived one, then the lowest SKU.
 */
export async function findByBarcode(db: Database, schema: string, code: string): Promise<BarcodeMatch | undefined> {
  const s = pgp.as.name(schema);
  const row = await db.oneOrNone<ArticleRow>(`select ${articleColumns} from ${s}.articles a where a.barcode = $1 order by a.archived, a.sku limit 1`, [code]);
  if (row !== null) return { kind: 'article', article: articleOf(row) };
  const location = await findLocation(db, schema, code);
  return location === undefined ? undefined : { kind: 'location', location };
}
