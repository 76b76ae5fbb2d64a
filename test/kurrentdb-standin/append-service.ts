import * as grpc from '@grpc/grpc-js';
import { lostAnswer, type StandInFaults } from './faults.js';
import type { ExpectedRevision, ProposedEvent, RevisionConflict, TransactionLog } from './log.js';
import { sharedPb, streamsPb } from './protocol.js';

type AppendReq = InstanceType<typeof streamsPb.AppendReq>;
type AppendResp = InstanceType<typeof streamsPb.AppendResp>;
type AppendCall = grpc.ServerReadableStream<AppendReq, AppendResp>;
type Empty = InstanceType<typeof sharedPb.Empty>;

/**
 * Streams.Append (v1): the first message carries the stream and expected revision, each further
 * message one proposed event. Answers as src/KurrentDB.Core/Services/Transport/Grpc/Streams.Append.cs
 * does: a Success with the stream's revision and the write's position, or — not a gRPC error — a
 * WrongExpectedVersion message carrying both the current and the legacy "2060" fields, which the
 * client turns into its WrongExpectedVersionError.
 */
export function appendHandler(log: TransactionLog, faults: StandInFaults): (call: AppendCall, callback: grpc.sendUnaryData<AppendResp>) => void {
  return (call, callback) => {
    let header: InstanceType<typeof streamsPb.AppendReq.Options> | undefined;
    const events: ProposedEvent[] = [];
    let failed = false;
    const fail = (details: string, exception?: string): void => {
      if (failed) return;
      failed = true;
      const metadata = new grpc.Metadata();
      if (exception) metadata.set('exception', exception);
      callback({ code: grpc.status.INVALID_ARGUMENT, details, metadata }, null);
    };
    call.on('data', (req: AppendReq) => {
      if (req.hasOptions()) {
        header = req.getOptions();
        return;
      }
      const message = req.getProposedMessage();
      if (!message) return;
      const map = message.getMetadataMap();
      const type = map.get('type');
      const contentType = map.get('content-type');
      // RpcExceptions.RequiredMetadataPropertyMissing: exception metadata 'missing-required-metadata-property'.
      if (!type || !contentType) return fail(`Required metadata property ${type ? 'content-type' : 'type'} is missing`, 'missing-required-metadata-property');
      const id = message.getId();
      const eventId = id?.hasStructured() ? structuredToString(id.getStructured()!) : (id?.getString() ?? '');
      events.push({ eventId, type, contentType, data: message.getData_asU8(), metadata: message.getCustomMetadata_asU8() });
    });
    call.on('end', () => {
      if (failed) return;
      if (!header) return fail('The first append message must carry the options');
      const streamId = new TextDecoder().decode(header.getStreamIdentifier()!.getStreamName_asU8());
      const expected = decodeExpected(header);
      const result = log.write([{ streamId, expected, events }]);
      if (!result.ok) {
        callback(null, wrongExpectedVersion(result.conflicts[0]!));
        return;
      }
      if (faults.takeLostAnswer('Streams.Append')) return callback(lostAnswer, null);
      const success = new streamsPb.AppendResp.Success();
      success.setCurrentRevision(result.streams[0]!.lastRevision.toString());
      success.setPosition(new streamsPb.AppendResp.Position().setCommitPosition(result.commit.toString()).setPreparePosition(result.prepare.toString()));
      callback(null, new streamsPb.AppendResp().setSuccess(success));
    });
  };
}

function decodeExpected(options: InstanceType<typeof streamsPb.AppendReq.Options>): ExpectedRevision {
  const C = streamsPb.AppendReq.Options.ExpectedStreamRevisionCase;
  switch (options.getExpectedStreamRevisionCase()) {
    case C.REVISION:
      return { kind: 'exact', revision: BigInt(options.getRevision()) };
    case C.NO_STREAM:
      return { kind: 'no_stream' };
    case C.STREAM_EXISTS:
      return { kind: 'stream_exists' };
    default:
      return { kind: 'any' };
  }
}

function wrongExpectedVersion(conflict: RevisionConflict): AppendResp {
  const w = new streamsPb.AppendResp.WrongExpectedVersion();
  const empty = (): Empty => new sharedPb.Empty();
  const e = conflict.expected;
  if (e.kind === 'any') w.setExpectedAny(empty()).setAny2060(empty());
  if (e.kind === 'stream_exists') w.setExpectedStreamExists(empty()).setStreamExists2060(empty());
  // The server sends ulong.MaxValue in the legacy field for no_stream.
  if (e.kind === 'no_stream') w.setExpectedNoStream(empty()).setExpectedRevision2060(Number.MAX_SAFE_INTEGER);
  if (e.kind === 'exact') w.setExpectedRevision(e.revision.toString()).setExpectedRevision2060(Number(e.revision));
  if (conflict.current === -1n) w.setCurrentNoStream(empty()).setNoStream2060(empty());
  else w.setCurrentRevision(conflict.current.toString()).setCurrentRevision2060(Number(conflict.current));
  return new streamsPb.AppendResp().setWrongExpectedVersion(w);
}

/** UUID.Structured back to the canonical string (two big-endian 64-bit halves). */
export function structuredToString(s: InstanceType<typeof sharedPb.UUID.Structured>): string {
  const hex = (v: string): string => BigInt.asUintN(64, BigInt(v)).toString(16).padStart(16, '0');
  const ms = hex(s.getMostSignificantBits());
  const ls = hex(s.getLeastSignificantBits());
  return `${ms.slice(0, 8)}-${ms.slice(8, 12)}-${ms.slice(12)}-${ls.slice(0, 4)}-${ls.slice(4)}`;
}
