/**
 * What the schema-change benchmark watches in the control plane while it deploys: the heads of
 * the tenants' events, which schemas of a version have applied them, and which version is live.
 */
import { pgp, type Database } from '../../src/database/connection.js';

/** Every tenant's newest event position, as the deploy starts. */
export async function tenantHeads(db: Database, tenants: readonly string[]): Promise<Map<string, bigint>> {
  const rows = await db.any<{ tenant: string; head: string }>('select tenant, max(position)::text as head from es_events where tenant = any($1) group by tenant', [tenants]);
  return new Map(rows.map((row) => [row.tenant, BigInt(row.head)]));
}

/** The checkpoints of the schemas, 200 per statement; a schema dropped meanwhile is left out. */
async function checkpoints(db: Database, schemas: readonly string[]): Promise<Map<string, bigint>> {
  const found = new Map<string, bigint>();
  for (let start = 0; start < schemas.length; start += 200) {
    const chunk = schemas.slice(start, start + 200);
    const text = chunk.map((schema, index) => `select ${index} as i, position::text from ${pgp.as.name(schema)}.checkpoint`).join('\nunion all ');
    try {
      for (const row of await db.any<{ i: number; position: string }>(text)) found.set(chunk[row.i] as string, BigInt(row.position));
    } catch {
      // A schema of the chunk is gone (GC, a failed build replaced): the next look finds the rest.
    }
  }
  return found;
}

/** How far a version's schemas have got: tenants whose schema of it has applied their head, and tenants whose build failed. */
export async function versionProgress(db: Database, version: string, heads: ReadonlyMap<string, bigint>): Promise<{ atHead: number; failed: string[] }> {
  const rows = await db.any<{ tenant: string; schema_name: string; status: string }>('select tenant, schema_name, status from read_schemas where version = $1 and tenant = any($2)', [
    version,
    [...heads.keys()],
  ]);
  const failed = rows.filter((row) => row.status === 'failed').map((row) => row.tenant);
  const building = rows.filter((row) => row.status !== 'failed' && row.status !== 'retired');
  const reached = await checkpoints(db, building.map((row) => row.schema_name));
  const atHead = new Set(building.filter((row) => (reached.get(row.schema_name) ?? -1n) >= (heads.get(row.tenant) ?? 0n)).map((row) => row.tenant));
  return { atHead: atHead.size, failed: failed.filter((tenant) => !atHead.has(tenant)) };
}

/** How many of the tenants are live on `version`. */
export async function liveOn(db: Database, version: string, tenants: readonly string[]): Promise<number> {
  return (await db.one<{ n: number }>('select count(*)::int as n from read_schema_live where version = $1 and tenant = any($2)', [version, tenants])).n;
}

/**
 * Tenants whose stock balances differ between their schema of `older` and their live one (the
 * rows of both compared as multisets): a deploy must change what is served, not what it says.
 */
export async function differingBalances(db: Database, older: string, tenants: readonly string[]): Promise<string[]> {
  const differing: string[] = [];
  for (const tenant of tenants) {
    const pair = await db.oneOrNone<{ old: string; live: string }>(
      `select o.schema_name as old, l.schema_name as live from read_schemas o join read_schema_live l using (tenant)
        where o.tenant = $1 and o.version = $2 and o.status = 'retired' order by o.created_at desc limit 1`,
      [tenant, older],
    );
    if (!pair) {
      differing.push(tenant);
      continue;
    }
    const { n } = await db.one<{ n: number }>(
      `select count(*)::int as n from (
         (select sku, location, lot, on_hand from $1:name.balances except all select sku, location, lot, on_hand from $2:name.balances)
         union all
         (select sku, location, lot, on_hand from $2:name.balances except all select sku, location, lot, on_hand from $1:name.balances)) d`,
      [pair.old, pair.live],
    );
    if (n > 0) differing.push(tenant);
  }
  return differing;
}
