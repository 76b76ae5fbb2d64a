/**
 * Plain reads (Streams.Read with a count, forwards) over the client's own gRPC connection.
 *
 * Why not the client's readStream/readAll: in @kurrent/kurrentdb-client 1.3.1 those go through
 * its Rust bridge, which hands back an event's recorded time in whole seconds, while its gRPC
 * path (subscriptions) keeps the server's 100 ns ticks. Events read one way and delivered live the
 * other would disagree on `recordedAt` (as-of replays cutting a second wrong, audit hashes that
 * include the time differing between a rebuild and the live chain). Reading through catch-up
 * subscriptions instead kept the ticks, but a subscription never ends by itself: every read ended
 * with the client cancelling its call, which cost CPU and latency per read and counted against
 * the server's HTTP/2 rapid-reset limit (the stand-in's Node server reset whole sessions after
 * ~1,000 cancels). A plain gRPC read is ended by the server.
 *
 * The client has no public gRPC read, so this uses two of its protected members, the ones its own
 * subscribeToAll uses (`GRPCStreamCreator`: the channel, reconnection and disposal; and
 * `callArguments`: credentials, connection name, deadline), and its own converters of responses
 * and errors. They are checked at first use; the client's version is pinned exactly, and a
 * client without them fails every read loudly rather than silently.
 */
import { createRequire } from 'node:module';
import type { CallOptions, ClientReadableStream, Metadata } from '@grpc/grpc-js';
import type { AllStreamResolvedEvent, KurrentDBClient, ResolvedEvent } from '@kurrent/kurrentdb-client';
import type * as SharedPb from '@kurrent/kurrentdb-client/generated/kurrentdb/protocols/v1/shared_pb.js';
import type * as StreamsGrpc from '@kurrent/kurrentdb-client/generated/kurrentdb/protocols/v1/streams_grpc_pb.js';
import type * as StreamsPb from '@kurrent/kurrentdb-client/generated/kurrentdb/protocols/v1/streams_pb.js';
import type * as ConvertGrpcEvent from '@kurrent/kurrentdb-client/dist/utils/convertGrpcEvent.js';
import type * as CommandError from '@kurrent/kurrentdb-client/dist/utils/CommandError.js';
import { START } from '@kurrent/kurrentdb-client';
import type { LogCursor } from './positions.js';

const require = createRequire(import.meta.url);
const generated = '@kurrent/kurrentdb-client/generated/kurrentdb/protocols/v1';
const sharedPb = require(`${generated}/shared_pb.js`) as typeof SharedPb;
const streamsPb = require(`${generated}/streams_pb.js`) as typeof StreamsPb;
const { StreamsClient } = require(`${generated}/streams_grpc_pb.js`) as typeof StreamsGrpc;
const { convertGrpcEvent } = require('@kurrent/kurrentdb-client/dist/utils/convertGrpcEvent.js') as typeof ConvertGrpcEvent;
const { convertToCommandError } = require('@kurrent/kurrentdb-client/dist/utils/CommandError.js') as typeof CommandError;

type ReadResp = InstanceType<typeof streamsPb.ReadResp>;
type StreamsClientInstance = InstanceType<typeof StreamsClient>;

/** The client's protected members this module uses (see the file comment). */
interface ClientInternals {
  GRPCStreamCreator(Client: typeof StreamsClient, debugName: string, creator: (client: StreamsClientInstance) => ClientReadableStream<ReadResp>): () => Promise<ClientReadableStream<ReadResp>>;
  callArguments(options: object, callOptions?: CallOptions): [Metadata, CallOptions];
}

function internals(client: KurrentDBClient): ClientInternals {
  const candidate = client as unknown as Partial<ClientInternals>;
  if (typeof candidate.GRPCStreamCreator !== 'function' || typeof candidate.callArguments !== 'function') {
    throw new Error('@kurrent/kurrentdb-client no longer has the gRPC members the KurrentDB adapter reads with (see src/eventstore/kurrentdb/grpc-read.ts)');
  }
  return candidate as ClientInternals;
}

/** What a page reads: one stream from a revision, or `$all` from a place, filtered by a stream-name prefix. */
export type PageOf = { readonly stream: string; readonly fromRevision: bigint } | { readonly from: LogCursor; readonly prefix: string };

function request(of: PageOf, count: number): InstanceType<typeof streamsPb.ReadReq> {
  const O = streamsPb.ReadReq.Options;
  const options = new O();
  if ('stream' in of) {
    const stream = new O.StreamOptions();
    stream.setStreamIdentifier(new sharedPb.StreamIdentifier().setStreamName(Buffer.from(of.stream, 'utf8')));
    stream.setRevision(of.fromRevision.toString());
    options.setStream(stream);
    options.setNoFilter(new sharedPb.Empty());
  } else {
    const all = new O.AllOptions();
    if (of.from === START) all.setStart(new sharedPb.Empty());
    else all.setPosition(new O.Position().setCommitPosition(of.from.commit.toString()).setPreparePosition(of.from.prepare.toString()));
    options.setAll(all);
    const filter = new O.FilterOptions();
    filter.setStreamIdentifier(new O.FilterOptions.Expression().setPrefixList([of.prefix]));
    filter.setCount(new sharedPb.Empty());
    filter.setCheckpointintervalmultiplier(1);
    options.setFilter(filter);
  }
  options.setReadDirection(O.ReadDirection.FORWARDS);
  options.setResolveLinks(false);
  options.setCount(count.toString());
  options.setUuidOption(new O.UUIDOption().setString(new sharedPb.Empty()));
  return new streamsPb.ReadReq().setOptions(options);
}

/**
 * At most `count` records forwards from the page's start (a stream revision, or a `$all` place,
 * which the server includes), in order; none for a stream that does not exist. Errors are the
 * client's own (as its other calls throw them), for translateClientError.
 */
export async function readPage(client: KurrentDBClient, of: PageOf, count: number): Promise<Array<ResolvedEvent | AllStreamResolvedEvent>> {
  const { GRPCStreamCreator, callArguments } = internals(client);
  const events: Array<ResolvedEvent | AllStreamResolvedEvent> = [];
  try {
    const call = await GRPCStreamCreator(StreamsClient, 'read', (streams) => streams.read(request(of, count), ...callArguments({})))();
    for await (const response of call as AsyncIterable<ReadResp>) {
      if (response.hasStreamNotFound()) return [];
      const event = response.getEvent();
      if (event) events.push(convertGrpcEvent(event) as ResolvedEvent | AllStreamResolvedEvent);
    }
  } catch (error) {
    throw error instanceof Error ? convertToCommandError(error) : error;
  }
  return events;
}
