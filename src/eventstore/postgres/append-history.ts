/**
 * HistoryImport on PostgreSQL: a batch of another store's history written in the order given,
 * each event at its own revision, with the statements of append-recorded.ts (read and lock, then
 * write) in one transaction. Streams may interleave within the batch, so an import of a real
 * history (where nearly every event is of another stream than the one before) needs no more
 * transactions than its size asks; through appendMany it would need one per run of increasing
 * stream names, about one per two events.
 */
import type { Database } from '../../database/connection.js';
import { DuplicateEventIds, InvalidAppend, WrongExpectedRevision, type HistoryEvent } from '../event-store.js';
import { parseStreamName } from '../stream-name.js';
import { eventRows, inRecordedTransaction, maxEventsPerTransaction, readStoredState, writeEventRows } from './append-recorded.js';

/** Appends `events` of one tenant in the order given (the port's HistoryImport.appendHistory). */
export async function appendHistory(db: Database, events: readonly HistoryEvent[]): Promise<{ appended: number; alreadyStored: number }> {
  if (events.length === 0) return { appended: 0, alreadyStored: 0 };
  if (events.length > maxEventsPerTransaction) throw new InvalidAppend(`at most ${maxEventsPerTransaction} events per transaction`);
  const tenants = new Set(events.map((event) => parseStreamName(event.stream)?.tenant));
  const [tenant] = tenants;
  if (tenants.size !== 1 || tenant === undefined) throw new InvalidAppend('a history batch is of one tenant, with valid stream names');
  const streams = [...new Set(events.map((event) => event.stream))].sort();
  return await inRecordedTransaction(db, 'es-append-history', async (t) => {
    const { stored, current } = await readStoredState(t, events.map((event) => event.id), streams);
    const next = new Map([...current].map(([stream, revision]) => [stream, revision + 1n]));
    const rows = eventRows();
    let alreadyStored = 0;
    for (const event of events) {
      const found = stored.get(event.id);
      if (found) {
        // Stored by an earlier run: only where this very event belongs.
        if (found.stream !== event.stream || BigInt(found.revision) !== event.revision) throw new DuplicateEventIds(event.stream);
        alreadyStored += 1;
        continue;
      }
      const due = next.get(event.stream) ?? 0n;
      if (event.revision !== due) {
        const actual = current.get(event.stream);
        throw new WrongExpectedRevision(event.stream, event.revision === 0n ? 'no_stream' : event.revision - 1n, actual ?? 'no_stream');
      }
      next.set(event.stream, due + 1n);
      rows.streams.push(event.stream);
      rows.revisions.push(event.revision.toString());
      rows.ids.push(event.id);
      rows.types.push(event.type);
      rows.data.push(JSON.stringify(event.data ?? null));
      rows.metadata.push(JSON.stringify(event.metadata ?? {}));
      rows.recordedAt.push(event.recordedAt.toISOString());
    }
    if (rows.ids.length === 0) return { appended: 0, alreadyStored };
    const created = new Map<string, bigint>();
    const moved = new Map<string, bigint>();
    for (const stream of new Set(rows.streams)) {
      const last = (next.get(stream) ?? 1n) - 1n;
      (current.has(stream) ? moved : created).set(stream, last);
    }
    await writeEventRows(t, tenant, rows, created, moved);
    return { appended: rows.ids.length, alreadyStored };
  });
}
