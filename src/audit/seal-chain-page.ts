/**
 * A page of a seal's chain: links of events given with their data and metadata as JSON text, the
 * work seal-chain.ts hands to a worker thread. The links are those of seals.ts's nextLink: the
 * text is parsed here and goes through the same canonical JSON (canonical-event.ts).
 */
import { hash } from 'node:crypto';
import type { RecordedEventText } from '../eventstore/event-store.js';
import { canonicalEventJson } from './canonical-event.js';

/** What the chain needs of an event (its position stays with the caller). */
export type ChainPageEvent = Omit<RecordedEventText, 'position'>;

/** The link after `previous` for an event of canonical JSON `canonical`, in hex. */
export function linkAfter(previous: string, canonical: string): string {
  return hash('sha256', previous + canonical, 'hex');
}

/** The links, in hex, of `events` in order, the chain continuing from `link`. */
export function chainLinksOfPage(link: string, events: readonly ChainPageEvent[]): string[] {
  const links: string[] = [];
  let previous = link;
  for (const event of events) {
    const canonical = canonicalEventJson({
      id: event.id,
      stream: event.stream,
      revision: event.revision,
      position: '0',
      type: event.type,
      data: JSON.parse(event.dataJson) as unknown,
      metadata: JSON.parse(event.metadataJson) as Record<string, unknown>,
      recordedAt: event.recordedAt,
    });
    previous = linkAfter(previous, canonical);
    links.push(previous);
  }
  return links;
}
