import * as grpc from '@grpc/grpc-js';
import { comparePositions, type StoredEvent, type TransactionLog } from './log.js';
import type { streamsPb } from './protocol.js';
import {
  caughtUpResponse,
  checkpointResponse,
  confirmationResponse,
  decodeReadRequest,
  eventResponse,
  streamNotFoundResponse,
  type ReadRequest,
} from './read-request.js';

type ReadReq = InstanceType<typeof streamsPb.ReadReq>;
type ReadResp = InstanceType<typeof streamsPb.ReadResp>;
type ReadCall = grpc.ServerWritableStream<ReadReq, ReadResp>;

/**
 * Records of the log that reads and subscriptions have looked at (matching their filter or not):
 * the work a real server does scanning `$all`, which tests count to see what a read cost.
 */
export interface ScanCounts {
  /** By subscriptions (catch-up and live), one per record considered. */
  subscriptions: number;
  /** By plain reads of `$all` (forwards and backwards), one per record considered. */
  reads: number;
  /**
   * Streams.Read calls that closed before the server ended them: cancelled by the client (an
   * HTTP/2 RST_STREAM), which is how every subscription ends. (grpc-js emits 'cancelled' on every
   * close, so only those the server had not ended count.)
   */
  cancelled: number;
}

/**
 * Streams.Read: reads of one stream or of $all in either direction, and catch-up subscriptions.
 * Follows src/KurrentDB.Core/Services/Transport/Grpc/Streams.Read.cs and the enumerators in
 * src/KurrentDB.Core/Services/Transport/Enumerators/ of https://github.com/kurrent-io/KurrentDB.
 */
export function readHandler(log: TransactionLog, scanned: ScanCounts): (call: ReadCall) => void {
  return (call) => {
    const request = decodeReadRequest(call.request.getOptions()!);
    let ended = false;
    call.on('cancelled', () => {
      if (!ended) scanned.cancelled += 1;
    });
    if (!request.subscription) {
      for (const response of readOnce(log, request, scanned)) call.write(response);
      ended = true;
      call.end();
      return;
    }
    if (request.backwards) {
      call.emit('error', { code: grpc.status.INVALID_ARGUMENT, details: 'Subscriptions only read forwards' });
      return;
    }
    subscribe(log, request, call, scanned);
  };
}

function* readOnce(log: TransactionLog, request: ReadRequest, scanned: ScanCounts): Generator<ReadResp> {
  let limit = request.maxCount;
  if (request.target.kind === 'stream') {
    const events = log.stream(request.target.streamId);
    if (!events) {
      // Enumerator.ReadStreamForwards / Backwards answer NoStream with a StreamNotFound message.
      yield streamNotFoundResponse(request.target.streamId);
      return;
    }
    const from = request.target.from;
    const last = BigInt(events.length - 1);
    const start = from.kind === 'start' ? (request.backwards ? -1n : 0n) : from.kind === 'end' ? (request.backwards ? last : last + 1n) : from.revision;
    if (request.backwards) {
      for (let r = start > last ? last : start; r >= 0n && limit > 0n; r -= 1n, limit -= 1n) yield eventResponse(events[Number(r)]!, request.structuredIds);
    } else {
      for (let r = start < 0n ? 0n : start; r <= last && limit > 0n; r += 1n, limit -= 1n) yield eventResponse(events[Number(r)]!, request.structuredIds);
    }
    return;
  }
  const all = log.all();
  const from = request.target.from;
  const filter = request.filter;
  if (request.backwards) {
    // Reading $all backwards from a position returns the records before it.
    let i = (from.kind === 'start' ? 0 : from.kind === 'end' ? all.length : log.indexOf(from, true)) - 1;
    for (; i >= 0 && limit > 0n; i -= 1) {
      const e = all[i]!;
      scanned.reads += 1;
      if (filter && !filter.matches(e)) continue;
      limit -= 1n;
      yield eventResponse(e, request.structuredIds);
    }
    return;
  }
  // Reading $all forwards from a position starts with the record at that position.
  let i = from.kind === 'end' ? all.length : from.kind === 'start' ? 0 : log.indexOf(from, true);
  for (; i < all.length && limit > 0n; i += 1) {
    const e = all[i]!;
    scanned.reads += 1;
    if (filter && !filter.matches(e)) continue;
    limit -= 1n;
    yield eventResponse(e, request.structuredIds);
  }
}

/**
 * A catch-up subscription: confirmation, the stored events after the start (exclusive, as
 * subscriptions resume after the last event they saw), the caught-up signal, then live events.
 * Catch-up runs synchronously on a snapshot and the live listener is added in the same turn, so
 * no write can fall between the two. Filtered $all subscriptions send a checkpoint every
 * `checkpointInterval` considered events and one when going live, as
 * Enumerator.AllSubscriptionFiltered does.
 */
function subscribe(log: TransactionLog, request: ReadRequest, call: ReadCall, scanned: ScanCounts): void {
  call.write(confirmationResponse());
  const filter = request.filter;
  let considered = 0;
  let lastSent: StoredEvent | undefined;
  let lastCheckpoint: StoredEvent | undefined;
  // A checkpoint at or before the previous one is not sent again (AllSubscriptionFiltered.MoveNextAsync).
  const checkpoint = (at: StoredEvent): void => {
    if (lastCheckpoint && comparePositions(at, lastCheckpoint) <= 0) return;
    lastCheckpoint = at;
    call.write(checkpointResponse(at));
  };
  const deliver = (e: StoredEvent): void => {
    considered += 1;
    scanned.subscriptions += 1;
    if (!filter || filter.matches(e)) {
      call.write(eventResponse(e, request.structuredIds));
      lastSent = e;
    }
    if (filter && considered >= filter.checkpointInterval) {
      considered = 0;
      checkpoint(e);
    }
  };

  const target = request.target;
  if (target.kind === 'stream') {
    const events = log.stream(target.streamId) ?? [];
    const from = target.from;
    const first = from.kind === 'start' ? 0 : from.kind === 'end' ? events.length : Number(from.revision) + 1;
    for (const e of events.slice(first)) deliver(e);
    const revision = lastSent?.revision ?? (from.kind === 'revision' ? from.revision : events.length > 0 && from.kind === 'end' ? BigInt(events.length - 1) : undefined);
    call.write(caughtUpResponse(revision === undefined ? undefined : { revision }));
  } else {
    const all = log.all();
    const from = target.from;
    let i = from.kind === 'start' ? 0 : from.kind === 'end' ? all.length : log.indexOf(from, false);
    for (; i < all.length; i += 1) deliver(all[i]!);
    const head = all[all.length - 1];
    if (filter && head) {
      // "issue a checkpoint when going live to make sure that at least one checkpoint is issued
      // within the checkpoint interval" (Enumerator.AllSubscriptionFiltered.CatchUp).
      considered = 0;
      checkpoint(head);
    }
    call.write(caughtUpResponse(head ? { commit: head.commit, prepare: head.prepare } : undefined));
  }

  const stop = log.onCommit((batch) => {
    for (const e of batch) if (target.kind === 'all' || e.streamId === target.streamId) deliver(e);
  });
  call.on('cancelled', stop);
  call.on('close', stop);
  call.on('error', stop);
}
