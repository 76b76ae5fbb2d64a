import { pgp, type Database } from '../database/connection.js';
import { decodeCursor, pageOf, type Page, type PageRequest } from './cursor.js';
import type { LedgerRow as StoredLedgerRow } from './write-ledger.js';

/**
 * One ledger row (one move of one movement line), as GET /api/movements lists it: the row the
 * ledger read model writes (write-ledger.ts), less its ordering keys, its recorded time as ISO
 * 8601 text in UTC. Quantities are thousandths; occurredAt is the business time.
 */
export type MovementLine = Omit<StoredLedgerRow, 'position' | 'seq' | 'line' | 'recordedAt'> & { readonly recordedAt: string };

/** Filters and paging of the ledger listing. */
export interface MovementQuery extends PageRequest {
  readonly sku?: string;
  /** Moves out of or into this location. */
  readonly location?: string;
  readonly reference?: string;
  /** The ledger's kind of movement: received, transferred, shipped, ... */
  readonly kind?: string;
  /** Who recorded it, as the ledger names them (a username or a token's user). */
  readonly user?: string;
  /** Business time (occurredAt) at or after this ISO 8601 instant. */
  readonly from?: string;
  /** Business time (occurredAt) before this ISO 8601 instant. */
  readonly to?: string;
}

interface LedgerRow {
  /** The bigint position as text (exact); named apart from the column so ORDER BY sorts the number. */
  position_text: string;
  seq: number;
  movement_id: string;
  kind: string;
  sku: string;
  from_location: string;
  to_location: string;
  quantity: string;
  lot: string | null;
  serials: string[] | null;
  occurred_at: string;
  recorded_at: string;
  user_name: string;
  reference: string | null;
}

const list = 'movements';
const isoUtc = `'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'`;

function movementOf(row: LedgerRow): MovementLine {
  return {
    movementId: row.movement_id,
    kind: row.kind,
    sku: row.sku,
    from: row.from_location,
    to: row.to_location,
    quantity: Number(row.quantity),
    lot: row.lot,
    serials: row.serials,
    occurredAt: row.occurred_at,
    recordedAt: row.recorded_at,
    user: row.user_name,
    reference: row.reference,
  };
}

/**
 * Ledger rows, newest recorded first (position, then move, descending), a page at a time: the
 * cursor is the (position, seq) of the last row served. Absent filters are constants the
 * planner folds away (pg-promise inlines the values), so each query keeps only the conditions it
 * has. Unfiltered and date-bounded listings walk the primary key backwards and stop at the page's
 * end; a SKU or reference narrows through its index first.
 */
export async function listMovements(db: Database, schema: string, query: MovementQuery): Promise<Page<MovementLine>> {
  const [position, seq] = query.cursor === undefined ? [null, null] : decodeCursor(list, query.cursor, ['bigint', 'int']);
  const s = pgp.as.name(schema);
  const rows = await db.any<LedgerRow>(
    `select l.position::text as position_text, l.seq, l.movement_id, l.kind, l.sku, l.from_location, l.to_location, l.quantity::text, l.lot, l.serials,
            to_char(l.occurred_at at time zone 'UTC', ${isoUtc}) as occurred_at,
            to_char(l.recorded_at at time zone 'UTC', ${isoUtc}) as recorded_at,
            l.user_name, l.reference
       from ${s}.ledger l
      where ($1::text is null or l.sku = $1)
        and ($2::text is null or l.from_location = $2 or l.to_location = $2)
        and ($3::text is null or l.reference = $3)
        and ($4::timestamptz is null or l.occurred_at >= $4::timestamptz)
        and ($5::timestamptz is null or l.occurred_at < $5::timestamptz)
        and ($6::bigint is null or (l.position, l.seq) < ($6::bigint, $7::int))
        and ($9::text is null or l.kind = $9)
        and ($10::text is null or l.user_name = $10)
      order by l.position desc, l.seq desc
      limit $8`,
    [query.sku ?? null, query.location ?? null, query.reference ?? null, query.from ?? null, query.to ?? null, position, seq, query.limit + 1, query.kind ?? null, query.user ?? null],
  );
  return pageOf(list, rows, query.limit, movementOf, (row) => [row.position_text, row.seq]);
}
