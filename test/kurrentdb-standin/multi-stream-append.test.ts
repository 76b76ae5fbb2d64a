import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { KurrentDBClient, WrongExpectedVersionError, jsonEvent, streamNameFilter, type ResolvedEvent } from '@kurrent/kurrentdb-client';
import { startStandIn, type StandIn } from './server.js';

// The v2 append session (KurrentDB 25.1+) behind the client's multiStreamAppend.

let standIn: StandIn;
let client: KurrentDBClient;

beforeAll(async () => {
  standIn = await startStandIn();
  client = KurrentDBClient.connectionString(standIn.url);
});

afterAll(async () => {
  await client.dispose();
  await standIn.stop();
});

async function collect(events: AsyncIterable<ResolvedEvent>): Promise<ResolvedEvent[]> {
  const out: ResolvedEvent[] = [];
  for await (const e of events) out.push(e);
  return out;
}

const event = (type: string, data: Record<string, unknown> = {}) => jsonEvent({ id: randomUUID(), type, data });

describe('multiStreamAppend (v2 AppendSession)', () => {
  it('writes several streams as one transaction: one commit position, every stream’s revision', async () => {
    const tenant = `acme${randomUUID().slice(0, 6)}`;
    const from = `${tenant}:location-a`;
    const to = `${tenant}:location-b`;
    await client.appendToStream(from, event('StockReceived', { qty: 5 }));
    const result = await client.multiStreamAppend([
      { streamName: from, expectedState: 0n, events: [event('TransferShipped', { qty: 2 })] },
      { streamName: to, expectedState: 'no_stream', events: [jsonEvent({ type: 'TransferReceived', data: { qty: 2 }, metadata: { tenant } }), event('Counted')] },
    ]);
    expect(result.responses).toEqual([
      { streamName: from, revision: 1n },
      { streamName: to, revision: 1n },
    ]);

    const written = await collect(client.readAll({ filter: streamNameFilter({ prefixes: [`${tenant}:`] }) }));
    const transaction = written.slice(1);
    expect(transaction.map((e) => e.event!.type)).toEqual(['TransferShipped', 'TransferReceived', 'Counted']);
    expect(new Set(transaction.map((e) => e.event!.position!.commit))).toEqual(new Set([result.position]));
    expect(transaction[1]!.event!.metadata).toEqual({ tenant });
  });

  it('writes nothing when one stream’s expected revision fails, and raises the typed conflict', async () => {
    const tenant = `acme${randomUUID().slice(0, 6)}`;
    const fresh = `${tenant}:article-1`;
    const existing = `${tenant}:article-2`;
    await client.appendToStream(existing, [event('ArticleRegistered'), event('ArticleRenamed')]);
    const headBefore = standIn.log.head();

    const attempt = client.multiStreamAppend([
      { streamName: fresh, expectedState: 'no_stream', events: [event('ArticleRegistered')] },
      { streamName: existing, expectedState: 0n, events: [event('ArticleRenamed')] },
    ]);
    await expect(attempt).rejects.toBeInstanceOf(WrongExpectedVersionError);
    await expect(attempt).rejects.toMatchObject({ streamName: existing, expectedState: 0n, actualState: 1n });
    await expect(collect(client.readStream(fresh))).rejects.toMatchObject({ type: 'stream-not-found' });
    expect(standIn.log.head()).toEqual(headBefore);

    await expect(
      client.multiStreamAppend([{ streamName: `${tenant}:article-3`, expectedState: 'stream_exists', events: [event('ArticleRenamed')] }]),
    ).rejects.toMatchObject({ expectedState: 'stream_exists', actualState: 'no_stream' });
    await expect(client.multiStreamAppend([{ streamName: existing, expectedState: 'no_stream', events: [event('ArticleRenamed')] }])).rejects.toMatchObject({
      expectedState: 'no_stream',
      actualState: 1n,
    });
    const any = await client.multiStreamAppend([{ streamName: existing, expectedState: 'any', events: [event('ArticleRenamed')] }]);
    expect(any.responses).toEqual([{ streamName: existing, revision: 2n }]);
  });

  it('refuses a stream twice in one session and a stream without events, as the server does', async () => {
    const stream = `acme:article-${randomUUID()}`;
    await expect(
      client.multiStreamAppend([
        { streamName: stream, expectedState: 'any', events: [event('A')] },
        { streamName: stream, expectedState: 'any', events: [event('B')] },
      ]),
    ).rejects.toThrow(/already in the request list/);
    await expect(client.multiStreamAppend([{ streamName: stream, expectedState: 'any', events: [] }])).rejects.toThrow(/does not have any records/);
    await expect(collect(client.readStream(stream))).rejects.toMatchObject({ type: 'stream-not-found' });
  });
});
