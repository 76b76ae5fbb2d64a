/**
 * WAL volume of a piece of work: with fsync on, commits wait for WAL to reach the disk, so the
 * bytes of WAL each operation writes are part of what it costs.
 */
import type { Database } from '../src/database/connection.js';

/**
 * Runs `work` and returns its result with the bytes of WAL the whole server inserted meanwhile
 * (so nothing else should be writing to the server during it).
 */
export async function measureWal<T>(db: Database, work: () => Promise<T>): Promise<{ result: T; walBytes: number }> {
  const before = await db.one<{ lsn: string }>('select pg_current_wal_insert_lsn()::text as lsn');
  const result = await work();
  const after = await db.one<{ bytes: string }>('select pg_wal_lsn_diff(pg_current_wal_insert_lsn(), $1::pg_lsn)::text as bytes', [before.lsn]);
  return { result, walBytes: Number(after.bytes) };
}
