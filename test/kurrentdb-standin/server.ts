import * as grpc from '@grpc/grpc-js';
import { appendHandler } from './append-service.js';
import { appendSessionHandler } from './append-session-service.js';
import { batchAppendHandler } from './batch-append-service.js';
import { StandInFaults } from './faults.js';
import { TransactionLog, type LogOptions } from './log.js';
import { featuresGrpc, featuresPb, streamsGrpc, v2StreamsGrpc } from './protocol.js';
import { readHandler, type ScanCounts } from './read-service.js';

/** What `startStandIn` accepts: a port (0, the default, picks a free one) and the log's settings. */
export interface StandInOptions extends LogOptions {
  readonly port?: number;
  readonly host?: string;
}

/** A running stand-in: its plain-text connection string, its log (for tests) and how to stop it. */
export interface StandIn {
  readonly url: string;
  readonly port: number;
  readonly log: TransactionLog;
  /** How many calls each RPC has received, e.g. `calls.get('Streams.BatchAppend')`. */
  readonly calls: ReadonlyMap<string, number>;
  /** Records of the log that subscriptions and plain reads have considered so far, and reads the client cancelled (see ScanCounts). */
  readonly scanned: Readonly<ScanCounts>;
  /** Faults a test injects (answers lost after a write was stored). */
  readonly faults: StandInFaults;
  stop(): Promise<void>;
}

// The version the stand-in claims: the first KurrentDB with the v2 append session (25.1).
const SERVER_VERSION = '25.1.0';

/**
 * ServerFeatures.GetSupportedMethods, as src/KurrentDB.Core/Services/Transport/Grpc/ServerFeatures.cs
 * builds it: lower-case service and method names, "position"/"events" features on Streams.Read.
 * Only what the stand-in serves is listed. As on a real server the client then appends through
 * BatchAppend (Streams.Append only with per-call credentials), and finds the v2 AppendSession it
 * needs for multiStreamAppend (it refuses multiStreamAppend when the server does not list it).
 */
function supportedMethods(): InstanceType<typeof featuresPb.SupportedMethods> {
  const method = (service: string, name: string, features: string[] = []): InstanceType<typeof featuresPb.SupportedMethod> =>
    new featuresPb.SupportedMethod().setServiceName(service.toLowerCase()).setMethodName(name.toLowerCase()).setFeaturesList(features);
  return new featuresPb.SupportedMethods()
    .setEventStoreServerVersion(SERVER_VERSION)
    .setMethodsList([
      method('event_store.client.streams.Streams', 'Read', ['position', 'events']),
      method('event_store.client.streams.Streams', 'Append'),
      method('event_store.client.streams.Streams', 'BatchAppend', ['deadline_duration']),
      method('event_store.client.server_features.ServerFeatures', 'GetSupportedMethods'),
      method('kurrentdb.protocol.v2.streams.StreamsService', 'AppendSession'),
    ]);
}

function unimplemented(name: string): grpc.handleUnaryCall<unknown, unknown> {
  return (_call, callback) => callback({ code: grpc.status.UNIMPLEMENTED, details: `The KurrentDB stand-in does not implement ${name}` }, null);
}

/**
 * Starts an in-memory KurrentDB stand-in on 127.0.0.1 speaking the real gRPC protocol in plain
 * text. Connect with the returned `url` (`kurrentdb://127.0.0.1:PORT?tls=false`).
 */
export async function startStandIn(options: StandInOptions = {}): Promise<StandIn> {
  const log = new TransactionLog(options);
  const faults = new StandInFaults();
  const scanned: ScanCounts = { subscriptions: 0, reads: 0, cancelled: 0 };
  const server = new grpc.Server();
  const calls = new Map<string, number>();
  const counted = <H extends (...args: never[]) => void>(name: string, handler: H): H =>
    ((...args: Parameters<H>) => {
      calls.set(name, (calls.get(name) ?? 0) + 1);
      handler(...args);
    }) as H;
  server.addService(featuresGrpc.ServerFeaturesService, {
    getSupportedMethods: counted('ServerFeatures.GetSupportedMethods', (_call: unknown, callback: grpc.sendUnaryData<unknown>) => callback(null, supportedMethods())),
  });
  server.addService(streamsGrpc.StreamsService, {
    read: counted('Streams.Read', readHandler(log, scanned)),
    append: counted('Streams.Append', appendHandler(log, faults)),
    delete: unimplemented('Streams.Delete'),
    tombstone: unimplemented('Streams.Tombstone'),
    batchAppend: counted('Streams.BatchAppend', batchAppendHandler(log, faults)),
  });
  server.addService(v2StreamsGrpc.StreamsServiceService, {
    appendSession: counted('StreamsService.AppendSession', appendSessionHandler(log, faults)),
    appendRecords: unimplemented('StreamsService.AppendRecords'),
  });
  const host = options.host ?? '127.0.0.1';
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync(`${host}:${options.port ?? 0}`, grpc.ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound))),
  );
  return {
    url: `kurrentdb://${host}:${port}?tls=false`,
    port,
    log,
    calls,
    faults,
    scanned,
    stop: () =>
      new Promise<void>((resolve) => {
        // Subscriptions never end by themselves, so a graceful shutdown would wait forever.
        server.forceShutdown();
        resolve();
      }),
  };
}
