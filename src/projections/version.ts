import { createHash } from 'node:crypto';
import { readModelDdl } from './read-model.sql.js';

/**
 * Bump when the way events change the tables changes (read-models/, write-ledger.ts) without
 * a change to the tables themselves: the new version then gets schemas of its own, rebuilt.
 */
export const projectionLogicVersion = 1;

/**
 * The projection set's version: a hash of every table's DDL and the logic version. Schemas of
 * different versions live side by side; a tenant's queries read the one that is live.
 */
export function projectionVersion(ddl: (schema: string) => string = readModelDdl, logicVersion = projectionLogicVersion): string {
  return createHash('sha256').update(ddl('rm_schema')).update(`\nlogic ${logicVersion}`).digest('hex').slice(0, 10);
}
