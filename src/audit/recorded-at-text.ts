/**
 * The text of an event's recordedAt in export lines and in the seal chain: ISO 8601 in UTC with
 * milliseconds, as Date#toISOString writes it.
 */

let lastMs = Number.NaN;
let lastText = '';

/**
 * `recordedAt.toISOString()`, remembering the last one: the events of one transaction share
 * their recording time and come one after another in position order, so an export or a seal
 * (bench/stockctl: 500 events a transaction) formats each time once, not once per event.
 */
export function recordedAtText(recordedAt: Date): string {
  const ms = recordedAt.getTime();
  if (ms !== lastMs) {
    lastText = recordedAt.toISOString();
    lastMs = ms;
  }
  return lastText;
}
