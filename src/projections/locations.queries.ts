import { pgp, type Database } from '../database/connection.js';
import { decodeCursor, pageOf, type Page, type PageRequest } from './cursor.js';
import { reservedStockLines } from './reserved-stock.js';

/** A location of the warehouse tree, as GET /api/locations lists it (flat, with its parent). */
export interface Location {
  readonly code: string;
  readonly name: string | null;
  readonly parent: string | null;
  readonly type: string;
  readonly blocked: boolean;
}

/** One line of stock in a location (quantities in thousandths). */
export interface LocationStockLine {
  readonly sku: string;
  readonly lot: string | null;
  readonly expiresOn: string | null;
  readonly onHand: number;
  readonly reserved: number;
  readonly available: number;
}

/** A location with the stock in it, as GET /api/locations/:code answers. */
export interface LocationWithStock extends Location {
  readonly stock: readonly LocationStockLine[];
}

interface LocationRow {
  code: string;
  name: string | null;
  parent: string | null;
  type: string;
  blocked: boolean;
}

const locationColumns = 'l.code, l.name, l.parent, l.type, l.blocked';

function locationOf(row: LocationRow): Location {
  return { code: row.code, name: row.name, parent: row.parent, type: row.type, blocked: row.blocked };
}

const list = 'locations';

/** Locations ordered by code, a page at a time (keyset on the primary key). */
export async function listLocations(db: Database, schema: string, request: PageRequest): Promise<Page<Location>> {
  const after = request.cursor === undefined ? null : decodeCursor(list, request.cursor, ['text'])[0];
  const s = pgp.as.name(schema);
  const rows = await db.any<LocationRow>(
    `select ${locationColumns} from ${s}.locations l
      where ($1::text is null or l.code > $1)
      order by l.code limit $2`,
    [after, request.limit + 1],
  );
  return pageOf(list, rows, request.limit, locationOf, (row) => [row.code]);
}

/** The location of this code, without its stock, or undefined (virtual locations are not listed). */
export async function findLocation(db: Database, schema: string, code: string): Promise<Location | undefined> {
  const s = pgp.as.name(schema);
  const row = await db.oneOrNone<LocationRow>(`select ${locationColumns} from ${s}.locations l where l.code = $1`, [code]);
  return row === null ? undefined : locationOf(row);
}

/**
 * A location with the stock lines in it (those not at zero), first expiring first, or undefined
 * when there is no such location. The lines are GET /api/stock's for this location, so both
 * answers agree; `reserved` is what is reserved for the article at this location.
 */
export async function getLocation(db: Database, schema: string, code: string): Promise<LocationWithStock | undefined> {
  const location = await findLocation(db, schema, code);
  if (location === undefined) return undefined;
  const lines = await reservedStockLines(db, schema, { location: code });
  return {
    ...location,
    stock: lines.map((line) => ({
      sku: line.sku,
      lot: line.lot,
      expiresOn: line.expiresOn,
      onHand: line.onHand,
      reserved: line.reserved,
      available: line.onHand - line.reserved,
    })),
  };
}
