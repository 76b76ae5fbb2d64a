/**
 * Server-sent events read from a fetched stream (the `text/event-stream` format of the HTML
 * standard). The dashboard reads GET /api/live with fetch rather than EventSource because on
 * localhost the tenant travels in the X-Tenant header, which EventSource cannot send.
 */

/** One dispatched event: its `id` (the last one seen, as the standard keeps it), type and data. */
export interface ServerSentEvent {
  readonly id: string | undefined;
  readonly event: string;
  readonly data: string;
}

/**
 * A parser fed the stream's text in chunks of any size (a line may be split across chunks);
 * calls `dispatch` for each complete event. Comments (": keep-alive") and empty events are dropped.
 */
export function createEventStreamParser(dispatch: (event: ServerSentEvent) => void): { push(chunk: string): void; lastEventId(): string | undefined } {
  let buffer = '';
  let lastId: string | undefined;
  let data: string[] = [];
  let type = '';
  const line = (text: string): void => {
    if (text === '') {
      if (data.length > 0) dispatch({ id: lastId, event: type || 'message', data: data.join('\n') });
      data = [];
      type = '';
      return;
    }
    if (text.startsWith(':')) return;
    const colon = text.indexOf(':');
    const field = colon === -1 ? text : text.slice(0, colon);
    const value = colon === -1 ? '' : text.slice(colon + 1).replace(/^ /, '');
    if (field === 'data') data.push(value);
    else if (field === 'event') type = value;
    else if (field === 'id' && !value.includes('\0')) lastId = value;
  };
  return {
    push(chunk) {
      buffer += chunk;
      // A "\r" at the end may be the first half of "\r\n": it waits for the next chunk.
      const held = buffer.endsWith('\r') ? '\r' : '';
      const lines = (held ? buffer.slice(0, -1) : buffer).split(/\r\n|\r|\n/);
      // The last piece is a line still arriving.
      buffer = (lines.pop() ?? '') + held;
      for (const text of lines) line(text);
    },
    lastEventId: () => lastId,
  };
}
