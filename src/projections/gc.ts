import type { ITask } from 'pg-promise';
import type { Database } from '../database/connection.js';
import type { Logger } from '../logger.js';
import * as sql from './gc.sql.js';
import { dropRegisteredSchema, findOwnServedSchema, isLaterVersion } from './read-schema-registry.js';

/** How long a schema must have been left alone before GC drops it, unless told otherwise: 1 hour. */
export const defaultGraceMs = 60 * 60 * 1000;

/** What {@link collectGarbage} looks at. */
export interface GarbageCollectionOptions {
  /** Only schemas whose registry row has not changed for this long are dropped (default 1 hour). */
  readonly graceMs?: number;
  /** Only this tenant's schemas (default: every tenant's). */
  readonly tenant?: string;
  readonly logger?: Logger;
}

/** The outcome of {@link collectGarbage}. */
export interface GarbageCollectionResult {
  /** The schemas dropped, with their registry rows. */
  readonly dropped: string[];
  /** Schemas that could not be dropped this time (a lock held too long, a deadlock with a switch); tried again next time. */
  readonly failed: Array<{ readonly schema: string; readonly error: string }>;
  /** Schemas past the grace period kept because processes of their version still follow them, and why. */
  readonly kept: Array<{ readonly schema: string; readonly reason: string }>;
}

interface Candidate {
  readonly schema_name: string;
  readonly tenant: string;
}

/**
 * Drops the read schemas that are not live and have been retired, failed or left building for
 * longer than the grace period, and deletes their registry rows, each schema in a transaction of
 * its own. A live schema is never dropped: the tenant's live row is locked (as a switch locks
 * it) and checked inside that transaction. A 'building' schema of a version other than the live
 * one is kept while a projector holds that version's lease (it is a prepared schema). So is the
 * retired schema an older version still serves (served-schema.ts: the old side of a deploy reads
 * its last live schema) while that version's projector holds the tenant's lease: on a quiet
 * tenant nothing touches it, yet dropping it would answer that version's requests 503.
 */
export async function collectGarbage(db: Database, options: GarbageCollectionOptions = {}): Promise<GarbageCollectionResult> {
  const graceMs = options.graceMs ?? defaultGraceMs;
  if (!Number.isFinite(graceMs) || graceMs < 0) throw new Error(`not a grace period: ${graceMs} ms`);
  const candidates = await db.any<Candidate>(sql.selectCandidates(), [options.tenant ?? null, graceMs]);
  const result: GarbageCollectionResult = { dropped: [], failed: [], kept: [] };
  for (const candidate of candidates) {
    try {
      const outcome = await db.tx('collect-read-schema', (t) => dropIfCollectable(t, candidate, graceMs));
      if (outcome === 'dropped') {
        result.dropped.push(candidate.schema_name);
        options.logger?.info({ tenant: candidate.tenant, schema: candidate.schema_name }, 'dropped read schema');
      } else if (outcome !== 'left') {
        result.kept.push({ schema: candidate.schema_name, reason: outcome.kept });
        options.logger?.info({ tenant: candidate.tenant, schema: candidate.schema_name, reason: outcome.kept }, 'kept read schema');
      }
    } catch (error) {
      result.failed.push({ schema: candidate.schema_name, error: (error as Error)?.message ?? String(error) });
      options.logger?.warn({ tenant: candidate.tenant, schema: candidate.schema_name, err: error }, 'could not drop read schema; trying again next time');
    }
  }
  return result;
}

/**
 * Checks a candidate again under locks and drops it: 'left' when it has become live or been
 * touched meanwhile, kept (with the reason) when a process of its version still follows it.
 */
async function dropIfCollectable(t: ITask<unknown>, candidate: Candidate, graceMs: number): Promise<'dropped' | 'left' | { kept: string }> {
  await t.none(sql.shortLockTimeout());
  // The live row first, the registry row second: the order switchTo locks them in, so the two
  // wait for each other instead of deadlocking. A switch to this schema that commits first is
  // seen below; one that starts later finds the registry row gone and fails on its foreign key.
  const live = await t.oneOrNone<{ schema_name: string; version: string }>(sql.selectLiveForShare(), [candidate.tenant]);
  if (live?.schema_name === candidate.schema_name) return 'left';
  const row = await t.oneOrNone<{ schema_name: string; status: string; version: string }>(sql.selectCollectableForUpdate(), [candidate.schema_name, graceMs]);
  if (!row) return 'left';
  if (row.version !== live?.version && (await followedByItsVersion(t, candidate.tenant, row, live?.version))) {
    const { held } = await t.one<{ held: boolean }>(sql.selectProjectorLeaseHeld(), [candidate.tenant, row.version]);
    if (held) return { kept: `version ${row.version}'s projector holds the tenant's lease (processes of that version still run)` };
  }
  await dropRegisteredSchema(t, candidate.schema_name);
  return 'dropped';
}

/**
 * Whether a schema of a version other than the live one is the one its version's projector
 * follows: a prepared schema of a new version (building), or the last live schema of an older
 * version, which that version's processes still read (retired, the newest of its version that
 * was live). Older generations of that version are read by nobody.
 */
async function followedByItsVersion(t: ITask<unknown>, tenant: string, row: { schema_name: string; status: string; version: string }, liveVersion: string | undefined): Promise<boolean> {
  if (row.status === 'building') return true;
  if (row.status !== 'retired' || liveVersion === undefined || !(await isLaterVersion(t, liveVersion, row.version))) return false;
  return (await findOwnServedSchema(t, tenant, row.version)) === row.schema_name;
}
