import { randomUUID } from 'node:crypto';
import { sharedPb, streamsPb, timestampPb } from './protocol.js';
import type { StoredEvent } from './log.js';

type ReadReqOptions = InstanceType<typeof streamsPb.ReadReq.Options>;
type ReadResp = InstanceType<typeof streamsPb.ReadResp>;

/** Where a read or subscription starts: a revision / position, or the start or end. */
export type StreamStart = { kind: 'start' } | { kind: 'end' } | { kind: 'revision'; revision: bigint };
export type AllStart = { kind: 'start' } | { kind: 'end' } | { kind: 'position'; commit: bigint; prepare: bigint };

/** A $all filter: KurrentDB matches prefixes with StartsWith and a regex with IsMatch. */
export interface EventFilter {
  readonly matches: (event: StoredEvent) => boolean;
  /** Events considered between two checkpoints: multiplier × max search window (default 32). */
  readonly checkpointInterval: number;
}

/** A Streams.Read request, decoded once. */
export interface ReadRequest {
  readonly target: { kind: 'stream'; streamId: string; from: StreamStart } | { kind: 'all'; from: AllStart };
  readonly backwards: boolean;
  readonly subscription: boolean;
  readonly maxCount: bigint;
  readonly filter: EventFilter | undefined;
  readonly structuredIds: boolean;
}

// KurrentDB's default read batch size, the max search window when the client sends `count`
// (src/KurrentDB.Core/Services/Transport/Enumerators/Enumerator.cs, DefaultReadBatchSize).
const DEFAULT_MAX_SEARCH_WINDOW = 32;
const decoder = new TextDecoder();

/** Decodes the options of a Streams.Read request (proto: kurrentdb/protocols/v1/streams.proto). */
export function decodeReadRequest(options: ReadReqOptions): ReadRequest {
  const O = streamsPb.ReadReq.Options;
  let target: ReadRequest['target'];
  if (options.getStreamOptionCase() === O.StreamOptionCase.STREAM) {
    const s = options.getStream()!;
    const streamId = decoder.decode(s.getStreamIdentifier()!.getStreamName_asU8());
    const RC = O.StreamOptions.RevisionOptionCase;
    const from: StreamStart =
      s.getRevisionOptionCase() === RC.REVISION ? { kind: 'revision', revision: BigInt(s.getRevision()) } : s.getRevisionOptionCase() === RC.END ? { kind: 'end' } : { kind: 'start' };
    target = { kind: 'stream', streamId, from };
  } else {
    const a = options.getAll()!;
    const AC = O.AllOptions.AllOptionCase;
    let from: AllStart = { kind: 'start' };
    if (a.getAllOptionCase() === AC.END) from = { kind: 'end' };
    if (a.getAllOptionCase() === AC.POSITION) {
      const p = a.getPosition()!;
      from = { kind: 'position', commit: BigInt(p.getCommitPosition()), prepare: BigInt(p.getPreparePosition()) };
    }
    target = { kind: 'all', from };
  }
  const subscription = options.getCountOptionCase() === O.CountOptionCase.SUBSCRIPTION;
  return {
    target,
    backwards: options.getReadDirection() === O.ReadDirection.BACKWARDS,
    subscription,
    maxCount: subscription ? -1n : BigInt(options.getCount() || '0'),
    filter: options.getFilterOptionCase() === O.FilterOptionCase.FILTER ? decodeFilter(options.getFilter()!) : undefined,
    structuredIds: options.getUuidOption()?.getContentCase() !== O.UUIDOption.ContentCase.STRING,
  };
}

function decodeFilter(filter: InstanceType<typeof streamsPb.ReadReq.Options.FilterOptions>): EventFilter {
  const FC = streamsPb.ReadReq.Options.FilterOptions.FilterCase;
  const onStream = filter.getFilterCase() === FC.STREAM_IDENTIFIER;
  const expression = onStream ? filter.getStreamIdentifier()! : filter.getEventType()!;
  const field = (e: StoredEvent): string => (onStream ? e.streamId : e.type);
  // EventFilter.StreamName.Regex / Prefixes (src/KurrentDB.Core/Services/Storage/ReaderIndex/EventFilter.cs):
  // a non-empty regex wins over prefixes. .NET and JavaScript regexes agree on the usual syntax.
  const regex = expression.getRegex();
  const prefixes = expression.getPrefixList();
  const matches = regex ? ((pattern: RegExp) => (e: StoredEvent) => pattern.test(field(e)))(new RegExp(regex)) : (e: StoredEvent) => prefixes.some((p) => field(e).startsWith(p));
  const window = filter.getWindowCase() === streamsPb.ReadReq.Options.FilterOptions.WindowCase.MAX ? filter.getMax() : DEFAULT_MAX_SEARCH_WINDOW;
  return { matches, checkpointInterval: Math.max(1, filter.getCheckpointintervalmultiplier()) * window };
}

function eventId(id: string, structured: boolean): InstanceType<typeof sharedPb.UUID> {
  const uuid = new sharedPb.UUID();
  if (!structured) return uuid.setString(id);
  // Uuid.ToDto: the 16 bytes in RFC order, read as two big-endian signed 64-bit integers.
  const hex = id.replace(/-/g, '');
  const signed = (h: string): string => BigInt.asIntN(64, BigInt(`0x${h}`)).toString();
  const s = new sharedPb.UUID.Structured();
  s.setMostSignificantBits(signed(hex.slice(0, 16)));
  s.setLeastSignificantBits(signed(hex.slice(16)));
  return uuid.setStructured(s);
}

/** A ReadResp carrying one event, shaped like ResponseConverter.ConvertToReadEvent (Streams.Read.cs). */
export function eventResponse(e: StoredEvent, structuredIds: boolean): ReadResp {
  const recorded = new streamsPb.ReadResp.ReadEvent.RecordedEvent();
  recorded.setId(eventId(e.eventId, structuredIds));
  recorded.setStreamIdentifier(new sharedPb.StreamIdentifier().setStreamName(new TextEncoder().encode(e.streamId)));
  recorded.setStreamRevision(e.revision.toString());
  recorded.setCommitPosition(e.commit.toString());
  recorded.setPreparePosition(e.prepare.toString());
  // MetadataHelpers.AddGrpcMetadataFrom: type, created (ticks since the Unix epoch), content-type.
  recorded.getMetadataMap().set('type', e.type).set('created', e.created.toString()).set('content-type', e.contentType);
  recorded.setCustomMetadata(e.metadata);
  recorded.setData(e.data);
  const read = new streamsPb.ReadResp.ReadEvent();
  read.setEvent(recorded);
  read.setCommitPosition(e.commit.toString());
  return new streamsPb.ReadResp().setEvent(read);
}

/** The first message of every subscription. */
export function confirmationResponse(): ReadResp {
  return new streamsPb.ReadResp().setConfirmation(new streamsPb.ReadResp.SubscriptionConfirmation().setSubscriptionId(randomUUID()));
}

/** A filtered $all subscription's checkpoint. */
export function checkpointResponse(position: { commit: bigint; prepare: bigint }): ReadResp {
  const c = new streamsPb.ReadResp.Checkpoint();
  c.setCommitPosition(position.commit.toString()).setPreparePosition(position.prepare.toString());
  c.setTimestamp(timestampPb.Timestamp.fromDate(new Date()));
  return new streamsPb.ReadResp().setCheckpoint(c);
}

/** The caught-up signal, with the stream revision or $all position reached when there is one. */
export function caughtUpResponse(at: { revision: bigint } | { commit: bigint; prepare: bigint } | undefined): ReadResp {
  const c = new streamsPb.ReadResp.CaughtUp();
  c.setTimestamp(timestampPb.Timestamp.fromDate(new Date()));
  if (at && 'revision' in at) c.setStreamRevision(at.revision.toString());
  if (at && 'commit' in at) c.setPosition(new streamsPb.ReadResp.Position().setCommitPosition(at.commit.toString()).setPreparePosition(at.prepare.toString()));
  return new streamsPb.ReadResp().setCaughtUp(c);
}

/** The answer to reading a stream that does not exist. */
export function streamNotFoundResponse(streamId: string): ReadResp {
  const nf = new streamsPb.ReadResp.StreamNotFound().setStreamIdentifier(new sharedPb.StreamIdentifier().setStreamName(new TextEncoder().encode(streamId)));
  return new streamsPb.ReadResp().setStreamNotFound(nf);
}
