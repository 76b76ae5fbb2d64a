import type { ITask } from 'pg-promise';
import { numberArray, textArray } from '../array-literal.js';
import { memoryTable, type MemoryTables } from './read-model.js';

/** A table of totals: rows keyed by three text columns (the last may be a date), with a bigint total that disappears at zero. */
export interface TotalsTable {
  readonly table: string;
  readonly keys: readonly [string, string, string];
  readonly lastKeyType: 'text' | 'date';
  readonly total: string;
}

/** A sum of deltas for one row of a table of totals, by its three key values. */
export interface TotalDelta {
  readonly key: readonly [string, string, string];
  delta: number;
}

/** Adds `delta` to the row of key (a, b, c) in a batch's sums (the key is allocated only for a new row: this runs per move of a rebuild). */
export function addDelta(sums: Map<string, TotalDelta>, a: string, b: string, c: string, delta: number): void {
  const id = `${a}\u0000${b}\u0000${c}`;
  const row = sums.get(id);
  if (row) row.delta += delta;
  else sums.set(id, { key: [a, b, c], delta });
}

/**
 * Adds deltas to a table of totals and deletes the rows that came back to zero, as if they had
 * never been (live projection and rebuild agree). The upsert returns the keys of rows now at
 * zero, so the delete touches only those, not every key of the batch. Rows with a delta of zero
 * change nothing and are left out.
 */
export async function writeTotals(t: ITask<unknown>, s: string, spec: TotalsTable, sums: Iterable<TotalDelta>): Promise<void> {
  const c1: string[] = [];
  const c2: string[] = [];
  const c3: string[] = [];
  const deltas: number[] = [];
  for (const { key, delta } of sums) {
    if (delta === 0) continue;
    c1.push(key[0]);
    c2.push(key[1]);
    c3.push(key[2]);
    deltas.push(delta);
  }
  if (deltas.length === 0) return;
  const [k1, k2, k3] = spec.keys;
  const zero = await t.any<{ k1: string; k2: string; k3: string }>({
    text: `with changed as (
             insert into ${s}.${spec.table} (${k1}, ${k2}, ${k3}, ${spec.total})
             select * from unnest($1::text[], $2::text[], $3::${spec.lastKeyType}[], $4::bigint[])
             on conflict (${k1}, ${k2}, ${k3}) do update set ${spec.total} = ${spec.table}.${spec.total} + excluded.${spec.total}
             returning ${k1}, ${k2}, ${k3}::text, ${spec.total})
           select ${k1} as k1, ${k2} as k2, ${k3} as k3 from changed where ${spec.total} = 0`,
    values: [textArray(c1), textArray(c2), textArray(c3), numberArray(deltas)],
  });
  if (zero.length === 0) return;
  await t.none({
    text: `delete from ${s}.${spec.table} d using unnest($1::text[], $2::text[], $3::${spec.lastKeyType}[]) as k(k1, k2, k3)
            where d.${k1} = k.k1 and d.${k2} = k.k2 and d.${k3} = k.k3 and d.${spec.total} = 0`,
    values: [textArray(zero.map((row) => row.k1)), textArray(zero.map((row) => row.k2)), textArray(zero.map((row) => row.k3))],
  });
}

/** The same in memory: deltas added, rows at zero gone. */
export function applyTotalsInMemory(tables: MemoryTables, spec: TotalsTable, sums: Iterable<TotalDelta>): void {
  const table = memoryTable(tables, spec.table);
  const [k1, k2, k3] = spec.keys;
  for (const { key, delta } of sums) {
    if (delta === 0) continue;
    const id = key.join('\u0000');
    const total = Number(table.get(id)?.[spec.total] ?? 0) + delta;
    if (total === 0) table.delete(id);
    else table.set(id, { [k1]: key[0], [k2]: key[1], [k3]: key[2], [spec.total]: total });
  }
}
