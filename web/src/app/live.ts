import { useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import { createEventStreamParser } from '../lib/server-sent-events';
import { api } from './api';
import { createLiveApplier, type LiveMovement } from './live-applier';


/** Waits before reconnecting after the stream ended or failed: quick at first, then calmer. */
const reconnectDelaysMs = [500, 1_000, 2_000, 5_000, 10_000];

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
    const applier = createLiveApplier(queries, (position) => api.waitForPosition(position));
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
          applier.apply(JSON.parse(event.data) as LiveMovement);
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
    return () => {
      stop.abort();
      applier.stop();
    };
  }, [queries]);
}
