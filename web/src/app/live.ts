import { useQueryClient, type QueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import { createEventStreamParser } from '../lib/server-sent-events';
import { api } from './api';

/** A movement as GET /api/live announces it (API.md, "Live updates"). */
export interface LiveMovement {
  readonly position: string;
  readonly kind: string;
  readonly movementId: string;
  readonly skus: readonly string[];
  readonly locations: readonly string[];
}

/** The caches of what shows stock: refetched when any movement arrives. */
const stockShowingQueries = ['stock', 'movements', 'articles', 'article', 'reports', 'overview'];
/** Waits before reconnecting after the stream ended or failed: quick at first, then calmer. */
const reconnectDelaysMs = [500, 1_000, 2_000, 5_000, 10_000];

/**
 * A movement arrived: the next reads wait for its position (so that the refetch shows it), and
 * the caches of screens that show stock are invalidated, which refetches those on screen.
 */
export function applyLiveMovement(queries: QueryClient, movement: LiveMovement): void {
  api.waitForPosition(movement.position);
  void queries.invalidateQueries({ predicate: (query) => typeof query.queryKey[0] === 'string' && stockShowingQueries.includes(query.queryKey[0]) });
}

/**
 * Live updates for the whole app while signed in: reads GET /api/live (server-sent events) with
 * the session cookie and, on localhost, X-Tenant (which EventSource cannot send, hence fetch);
 * on a dropped stream it reconnects with Last-Event-ID, as EventSource would, so no movement
 * committed meanwhile is missed. Mounted once, in the shell.
 */
export function useLiveUpdates(): void {
  const queries = useQueryClient();
  useEffect(() => {
    const stop = new AbortController();
    let lastEventId: string | undefined;
    let failures = 0;
    async function follow(): Promise<void> {
      const headers: Record<string, string> = { Accept: 'text/event-stream' };
      const tenant = api.tenant();
      if (tenant) headers['X-Tenant'] = tenant;
      if (lastEventId) headers['Last-Event-ID'] = lastEventId;
      const response = await fetch('/api/live', { headers, credentials: 'same-origin', signal: stop.signal });
      if (!response.ok || !response.body) throw new Error(`GET /api/live answered ${response.status}`);
      failures = 0;
      const parser = createEventStreamParser((event) => {
        try {
          applyLiveMovement(queries, JSON.parse(event.data) as LiveMovement);
        } catch {
          // Not a movement (a future event type): nothing on screen depends on it.
        }
      });
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        parser.push(value);
        lastEventId = parser.lastEventId() ?? lastEventId;
      }
    }
    void (async () => {
      while (!stop.signal.aborted) {
        try {
          await follow();
        } catch {
          failures += 1;
        }
        if (stop.signal.aborted) break;
        const delay = reconnectDelaysMs[Math.min(failures, reconnectDelaysMs.length - 1)] ?? 10_000;
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    })();
    return () => stop.abort();
  }, [queries]);
}
