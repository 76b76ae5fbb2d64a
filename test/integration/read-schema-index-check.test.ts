import { describe, expect, it } from '@jest/globals';
import { pgp } from '../../src/database/connection.js';
import { readModelDdl, readModelTablesDdl } from '../../src/projections/read-model.sql.js';
import { selectLedgerIndexesComplete } from '../../src/projections/read-schemas.sql.js';
import { readSchemaName } from '../../src/projections/schema-name.js';
import { useReadSide } from '../support/read-side.js';

/** A node of EXPLAIN (FORMAT JSON)'s plan, as far as this test reads it. */
interface PlanNode {
  readonly 'Node Type': string;
  readonly 'Relation Name'?: string;
  readonly 'Actual Rows': number;
  readonly 'Actual Loops': number;
  readonly 'Rows Removed by Filter'?: number;
  readonly Plans?: readonly PlanNode[];
}

/** pg_class rows each scan of pg_class in the plan produced or filtered away, over all its loops. */
function classRowsTouched(node: PlanNode): number[] {
  const own = node['Relation Name'] === 'pg_class' ? [(node['Actual Rows'] + (node['Rows Removed by Filter'] ?? 0)) * node['Actual Loops']] : [];
  return [...own, ...(node.Plans ?? []).flatMap(classRowsTouched)];
}

/**
 * Whether a schema has the ledger's indexes is asked once per tenant by prepare (completeIndexes)
 * and again inside every switch's transaction. During a deploy the catalog holds two versions'
 * schemas of every tenant (~50,000 relations at 1,000 tenants); through the pg_indexes view the
 * question read every schema's ledger indexes (12 ms with 400 schemas, growing with each), so
 * it must find the schema's own three and nothing else.
 */
describe("the check for a read schema's ledger indexes", () => {
  const readSide = useReadSide();

  it('reads only the schema it is asked about, and says whether its three indexes are there', async () => {
    const { db } = readSide.database;
    const run = Date.now().toString(36);
    const complete = Array.from({ length: 6 }, (_, index) => readSchemaName(`ix${run}-${index}`, 'ixcheck'));
    for (const schema of complete) await db.none(readModelDdl(schema));
    const tablesOnly = readSchemaName(`ix${run}-t`, 'ixcheck');
    await db.none(readModelTablesDdl(tablesOnly));

    const answer = async (schema: string): Promise<boolean> => (await db.one<{ complete: boolean }>(selectLedgerIndexesComplete(), [schema])).complete;
    expect(await answer(complete[3] as string)).toBe(true);
    expect(await answer(tablesOnly)).toBe(false);
    expect(await answer(readSchemaName(`ix${run}-none`, 'ixcheck'))).toBe(false);

    const [row] = await db.any<{ 'QUERY PLAN': Array<{ Plan: PlanNode }> }>(`explain (analyze, format json) ${pgp.as.format(selectLedgerIndexesComplete(), [complete[3]])}`);
    const touched = classRowsTouched((row?.['QUERY PLAN'][0] as { Plan: PlanNode }).Plan);
    // Its own three index rows at most, whatever the number of other schemas with the same index names (six here).
    expect(touched.length).toBeGreaterThan(0);
    expect(Math.max(...touched)).toBeLessThanOrEqual(3);
  });
});
