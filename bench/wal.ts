/**
 * What a piece of work wrote on the server: bytes of WAL (with fsync on, commits wait for WAL to
 * reach the disk, so volume is part of their cost) and transaction ids assigned (one per writing
 * transaction, including the ones a NOTIFY needs to commit).
 */
import type { Database } from '../src/database/connection.js';

/** What the server wrote while some work ran. */
export interface ServerWrites {
  readonly walBytes: number;
  readonly transactionIds: number;
}

// pg_snapshot_xmax of a fresh snapshot is the next transaction id to be assigned; reading it
// assigns none, unlike pg_current_xact_id().
const countersSql = `select pg_current_wal_insert_lsn()::text as lsn, pg_snapshot_xmax(pg_current_snapshot())::text as next_xid`;

/**
 * Runs `work` and returns its result with the WAL bytes and transaction ids the whole server used
 * meanwhile (so nothing else should be writing to the server during it).
 */
export async function measureServerWrites<T>(db: Database, work: () => Promise<T>): Promise<{ result: T; writes: ServerWrites }> {
  const before = await db.one<{ lsn: string; next_xid: string }>(countersSql);
  const result = await work();
  const after = await db.one<{ lsn: string; next_xid: string; bytes: string }>(
    `select *, pg_wal_lsn_diff(lsn::pg_lsn, $1::pg_lsn)::text as bytes from (${countersSql}) counters`,
    [before.lsn],
  );
  return { result, writes: { walBytes: Number(after.bytes), transactionIds: Number(BigInt(after.next_xid) - BigInt(before.next_xid)) } };
}
