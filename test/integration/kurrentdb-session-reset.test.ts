/**
 * The KurrentDB adapter against a server whose connections break mid-call, as a real server's do
 * when it resets an HTTP/2 session (the stand-in's Node HTTP/2 layer does so to a client that
 * cancels streams faster than its rapid-reset limit allows, see the stand-in's README), when a
 * leader steps down, or when a load balancer ends a connection. A TCP proxy between client and
 * stand-in cuts every connection at the moment the server answers a write: the server has stored
 * it, the client only sees its session closed. The append must neither fail nor write twice.
 * Live subscriptions already resubscribed after such a cut; the second test keeps it so.
 */
import { randomUUID } from 'node:crypto';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { firstValueFrom, take, toArray } from 'rxjs';
import type { EventToAppend } from '../../src/eventstore/event-store.js';
import { KurrentDbEventStore } from '../../src/eventstore/kurrentdb/kurrentdb-event-store.js';
import { streamName } from '../../src/eventstore/stream-name.js';
import { createLogger } from '../../src/logger.js';
import { startStandIn, type StandIn } from '../kurrentdb-standin/server.js';

const logger = createLogger('silent');
const event = (n: number): EventToAppend => ({ id: randomUUID(), type: 'ThingHappened', data: { n }, metadata: { user: 'tester' } });

/** A TCP proxy that, once armed, cuts every connection instead of passing on the server's next bytes. */
interface CuttingProxy {
  readonly port: number;
  /** How many times it has cut. */
  readonly cuts: number;
  armCutOnNextAnswer(): void;
  /** Cuts every connection now. */
  cutNow(): void;
  close(): Promise<void>;
}

async function startCuttingProxy(target: number): Promise<CuttingProxy> {
  const sockets = new Set<net.Socket>();
  let armed = false;
  let cuts = 0;
  const cutAll = (): void => {
    armed = false;
    cuts += 1;
    for (const socket of sockets) socket.destroy();
  };
  const server = net.createServer((client) => {
    const upstream = net.connect(target, '127.0.0.1');
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => undefined);
    }
    client.on('data', (chunk) => upstream.write(chunk));
    upstream.on('data', (chunk) => {
      if (armed) cutAll();
      else client.write(chunk);
    });
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('proxy has no port');
  return {
    port: address.port,
    get cuts() {
      return cuts;
    },
    armCutOnNextAnswer: () => {
      armed = true;
    },
    cutNow: cutAll,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

describe('KurrentDB adapter when the server resets its session', () => {
  let standIn: StandIn;
  let proxy: CuttingProxy;
  const opened: KurrentDbEventStore[] = [];
  beforeAll(async () => {
    standIn = await startStandIn();
    proxy = await startCuttingProxy(standIn.port);
  });
  afterAll(async () => {
    for (const store of opened) await store.close();
    await proxy.close();
    await standIn.stop();
  });

  it('records a multi-stream append whose answer was lost exactly once, and answers it', async () => {
    const store = KurrentDbEventStore.connect(`kurrentdb://127.0.0.1:${proxy.port}?tls=false`, logger);
    const direct = KurrentDbEventStore.connect(standIn.url, logger);
    opened.push(store, direct);
    const tenant = `reset${Date.now().toString(36)}`;
    const a = streamName(tenant, 'stock', 'BOLT');
    const b = streamName(tenant, 'movement', randomUUID());
    await store.appendMany([
      { stream: a, events: [event(1)], expectedRevision: 'no_stream' },
      { stream: b, events: [event(2)], expectedRevision: 'no_stream' },
    ]);

    const second = [event(3)];
    const third = [event(4)];
    proxy.armCutOnNextAnswer();
    const results = await store.appendMany([
      { stream: a, events: second, expectedRevision: 0n },
      { stream: b, events: third, expectedRevision: 0n },
    ]);

    expect(proxy.cuts).toBe(1);
    expect(results.map((result) => [result.revision, result.duplicate])).toEqual([
      [1n, false],
      [1n, false],
    ]);
    const stored: string[] = [];
    for await (const recorded of direct.readStream(a)) stored.push(recorded.id);
    expect(stored).toHaveLength(2);
    expect(stored[1]).toBe(second[0]?.id);
    // And the store goes on writing over its new connection.
    await store.append(a, [event(5)], { expectedRevision: 1n });
    expect(await direct.streamRevision(a)).toBe(2n);
  });

  it('keeps a live tenant subscription going over a reset session, each event once', async () => {
    const store = KurrentDbEventStore.connect(`kurrentdb://127.0.0.1:${proxy.port}?tls=false`, logger, { resubscribeDelayMs: 100 });
    const direct = KurrentDbEventStore.connect(standIn.url, logger);
    opened.push(store, direct);
    const tenant = `resub${Date.now().toString(36)}`;
    const stream = streamName(tenant, 'stock', 'NUT');
    const events = [event(1), event(2), event(3)];
    const seen: string[] = [];
    const received = firstValueFrom(store.subscribeTenant(tenant).pipe(take(3), toArray()));
    const subscription = store.subscribeTenant(tenant).subscribe((recorded) => seen.push(recorded.id));
    try {
      await direct.append(stream, [events[0] as EventToAppend], { expectedRevision: 'no_stream' });
      await waitFor(() => seen.length === 1);
      const readsBefore = standIn.calls.get('Streams.Read') ?? 0;
      proxy.cutNow();
      // Both subscriptions lost their stream and were opened again.
      await waitFor(() => (standIn.calls.get('Streams.Read') ?? 0) >= readsBefore + 2);
      await direct.append(stream, [events[1] as EventToAppend], { expectedRevision: 0n });
      await direct.append(stream, [events[2] as EventToAppend], { expectedRevision: 1n });
      expect((await received).map((recorded) => recorded.id)).toEqual(events.map((appended) => appended.id));
      await waitFor(() => seen.length >= 3);
      expect(seen).toEqual(events.map((appended) => appended.id));
    } finally {
      subscription.unsubscribe();
    }
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > until) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
