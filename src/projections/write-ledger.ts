import type { ITask } from 'pg-promise';
import { numberArray, textArray } from './array-literal.js';

/** A ledger row: one move of one movement line, as the ledger read model makes it and this writes it. */
export interface LedgerRow {
  readonly position: string;
  readonly seq: number;
  readonly movementId: string;
  readonly line: number;
  readonly kind: string;
  readonly sku: string;
  readonly from: string;
  readonly to: string;
  readonly quantity: number;
  readonly lot: string | null;
  readonly serials: readonly string[] | null;
  readonly reference: string | null;
  readonly occurredAt: string;
  readonly recordedAt: Date;
  readonly user: string;
}

/** Rows per statement: a rebuild batch's ledger in one or two statements, each a few MB of parameters. */
const rowsPerStatement = 20_000;

/**
 * Appends ledger rows, inside the caller's transaction: one INSERT ... SELECT FROM unnest() per
 * 20,000 rows, each column one array parameter (`s` is the escaped schema name). The recorded
 * time goes as epoch milliseconds (exact: a RecordedEvent's Date has no more), which costs a
 * tenth of formatting a timestamp per row.
 */
export async function writeLedger(t: ITask<unknown>, s: string, rows: readonly LedgerRow[]): Promise<void> {
  for (let start = 0; start < rows.length; start += rowsPerStatement) {
    const chunk = rows.slice(start, start + rowsPerStatement);
    const n = chunk.length;
    const positions = new Array<string>(n);
    const seqs = new Array<number>(n);
    const movementIds = new Array<string>(n);
    const lines = new Array<number>(n);
    const kinds = new Array<string>(n);
    const skus = new Array<string>(n);
    const froms = new Array<string>(n);
    const tos = new Array<string>(n);
    const quantities = new Array<number>(n);
    const lots = new Array<string | null>(n);
    const serials = new Array<string | null>(n);
    const references = new Array<string | null>(n);
    const occurredAts = new Array<string>(n);
    const recordedAts = new Array<number>(n);
    const users = new Array<string>(n);
    for (let index = 0; index < n; index += 1) {
      const row = chunk[index] as LedgerRow;
      positions[index] = row.position;
      seqs[index] = row.seq;
      movementIds[index] = row.movementId;
      lines[index] = row.line;
      kinds[index] = row.kind;
      skus[index] = row.sku;
      froms[index] = row.from;
      tos[index] = row.to;
      quantities[index] = row.quantity;
      lots[index] = row.lot;
      serials[index] = row.serials === null ? null : textArray(row.serials);
      references[index] = row.reference;
      occurredAts[index] = row.occurredAt;
      recordedAts[index] = row.recordedAt.getTime();
      users[index] = row.user;
    }
    await t.none({
      text: `insert into ${s}.ledger (position, seq, movement_id, line, kind, sku, from_location, to_location, quantity, lot, serials, reference, occurred_at, recorded_at, user_name)
             select position, seq, movement_id, line, kind, sku, from_location, to_location, quantity, lot, serials::text[], reference, occurred_at,
                    timestamptz 'epoch' + recorded_ms * interval '1 millisecond', user_name
               from unnest($1::bigint[], $2::int[], $3::text[], $4::int[], $5::text[], $6::text[], $7::text[], $8::text[], $9::bigint[], $10::text[], $11::text[],
                           $12::text[], $13::timestamptz[], $14::bigint[], $15::text[])
                 as r(position, seq, movement_id, line, kind, sku, from_location, to_location, quantity, lot, serials, reference, occurred_at, recorded_ms, user_name)`,
      values: [
        numberArray(positions),
        numberArray(seqs),
        textArray(movementIds),
        numberArray(lines),
        textArray(kinds),
        textArray(skus),
        textArray(froms),
        textArray(tos),
        numberArray(quantities),
        textArray(lots),
        textArray(serials),
        textArray(references),
        textArray(occurredAts),
        numberArray(recordedAts),
        textArray(users),
      ],
    });
  }
}
