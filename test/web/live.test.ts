import { describe, expect, it } from '@jest/globals';
import { QueryClient, QueryObserver } from '@tanstack/react-query';
import { createApiClient } from '../../web/src/api/client.js';
import { createLiveApplier, type LiveMovement } from '../../web/src/app/live-applier.js';
import { createEventStreamParser, type ServerSentEvent } from '../../web/src/lib/server-sent-events.js';

const movement = (position: string): LiveMovement => ({ position, kind: 'received', movementId: `m-${position}`, skus: ['A'], locations: ['L'] });
const wait = (milliseconds: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, milliseconds));

describe('server-sent events read from a fetched stream', () => {
  it('dispatches each event with its id, whatever the chunks, and drops comments', () => {
    const events: ServerSentEvent[] = [];
    const parser = createEventStreamParser((event) => events.push(event));
    const stream = ': keep-alive\n\nid: 17\ndata: {"position":"17"}\n\nid: 18\r\ndata: {"a":\r\ndata: 1}\r\n\r\n';
    // Every split point, including between "\r" and "\n".
    for (let cut = 0; cut <= stream.length; cut += 1) {
      events.length = 0;
      const fresh = createEventStreamParser((event) => events.push(event));
      fresh.push(stream.slice(0, cut));
      fresh.push(stream.slice(cut));
      expect(events).toEqual([
        { id: '17', event: 'message', data: '{"position":"17"}' },
        { id: '18', event: 'message', data: '{"a":\n1}' },
      ]);
      expect(fresh.lastEventId()).toBe('18');
    }
    parser.push('data: half');
    expect(events).toHaveLength(2);
  });
});

describe('the API client told of a position by a live update', () => {
  it('sends the later of it and the last command position as X-Min-Position', async () => {
    const sent: Record<string, string>[] = [];
    const client = createApiClient({
      hostname: 'demo.localhost',
      storage: { getItem: () => null, setItem: () => undefined, removeItem: () => undefined },
      fetch: async (_input, init) => {
        sent.push({ ...(init?.headers as Record<string, string>) });
        return new Response('{}', { status: 200, headers: { 'Content-Type': 'application/json' } });
      },
    });
    client.waitForPosition('100');
    client.waitForPosition('99');
    client.waitForPosition('not a position');
    await client.get('/api/stock');
    expect(sent[0]?.['X-Min-Position']).toBe('100');
    // Compared as numbers, not text ("1000" > "999").
    client.waitForPosition('1000');
    await client.get('/api/stock');
    expect(sent[1]?.['X-Min-Position']).toBe('1000');
  });
});

describe('live movements applied to the caches', () => {
  it('refetches what shows stock once a burst of movements ends, and the figure lands', async () => {
    const queries = new QueryClient({ defaultOptions: { queries: { retry: false } } });
    let figure = 0;
    let started = 0;
    // A read that takes 30 ms; a movement arrives every 10 ms: invalidating on each movement
    // would cancel every refetch before it answered.
    const observer = new QueryObserver(queries, {
      queryKey: ['stock', {}],
      queryFn: async () => {
        started += 1;
        const seen = figure;
        await wait(30);
        return seen;
      },
    });
    const shown: number[] = [];
    const unsubscribe = observer.subscribe((result) => {
      if (result.data !== undefined) shown.push(result.data);
    });
    await wait(50);
    const positions: string[] = [];
    const applier = createLiveApplier(queries, (position) => positions.push(position));
    for (let index = 1; index <= 40; index += 1) {
      figure = index;
      applier.apply(movement(String(index)));
      await wait(10);
    }
    // While movements kept coming, the screen still changed (no refetch cancelled by the next).
    const duringBurst = shown.filter((value) => value > 0);
    await wait(400);
    applier.stop();
    unsubscribe();
    expect(positions).toHaveLength(40);
    expect(duringBurst.length).toBeGreaterThan(0);
    expect(shown.at(-1)).toBe(40);
    // Coalesced: far fewer reads than movements.
    expect(started).toBeLessThan(15);
  });

  it('leaves caches that show no stock alone', async () => {
    const queries = new QueryClient();
    queries.setQueryData(['admin', 'users'], ['kept']);
    queries.setQueryData(['stock', {}], ['stale']);
    const applier = createLiveApplier(queries, () => undefined);
    applier.apply(movement('5'));
    await wait(200);
    expect(queries.getQueryState(['admin', 'users'])?.isInvalidated).toBe(false);
    expect(queries.getQueryState(['stock', {}])?.isInvalidated).toBe(true);
  });
});
