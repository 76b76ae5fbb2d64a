/**
 * Appends of the KurrentDB adapter: one stream through the v1 append, several streams of one
 * tenant atomically through the v2 multi-stream append (KurrentDB 25.1+). Idempotency beyond the
 * server's recent-id window comes from the EventIdLedger (see event-id-ledger.ts):
 *
 * 1. Under the locks of its streams, each stream's stored ids are checked: ids all stored answer
 *    that stream as a duplicate (revision and position of its last id, as the first time); ids
 *    partly stored are refused (DuplicateEventIds); the rest are written. The ledger is read
 *    forward first unless it already stands at the exact revision expected (then any stored id
 *    would be at or below it and known, or above it and the write refused as a conflict).
 * 2. A write refused for a wrong expected revision reads the streams forward again: a retry whose
 *    ids arrived meanwhile (another process's first attempt) is answered as a duplicate; a real
 *    conflict throws WrongExpectedRevision with the stream's actual revision.
 * 3. A write whose connection broke before the answer (the HTTP/2 session reset, a leader change)
 *    has an unknown outcome: it is tried again a few times after a pause, reading the streams
 *    first as in 2, so a write the server did store is neither written twice nor reported as
 *    failed. Found stored then, it is answered as written (`duplicate: false`, the revisions and
 *    positions it was stored at), as the PostgreSQL store answers the one call that wrote its
 *    events: the caller made one append, not a retry. Only when the server stays unreachable does
 *    the append throw EventStoreUnavailable.
 */
import { ANY, NO_STREAM, STREAM_EXISTS, type AppendStreamState, type KurrentDBClient } from '@kurrent/kurrentdb-client';
import {
  DuplicateEventIds,
  EventStoreUnavailable,
  InvalidAppend,
  WrongExpectedRevision,
  type AppendResult,
  type ExpectedRevision,
  type Position,
  type StreamAppend,
} from '../event-store.js';
import { parseStreamName } from '../stream-name.js';
import { isUnreachable, isWrongExpectedVersion, translateClientError } from './errors.js';
import { EventIdLedger, type StoredEvent, type StreamIds } from './event-id-ledger.js';
import { toPosition } from './positions.js';
import { toEventData, toMultiAppendEventData } from './recorded-events.js';

/** What appends need: the client, the ledger, and a way to find a stored event's position. */
export interface AppendContext {
  readonly client: KurrentDBClient;
  readonly ledger: EventIdLedger;
  /** The position of the event at `revision` of `stream` (for a duplicate whose position the ledger lacks). */
  readonly positionAt: (stream: string, revision: bigint) => Promise<Position>;
}

/** A retry whose ids reappear after a conflict is retried at most this often before giving up as a conflict. */
const maxAttempts = 3;

/**
 * Writes whose connection broke (a reset HTTP/2 session, a leader change) are tried at most this
 * often in all, the n-th retry after n × {@link lostWriteDelayMs}: long enough for the client to
 * open a new connection, short enough to stay inside a request's time.
 */
const maxLostWriteAttempts = 4;
const lostWriteDelayMs = 250;

function streamState(expected: ExpectedRevision): AppendStreamState {
  if (expected === 'no_stream') return NO_STREAM;
  if (expected === 'exists') return STREAM_EXISTS;
  if (expected === 'any') return ANY;
  return expected;
}

/** The same rules as the PostgreSQL adapter's: streams of one tenant, each once, events given, ids unique. */
function validate(appends: readonly StreamAppend[]): void {
  if (appends.length === 0) throw new InvalidAppend('appendMany needs at least one stream');
  for (const append of appends) {
    if (!parseStreamName(append.stream)) throw new InvalidAppend(`not a stream name: ${JSON.stringify(append.stream)}`);
    if (append.events.length === 0) throw new InvalidAppend(`no events to append to ${append.stream}`);
    if (typeof append.expectedRevision === 'bigint' && append.expectedRevision < 0n) throw new InvalidAppend(`expected revision must not be negative: ${append.expectedRevision}`);
  }
  if (new Set(appends.map((append) => append.stream)).size !== appends.length) throw new InvalidAppend('a stream appears twice in one appendMany');
  if (new Set(appends.map((append) => parseStreamName(append.stream)?.tenant)).size > 1) throw new InvalidAppend('one appendMany writes to one tenant only');
  const ids = appends.flatMap((append) => append.events.map((event) => event.id));
  if (new Set(ids).size !== ids.length) throw new InvalidAppend('an event id appears twice in one appendMany');
}

/** Whether the ledger's knowledge of a stream settles the check without reading it. */
function settledWithoutReading(known: StreamIds | undefined, expected: ExpectedRevision): boolean {
  if (!known) return false;
  if (typeof expected === 'bigint') return known.revision === expected;
  return expected === 'no_stream' && known.revision === undefined;
}

/**
 * Appends to one or more streams of one tenant, all or nothing, and answers one result per
 * append in the order given. Throws the port's typed errors.
 */
export async function appendToStreams(context: AppendContext, appends: readonly StreamAppend[]): Promise<AppendResult[]> {
  validate(appends);
  const { ledger } = context;
  return await ledger.withStreams(
    appends.map((append) => append.stream),
    async () => {
      const results = new Map<string, AppendResult>();
      let pending = [...appends];
      let reread = false;
      let lostWrites = 0;
      // Streams of a write sent whose answer was lost: their ids found stored were written by this call.
      const unanswered = new Set<string>();
      for (let attempt = 1; ; attempt += 1) {
        const toWrite: StreamAppend[] = [];
        let sent = false;
        try {
          for (const append of pending) {
            const known = ledger.known(append.stream);
            const entry = !reread && settledWithoutReading(known, append.expectedRevision) && known ? known : await ledger.catchUp(append.stream);
            const stored = EventIdLedger.stored(entry, append.events.map((event) => event.id));
            if (stored.kind === 'some') throw new DuplicateEventIds(append.stream);
            if (stored.kind === 'all') results.set(append.stream, await duplicate(context, append.stream, stored.last, unanswered.has(append.stream)));
            else toWrite.push(append);
          }
          if (toWrite.length === 0) break;
          sent = true;
          for (const [stream, result] of await write(context, toWrite)) results.set(stream, result);
          break;
        } catch (error) {
          if (error instanceof DuplicateEventIds) throw error;
          if ((isUnreachable(error) || error instanceof EventStoreUnavailable) && lostWrites < maxLostWriteAttempts - 1) {
            // The server may have stored the write before the session broke: the retry reads the
            // streams again first, so nothing is written twice, and ids found stored were this
            // call's own write (answered as written, not as a duplicate).
            if (sent) for (const append of toWrite) unanswered.add(append.stream);
            lostWrites += 1;
            await new Promise((resolve) => setTimeout(resolve, lostWriteDelayMs * lostWrites));
            reread = true;
            attempt -= 1;
            continue;
          }
          if (!isWrongExpectedVersion(error)) throw translateClientError(error, `append to ${toWrite.map((append) => append.stream).join(', ')}`);
          // Retried ids that another process stored meanwhile turn a conflict into a duplicate.
          const retried = await Promise.all(toWrite.map(async (append) => EventIdLedger.stored(await ledger.catchUp(append.stream), append.events.map((event) => event.id)).kind !== 'none'));
          if (attempt >= maxAttempts || !retried.some(Boolean)) throw conflict(ledger, toWrite, error.streamName);
          pending = toWrite;
          reread = true;
        }
      }
      return appends.map((append) => results.get(append.stream) as AppendResult);
    },
  );
}

/** The answer for ids found stored: a duplicate, unless this call's own write (its answer lost) stored them. */
async function duplicate(context: AppendContext, stream: string, last: StoredEvent, writtenByThisCall: boolean): Promise<AppendResult> {
  const position = last.position ?? (await context.positionAt(stream, last.revision));
  return { revision: last.revision, position, duplicate: !writtenByThisCall };
}

/** The port's conflict for the stream the server named (or the first whose revision is not what was expected). */
function conflict(ledger: EventIdLedger, appends: readonly StreamAppend[], named: string | undefined): WrongExpectedRevision {
  const append = appends.find((candidate) => candidate.stream === named) ?? appends[0];
  const stream = append?.stream ?? named ?? '';
  return new WrongExpectedRevision(stream, append?.expectedRevision ?? 'any', ledger.known(stream)?.revision ?? 'no_stream');
}

/** Writes streams none of whose ids are stored: v1 append for one stream, the multi-stream append for several. */
async function write(context: AppendContext, appends: readonly StreamAppend[]): Promise<Array<[string, AppendResult]>> {
  const { client, ledger } = context;
  const [single] = appends;
  if (appends.length === 1 && single) {
    const written = await client.appendToStream(single.stream, single.events.map(toEventData), { streamState: streamState(single.expectedRevision) });
    const position = toPosition(written.position);
    ledger.appended(single.stream, single.events.map((event) => event.id), written.nextExpectedRevision, position);
    return [[single.stream, { revision: written.nextExpectedRevision, position, duplicate: false }]];
  }
  // Streams in name order, as the PostgreSQL adapter stores them: one order for every adapter.
  const ordered = [...appends].sort((a, b) => (a.stream < b.stream ? -1 : a.stream > b.stream ? 1 : 0));
  await client.multiStreamAppend(
    ordered.map((append) => ({ streamName: append.stream, events: append.events.map(toMultiAppendEventData), expectedState: streamState(append.expectedRevision) })),
  );
  // The answer holds one position for the whole append; each stream's own (that of its last
  // event, as the port answers) is read back with the new events, which also fills the ledger.
  return await Promise.all(
    ordered.map(async (append): Promise<[string, AppendResult]> => {
      const entry = await ledger.catchUp(append.stream);
      const last = entry.ids.get(append.events.at(-1)?.id ?? '');
      if (!last) throw new Error(`multi-stream append to ${append.stream}: its events are not in the stream after the append`);
      return [append.stream, { revision: last.revision, position: last.position ?? (await context.positionAt(append.stream, last.revision)), duplicate: false }];
    }),
  );
}
