import type * as grpc from '@grpc/grpc-js';
import { lostAnswer, type StandInFaults } from './faults.js';
import type { ExpectedRevision, ProposedEvent, TransactionLog } from './log.js';
import { anyPb, emptyPb, sharedPb, statusPb, streamsPb } from './protocol.js';
import { structuredToString } from './append-service.js';

type BatchAppendReq = InstanceType<typeof streamsPb.BatchAppendReq>;
type BatchAppendResp = InstanceType<typeof streamsPb.BatchAppendResp>;
type BatchCall = grpc.ServerDuplexStream<BatchAppendReq, BatchAppendResp>;
type Uuid = InstanceType<typeof sharedPb.UUID>;

interface PendingWrite {
  readonly streamId: string;
  readonly expected: ExpectedRevision;
  readonly events: ProposedEvent[];
}

// google.rpc.Code values the server puts in BatchAppendResp.error.
const ALREADY_EXISTS = 6;
const INVALID_ARGUMENT = 3;

/**
 * Streams.BatchAppend, the path the client takes for `appendToStream` whenever the server lists
 * it (and no per-call credentials are given). One bidirectional call carries many writes, each
 * identified by a correlation id; a write's first message holds the options, the one marked
 * `is_final` closes it. Answers as src/KurrentDB.Core/Services/Transport/Grpc/Streams.BatchAppend.cs:
 * a Success with revision and position, or an error Status — for a wrong expected version code
 * ALREADY_EXISTS, message "WrongExpectedVersion" and an event_store.client.WrongExpectedVersion in
 * the details (Google.Rpc.Status.WrongExpectedVersion) — which the client unpacks into its
 * WrongExpectedVersionError.
 */
export function batchAppendHandler(log: TransactionLog, faults: StandInFaults): (call: BatchCall) => void {
  return (call) => {
    const pending = new Map<string, PendingWrite>();
    call.on('data', (request: BatchAppendReq) => {
      const correlation = request.getCorrelationId();
      const key = correlationKey(correlation);
      const options = request.getOptions();
      if (options) pending.set(key, { streamId: new TextDecoder().decode(options.getStreamIdentifier()!.getStreamName_asU8()), expected: decodeExpected(options), events: [] });
      const write = pending.get(key);
      if (!write) return;
      for (const message of request.getProposedMessagesList()) {
        const map = message.getMetadataMap();
        const type = map.get('type');
        const contentType = map.get('content-type');
        if (!type || !contentType) {
          pending.delete(key);
          call.write(errorResponse(correlation, write.streamId, INVALID_ARGUMENT, `Required metadata property ${type ? 'content-type' : 'type'} is missing`));
          return;
        }
        const id = message.getId();
        const eventId = id?.hasStructured() ? structuredToString(id.getStructured()!) : (id?.getString() ?? '');
        write.events.push({ eventId, type, contentType, data: message.getData_asU8(), metadata: message.getCustomMetadata_asU8() });
      }
      if (!request.getIsFinal()) return;
      pending.delete(key);
      const result = log.write([write]);
      if (!result.ok) {
        const conflict = result.conflicts[0]!;
        const details = new sharedPb.WrongExpectedVersion();
        if (conflict.current === -1n) details.setCurrentNoStream(new emptyPb.Empty());
        else details.setCurrentStreamRevision(conflict.current.toString());
        const e = conflict.expected;
        if (e.kind === 'any') details.setExpectedAny(new emptyPb.Empty());
        if (e.kind === 'no_stream') details.setExpectedNoStream(new emptyPb.Empty());
        if (e.kind === 'stream_exists') details.setExpectedStreamExists(new emptyPb.Empty());
        if (e.kind === 'exact') details.setExpectedStreamPosition(e.revision.toString());
        call.write(errorResponse(correlation, write.streamId, ALREADY_EXISTS, 'WrongExpectedVersion', details.serializeBinary()));
        return;
      }
      if (faults.takeLostAnswer('Streams.BatchAppend')) {
        // The whole call ends, as it would with its connection: every write in flight on it is unanswered.
        call.emit('error', lostAnswer);
        return;
      }
      const success = new streamsPb.BatchAppendResp.Success();
      success.setCurrentRevision(result.streams[0]!.lastRevision.toString());
      success.setPosition(new sharedPb.AllStreamPosition().setCommitPosition(result.commit.toString()).setPreparePosition(result.prepare.toString()));
      call.write(new streamsPb.BatchAppendResp().setCorrelationId(correlation).setStreamIdentifier(streamIdentifier(write.streamId)).setSuccess(success));
    });
    call.on('end', () => call.end());
  };
}

function correlationKey(id: Uuid | undefined): string {
  if (!id) return '';
  return id.hasStructured() ? structuredToString(id.getStructured()!) : id.getString();
}

function decodeExpected(options: InstanceType<typeof streamsPb.BatchAppendReq.Options>): ExpectedRevision {
  const C = streamsPb.BatchAppendReq.Options.ExpectedStreamPositionCase;
  switch (options.getExpectedStreamPositionCase()) {
    case C.STREAM_POSITION:
      return { kind: 'exact', revision: BigInt(options.getStreamPosition()) };
    case C.NO_STREAM:
      return { kind: 'no_stream' };
    case C.STREAM_EXISTS:
      return { kind: 'stream_exists' };
    default:
      return { kind: 'any' };
  }
}

function streamIdentifier(streamId: string): InstanceType<typeof sharedPb.StreamIdentifier> {
  return new sharedPb.StreamIdentifier().setStreamName(new TextEncoder().encode(streamId));
}

function errorResponse(correlation: Uuid | undefined, streamId: string, code: number, message: string, wrongExpectedVersion?: Uint8Array): BatchAppendResp {
  const status = new statusPb.Status().setCode(code).setMessage(message);
  if (wrongExpectedVersion) {
    const any = new anyPb.Any();
    any.setTypeUrl('type.googleapis.com/event_store.client.WrongExpectedVersion');
    any.setValue(wrongExpectedVersion);
    status.setDetails(any);
  }
  return new streamsPb.BatchAppendResp().setCorrelationId(correlation).setStreamIdentifier(streamIdentifier(streamId)).setError(status);
}
