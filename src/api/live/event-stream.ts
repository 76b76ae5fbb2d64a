import type { Response } from 'express';
import type { Observable } from 'rxjs';
import type { Logger } from '../../logger.js';
import type { LiveStreamLimits } from './live-streams.js';
import type { MovementNotice } from './movement-notices.js';

/** The headers of a live stream: no cache, no proxy buffering (nginx), a connection kept open. */
export const eventStreamHeaders: Readonly<Record<string, string>> = {
  'Content-Type': 'text/event-stream; charset=utf-8',
  'Cache-Control': 'no-store',
  'X-Accel-Buffering': 'no',
  Connection: 'keep-alive',
};

/** What one live stream is made of. */
export interface EventStreamSession {
  readonly notices: Observable<MovementNotice>;
  readonly limits: Pick<LiveStreamLimits, 'heartbeatMs' | 'recheckMs' | 'maxBufferedBytes'>;
  /** Whether the stream's credential is still live (a revoked one, or an error, ends the stream). */
  stillAuthenticated(): Promise<boolean>;
  /** Gives the function that ends the stream, and answers the one that releases its place (LiveStreams.admit). */
  register(end: () => void): () => void;
  readonly logger: Logger;
}

/** One server-sent event of a notice: its position as the id (Last-Event-ID), its JSON as data. */
export function eventOf(notice: MovementNotice): string {
  const { position, kind, movementId, skus, locations } = notice;
  return `id: ${position}\ndata: ${JSON.stringify({ position, kind, movementId, skus, locations })}\n\n`;
}

/**
 * Serves a live stream on `response`, whose status and headers are set: each notice as an event,
 * a comment every heartbeat, the credential checked again every `recheckMs`. It ends when the
 * client goes away, when the credential is revoked, when the subscription fails or ends, or when
 * `register`'s end function is called (shutdown). A client that does not read (its buffers over
 * `maxBufferedBytes`) is dropped at once rather than buffered for: it reconnects with
 * Last-Event-ID and loses nothing.
 */
export function serveEventStream(response: Response, session: EventStreamSession): void {
  const { limits, logger } = session;
  let ended = false;
  const openedAt = Date.now();
  const timers: NodeJS.Timeout[] = [];
  const release = session.register(() => finish('end'));
  // Subscribed below, once the response is known to be open.
  let subscription: { unsubscribe(): void } | undefined = undefined;

  function finish(how: 'end' | 'drop'): void {
    if (ended) return;
    ended = true;
    for (const timer of timers) clearInterval(timer);
    subscription?.unsubscribe();
    release();
    if (how === 'drop') response.destroy();
    else if (!response.writableEnded && !response.destroyed) response.end();
    logger.debug({ how, openMs: Date.now() - openedAt }, 'live stream ended');
  }

  const write = (text: string): void => {
    if (ended) return;
    response.write(text);
    if (response.writableLength > limits.maxBufferedBytes) {
      logger.info({ buffered: response.writableLength }, 'dropped a live stream whose client does not read');
      finish('drop');
    }
  };

  response.on('close', () => finish('end'));
  if (response.destroyed || response.writableEnded) {
    finish('end');
    return;
  }
  response.flushHeaders();
  // Something at once: a client (or a proxy) sees the stream is open before the first movement.
  write(': live\n\n');
  timers.push(setInterval(() => write(': heartbeat\n\n'), limits.heartbeatMs));
  let checking = false;
  timers.push(
    setInterval(() => {
      if (checking) return;
      checking = true;
      session
        .stillAuthenticated()
        .then((live) => {
          if (!live) finish('end');
        })
        .catch((error: unknown) => {
          logger.warn({ err: error }, 'could not check a live stream credential; ending the stream');
          finish('end');
        })
        .finally(() => {
          checking = false;
        });
    }, limits.recheckMs),
  );
  subscription = session.notices.subscribe({
    next: (notice) => write(eventOf(notice)),
    error: (error: unknown) => {
      logger.warn({ err: error }, 'a live stream subscription failed; ending the stream (the client resumes with Last-Event-ID)');
      finish('end');
    },
    complete: () => finish('end'),
  });
  if (ended) subscription.unsubscribe();
}
