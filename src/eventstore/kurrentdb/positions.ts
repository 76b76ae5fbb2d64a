/**
 * Positions of the KurrentDB adapter. The port's opaque token is the event's own log position, as
 * a decimal string: a number that fits the bigint columns where projectors, read models and audit
 * seals keep positions.
 *
 * A `$all` position is a pair (commit, prepare), ordered commit first. Why one number is enough:
 * KurrentDB's gRPC appends (single-stream, and the 25.1 multi-stream append alike) write every
 * event as a committed prepare record, and the `$all` reader reports such a record with its own
 * log position as both commit and prepare position (the AllReader of KurrentDB,
 * src/KurrentDB.Core/Services/Storage/ReaderIndex/AllReader.cs, adds
 * `new CommitEventRecord(eventRecord, prepare.LogPosition)` for committed prepares). So for every
 * event this adapter reads from a current server commit = prepare, each event has a number of its
 * own, and those numbers order `$all`. Only the explicit transactions of the old TCP API (gone
 * from EventStoreDB 24) gave several events one commit position (the commit record's) and
 * distinct prepare positions. The token is the prepare position, which is the commit position on
 * a current server and still one per event where a log shares commit positions (the test
 * stand-in does); readers that page or resubscribe keep the exact pair internally (see
 * {@link LogCursor}), so the shared case is read without gaps within one read.
 *
 * Positions are sparse (byte offsets in the log, with other tenants' and system events between),
 * so they order events and mark places but do not count them.
 */
import { START, type Position as LogPosition } from '@kurrent/kurrentdb-client';
import { startPosition, type Position } from '../event-store.js';

/** The port's token for a log position. */
export function toPosition(position: LogPosition | undefined): Position {
  if (!position) throw new Error('KurrentDB returned an event without a log position');
  return position.prepare.toString();
}

/** A place in `$all` to go on reading from: the exact pair where known, else the one a token stands for. */
export type LogCursor = typeof START | LogPosition;

/**
 * Where a forward read of `$all` starts for the events after the token `after`: the log's start,
 * or `after` itself as commit and prepare (exact on a current server, where the two are equal).
 * The server reads from a position inclusively (events at TFPos >= pos), so readers drop events
 * at or before `after` ({@link isAfter}).
 */
export function cursorOf(after: Position): LogCursor {
  if (after === startPosition) return START;
  const position = BigInt(after);
  return { commit: position, prepare: position };
}

/** Whether `position` lies after `after` (the event at `after` itself, read again by an inclusive start, does not). */
export function isAfter(position: Position, after: Position): boolean {
  return BigInt(position) > BigInt(after);
}
