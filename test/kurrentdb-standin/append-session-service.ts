import { randomUUID } from 'node:crypto';
import * as grpc from '@grpc/grpc-js';
import { lostAnswer, type StandInFaults } from './faults.js';
import type { ExpectedRevision, ProposedEvent, StreamWrite, TransactionLog } from './log.js';
import { anyPb, statusPb, v2ErrorsPb, v2StreamsPb } from './protocol.js';

type AppendRequest = InstanceType<typeof v2StreamsPb.AppendRequest>;
type AppendSessionResponse = InstanceType<typeof v2StreamsPb.AppendSessionResponse>;
type SessionCall = grpc.ServerReadableStream<AppendRequest, AppendSessionResponse>;

const encoder = new TextEncoder();

/**
 * kurrentdb.protocol.v2.streams.StreamsService/AppendSession (KurrentDB 25.1+), what the client's
 * `multiStreamAppend` calls: one AppendRequest per stream, committed as one transaction when the
 * client half-closes. Behaviour after src/KurrentDB.Core/Services/Transport/Grpc/V2/
 * MultiStreamAppendService.cs and MultiStreamAppendConverter.cs and the comments of
 * protocols/v2/streams/streams.proto: atomic, every expected revision checked before anything is
 * written, a stream at most once per session, no empty request; one position (the transaction's
 * commit position) for every stream. A revision conflict is a gRPC FAILED_PRECONDITION whose
 * google.rpc.Status details hold a StreamRevisionConflictErrorDetails (RpcExceptions, "Append
 * failed due to a revision conflict on stream ..."), which the client maps to its
 * WrongExpectedVersionError.
 */
export function appendSessionHandler(log: TransactionLog, faults: StandInFaults): (call: SessionCall, callback: grpc.sendUnaryData<AppendSessionResponse>) => void {
  return (call, callback) => {
    const requests: AppendRequest[] = [];
    call.on('data', (request: AppendRequest) => requests.push(request));
    call.on('end', () => {
      const invalid = validate(requests);
      if (invalid) return callback({ code: grpc.status.INVALID_ARGUMENT, details: invalid }, null);
      let writes: StreamWrite[];
      try {
        writes = requests.map(toStreamWrite);
      } catch (error) {
        return callback({ code: grpc.status.INVALID_ARGUMENT, details: (error as Error).message }, null);
      }
      const result = log.write(writes);
      if (!result.ok) {
        // The server reports the first conflicting stream only.
        const conflict = result.conflicts[0]!;
        const expected = encodeExpected(conflict.expected);
        const details = new v2ErrorsPb.StreamRevisionConflictErrorDetails().setStream(conflict.streamId).setExpectedRevision(expected).setActualRevision(conflict.current.toString());
        const message = `Append failed due to a revision conflict on stream '${conflict.streamId}'. Expected revision: ${expected}. Actual revision: ${conflict.current}.`;
        return callback(richError(grpc.status.FAILED_PRECONDITION, message, 'kurrentdb.protocol.v2.streams.errors.StreamRevisionConflictErrorDetails', details.serializeBinary()), null);
      }
      if (faults.takeLostAnswer('StreamsService.AppendSession')) return callback(lostAnswer, null);
      const response = new v2StreamsPb.AppendSessionResponse().setPosition(result.commit.toString());
      response.setOutputList(
        result.streams.map((s) => new v2StreamsPb.AppendResponse().setStream(s.streamId).setStreamRevision(s.lastRevision.toString()).setPosition(result.commit.toString())),
      );
      callback(null, response);
    });
  };
}

function validate(requests: readonly AppendRequest[]): string | undefined {
  if (requests.length === 0) return 'At least one AppendRequest must be present';
  const seen = new Set<string>();
  for (const r of requests) {
    if (r.getRecordsList().length === 0) return `Write to stream "${r.getStream()}" does not have any records`;
    if (seen.has(r.getStream())) return `Two AppendRequests for one stream is not currently supported: "${r.getStream()}" is already in the request list`;
    seen.add(r.getStream());
  }
  return undefined;
}

/** The wire's expected revision: -2 any, -1 no stream, -4 stream exists, else the revision. */
function decodeExpected(request: AppendRequest): ExpectedRevision {
  if (!request.hasExpectedRevision()) return { kind: 'any' };
  const value = BigInt(request.getExpectedRevision() ?? '-2');
  if (value === -2n) return { kind: 'any' };
  if (value === -1n) return { kind: 'no_stream' };
  if (value === -4n) return { kind: 'stream_exists' };
  return { kind: 'exact', revision: value };
}

function encodeExpected(expected: ExpectedRevision): string {
  switch (expected.kind) {
    case 'any':
      return '-2';
    case 'no_stream':
      return '-1';
    case 'stream_exists':
      return '-4';
    case 'exact':
      return expected.revision.toString();
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function toStreamWrite(request: AppendRequest): StreamWrite {
  const events: ProposedEvent[] = request.getRecordsList().map((record) => {
    const eventId = record.hasRecordId() ? record.getRecordId()! : randomUUID();
    if (!UUID.test(eventId)) throw new Error(`Could not parse RecordId "${eventId}" to GUID`);
    const schema = record.getSchema();
    const format = schema?.getFormat() ?? v2StreamsPb.SchemaFormat.SCHEMA_FORMAT_UNSPECIFIED;
    // Properties become the event's metadata as JSON (MultiStreamAppendConverter.ConvertToEvent);
    // the client only sends string values.
    const properties: Record<string, unknown> = {};
    for (const [key, value] of record.getPropertiesMap().entries()) properties[key] = value.toJavaScript();
    const hasProperties = Object.keys(properties).length > 0;
    return {
      eventId: eventId.toLowerCase(),
      type: schema?.getName() ?? '',
      contentType: format === v2StreamsPb.SchemaFormat.SCHEMA_FORMAT_JSON ? 'application/json' : 'application/octet-stream',
      data: record.getData_asU8(),
      metadata: hasProperties ? encoder.encode(JSON.stringify(properties)) : new Uint8Array(),
    };
  });
  return { streamId: request.getStream(), expected: decodeExpected(request), events };
}

/** A gRPC error carrying google.rpc.Status in `grpc-status-details-bin`, as ASP.NET's rich errors do. */
function richError(code: grpc.status, message: string, typeName: string, value: Uint8Array): Partial<grpc.StatusObject> {
  const any = new anyPb.Any();
  any.setTypeUrl(`type.googleapis.com/${typeName}`);
  any.setValue(value);
  const status = new statusPb.Status().setCode(code as number).setMessage(message).setDetails(any);
  const metadata = new grpc.Metadata();
  metadata.set('grpc-status-details-bin', Buffer.from(status.serializeBinary()));
  return { code, details: message, metadata };
}
