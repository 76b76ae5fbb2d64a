/**
 * Tamper evidence: a SHA-256 hash chain over a tenant's events in position order. Link i is
 * the hex SHA-256 of the UTF-8 text "<link i-1 in hex><canonical JSON of event i>"
 * (canonical-event.ts), starting from 64 zeros: text any tool can recompute from an export.
 * One-shot hashing of that text costs half of feeding a hash object the previous link's bytes. `seal` extends the chain over the events recorded since the last seal and stores a
 * checkpoint (position, hash, count, sealed at) every `segmentSize` events and at the end; the
 * checkpoints are what an auditor prints and notarises outside the system. `verifySeals`
 * recomputes the chain from the events as they are now and names the first event that differs
 * from what was sealed: changed (edited after sealing, e.g. by a superuser who disabled the
 * append-only trigger), missing (deleted) or extra (inserted below the sealed position).
 *
 * To name the event, each checkpoint also keeps its segment's event positions and the first 8
 * bytes of each link: they only locate a change; the checkpoint hashes are the proof. Someone
 * who could rewrite audit_seals as well could hide a change from this verification, but not
 * from a comparison with the printed, notarised checkpoint hashes.
 */
import { hash } from 'node:crypto';
import type { ITask } from 'pg-promise';
import type { Database } from '../database/connection.js';
import { comparePositions, startPosition, type EventStore, type Position, type RecordedEvent } from '../eventstore/event-store.js';
import { progressEvery, type AuditRunOptions } from './audit-run.js';
import { canonicalEventJson } from './canonical-event.js';
import { checkpointSegmentSql, insertCheckpointSql, lastCheckpointSql, listCheckpointsSql, lockSealsSql, unlockSealsSql } from './seals.sql.js';

/** One stored checkpoint of a tenant's chain. */
export interface SealCheckpoint {
  readonly position: Position;
  /** Hex SHA-256: the chain's link after the event at `position`. */
  readonly hash: string;
  /** Events chained from the first up to `position`. */
  readonly count: number;
  readonly sealedAt: Date;
}

/** Bytes of each link kept per event to locate a change. */
const linkBytes = 8;
const linkHexDigits = linkBytes * 2;
const genesis = '0'.repeat(64);

/** The next link of the chain, in hex. */
export function nextLink(previous: string, event: RecordedEvent): string {
  return hash('sha256', previous + canonicalEventJson(event), 'hex');
}

/** Options of a seal. */
export interface SealOptions extends AuditRunOptions {
  /** Events per checkpoint (default 10,000). */
  readonly segmentSize?: number;
}

/** What a seal added. */
export interface SealResult {
  /** Events chained by this run (0: nothing new since the last seal). */
  readonly sealed: number;
  /** The newest checkpoint (undefined for a tenant without events). */
  readonly last: Omit<SealCheckpoint, 'sealedAt'> | undefined;
}

/**
 * Extends `tenant`'s chain over the events recorded since its last seal, up to the head as it is
 * now. Seals of one tenant take turns (a session advisory lock), so each continues from the
 * checkpoint the previous one wrote and the segments never overlap.
 */
export async function seal(db: Database, store: EventStore, tenant: string, options: SealOptions = {}): Promise<SealResult> {
  return await db.task('audit-seal', async (connection) => {
    await connection.one(lockSealsSql(), [tenant]);
    try {
      return await sealLocked(connection, store, tenant, options);
    } finally {
      await connection.one(unlockSealsSql(), [tenant]);
    }
  });
}

async function sealLocked(db: ITask<unknown>, store: EventStore, tenant: string, options: SealOptions): Promise<SealResult> {
  const segmentSize = options.segmentSize ?? 10_000;
  const last = await db.oneOrNone<{ position: string; hash: string; count: string }>(lastCheckpointSql(), [tenant]);
  let link = last ? last.hash : genesis;
  let count = last ? Number(last.count) : 0;
  const after = last?.position ?? startPosition;
  const head = await store.headPosition(tenant);
  const total = options.onProgress ? await store.countEvents(tenant, { after, upTo: head }) : 0;
  let positions: string[] = [];
  let links: string[] = [];
  let lastPosition = after;
  let sealed = 0;
  const checkpoint = async (): Promise<void> => {
    if (positions.length === 0) return;
    await db.none(insertCheckpointSql(), [tenant, lastPosition, link, count, positions, Buffer.from(links.join(''), 'hex')]);
    positions = [];
    links = [];
  };
  for await (const event of store.readTenant(tenant, { after })) {
    if (comparePositions(event.position, head) > 0) break;
    link = nextLink(link, event);
    count += 1;
    sealed += 1;
    lastPosition = event.position;
    positions.push(event.position);
    links.push(link.slice(0, linkHexDigits));
    if (positions.length === segmentSize) await checkpoint();
    if (sealed % progressEvery === 0) {
      options.signal?.throwIfAborted();
      options.onProgress?.({ done: sealed, total });
    }
  }
  await checkpoint();
  options.onProgress?.({ done: sealed, total });
  return { sealed, last: count === 0 ? undefined : { position: lastPosition, hash: link, count } };
}

/** Every checkpoint of `tenant`, oldest first: the list to print and notarise. */
export async function listSeals(db: Database, tenant: string): Promise<SealCheckpoint[]> {
  const rows = await db.any<{ position: string; hash: string; count: string; sealed_at: Date }>(listCheckpointsSql(), [tenant]);
  return rows.map((row) => ({ position: row.position, hash: row.hash, count: Number(row.count), sealedAt: row.sealed_at }));
}

/** The first place where the events differ from what was sealed. */
export type SealDifference =
  | { readonly kind: 'changed' | 'extra'; readonly position: Position; readonly eventId: string; readonly checkpoint: Position }
  | { readonly kind: 'missing'; readonly position: Position; readonly checkpoint: Position }
  /** The segment's events match their links but not the checkpoint: the seal table itself was changed. */
  | { readonly kind: 'checkpoint'; readonly checkpoint: Position };

/** What verifySeals found. */
export interface SealVerification {
  readonly ok: boolean;
  /** Checkpoints confirmed before the first difference (all of them when ok). */
  readonly checkpointsConfirmed: number;
  readonly checkpoints: number;
  /** Events chained again. */
  readonly events: number;
  /** The newest sealed position: later events are not sealed yet. */
  readonly sealedUpTo: Position;
  readonly difference?: SealDifference;
}

/** One recomputed event of the segment being checked. */
interface Recomputed {
  readonly position: Position;
  readonly id: string;
  /** The link's first bytes, in hex. */
  readonly link: string;
}

/** Recomputes `tenant`'s chain from its events and compares it with every stored checkpoint. */
export async function verifySeals(db: Database, store: EventStore, tenant: string, options: AuditRunOptions = {}): Promise<SealVerification> {
  const checkpoints = await listSeals(db, tenant);
  const finalCheckpoint = checkpoints.at(-1);
  if (!finalCheckpoint) return { ok: true, checkpointsConfirmed: 0, checkpoints: 0, events: 0, sealedUpTo: startPosition };
  const total = finalCheckpoint.count;
  let link = genesis;
  let count = 0;
  let confirmed = 0;
  let segment: Recomputed[] = [];
  const result = (difference?: SealDifference): SealVerification => ({
    ok: difference === undefined,
    checkpointsConfirmed: confirmed,
    checkpoints: checkpoints.length,
    events: count,
    sealedUpTo: finalCheckpoint.position,
    ...(difference ? { difference } : {}),
  });
  /** Compares the segment that ends at the next checkpoint; a difference when it does not match. */
  const close = async (): Promise<SealDifference | undefined> => {
    const checkpoint = checkpoints[confirmed] as SealCheckpoint;
    if (checkpoint.hash === link && checkpoint.count === count) {
      confirmed += 1;
      segment = [];
      return undefined;
    }
    return await locate(db, tenant, checkpoint.position, segment);
  };
  for await (const event of store.readTenant(tenant)) {
    let next = checkpoints[confirmed];
    while (next && comparePositions(event.position, next.position) > 0) {
      const difference = await close();
      if (difference) return result(difference);
      next = checkpoints[confirmed];
    }
    if (!next) break;
    link = nextLink(link, event);
    count += 1;
    segment.push({ position: event.position, id: event.id, link: link.slice(0, linkHexDigits) });
    if (comparePositions(event.position, next.position) === 0) {
      const difference = await close();
      if (difference) return result(difference);
    }
    if (count % progressEvery === 0) {
      options.signal?.throwIfAborted();
      options.onProgress?.({ done: count, total });
    }
  }
  while (confirmed < checkpoints.length) {
    const difference = await close();
    if (difference) return result(difference);
  }
  options.onProgress?.({ done: count, total });
  return result();
}

/** Names the first event of a segment that differs from its sealed positions and links. */
async function locate(db: Database, tenant: string, checkpoint: Position, found: readonly Recomputed[]): Promise<SealDifference> {
  const row = await db.one<{ positions: string[]; links: Buffer }>(checkpointSegmentSql(), [tenant, checkpoint]);
  const sealedCount = row.positions.length;
  for (let index = 0; index < Math.max(sealedCount, found.length); index += 1) {
    const sealedPosition = row.positions[index];
    const event = found[index];
    if (sealedPosition === undefined && event) return { kind: 'extra', position: event.position, eventId: event.id, checkpoint };
    if (sealedPosition === undefined) break;
    if (!event || comparePositions(sealedPosition, event.position) < 0) return { kind: 'missing', position: sealedPosition, checkpoint };
    if (comparePositions(sealedPosition, event.position) > 0) return { kind: 'extra', position: event.position, eventId: event.id, checkpoint };
    if (row.links.subarray(index * linkBytes, (index + 1) * linkBytes).toString('hex') !== event.link) {
      return { kind: 'changed', position: event.position, eventId: event.id, checkpoint };
    }
  }
  return { kind: 'checkpoint', checkpoint };
}
