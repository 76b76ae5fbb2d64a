/**
 * The canonical JSON of a recorded event, the text the seal's hash chain is computed over, so
 * that anyone can recompute it outside the system from an export:
 *
 *   {"id":…,"data":…,"type":…,"stream":…,"metadata":…,"revision":"<decimal>","recordedAt":"<ISO 8601, ms>"}
 *
 * Object keys, at every depth, are ordered shortest first and then by UTF-16 code units: the
 * order PostgreSQL's jsonb keeps them in, so values read from jsonb are already canonical and
 * are only checked (a tenth of the cost of sorting them); values in another order are sorted.
 * No whitespace; strings and numbers as JSON.stringify writes them.
 */
import type { RecordedEvent } from '../eventstore/event-store.js';
import { recordedAtText } from './recorded-at-text.js';

/** Whether key a comes before key b in canonical order. */
function keyBefore(a: string, b: string): boolean {
  return a.length !== b.length ? a.length < b.length : a < b;
}

function compareKeys(a: string, b: string): number {
  return a === b ? 0 : keyBefore(a, b) ? -1 : 1;
}

/** Whether every object in `value` already has its keys in canonical order. */
function isCanonical(value: unknown): boolean {
  if (value === null || typeof value !== 'object') return true;
  if (Array.isArray(value)) return value.every(isCanonical);
  let previous: string | undefined;
  for (const key in value) {
    if (previous !== undefined && !keyBefore(previous, key)) return false;
    previous = key;
    if (!isCanonical((value as Record<string, unknown>)[key])) return false;
  }
  return true;
}

/** A copy of `value` with every object's keys in canonical order. */
function reordered(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(reordered);
  const source = value as Record<string, unknown>;
  const copy: Record<string, unknown> = {};
  for (const key of Object.keys(source).sort(compareKeys)) copy[key] = reordered(source[key]);
  return copy;
}

/** `value` in canonical key order: itself when it already is (the usual case for jsonb values). */
export function canonicalValue(value: unknown): unknown {
  return isCanonical(value) ? value : reordered(value);
}

/**
 * The canonical JSON text of a recorded event (see the top of this file): what JSON.stringify
 * writes for that object, put together field by field, which spares building and walking the
 * outer object for every event of a seal (bench/stockctl). Revision and time are digits and ISO
 * text, which JSON writes as they are; the time is formatted once per transaction
 * (recordedAtText).
 */
export function canonicalEventJson(event: RecordedEvent): string {
  return (
    `{"id":${JSON.stringify(event.id)},"data":${JSON.stringify(canonicalValue(event.data ?? null))},"type":${JSON.stringify(event.type)},` +
    `"stream":${JSON.stringify(event.stream)},"metadata":${JSON.stringify(canonicalValue(event.metadata))},"revision":"${event.revision.toString()}","recordedAt":"${recordedAtText(event.recordedAt)}"}`
  );
}
