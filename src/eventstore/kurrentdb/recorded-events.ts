/**
 * Events between the port and the client: what an append sends (v1 appends and the v2
 * multi-stream append differ in how metadata travels) and what a read turns back into the port's
 * RecordedEvent.
 */
import { jsonEvent, type EventData, type ResolvedEvent, type AllStreamResolvedEvent } from '@kurrent/kurrentdb-client';
import type { EventToAppend, RecordedEvent } from '../event-store.js';
import { toPosition } from './positions.js';

/**
 * The property that carries an event's metadata through a multi-stream append. The v2 append
 * takes metadata as properties with string values only (the 1.3.1 client refuses anything else),
 * while StockControl's metadata holds numbers and nested values; so it travels as one JSON string
 * and is unpacked on reading, whatever else the server adds to the properties.
 */
export const metadataProperty = 'stockcontrol.metadata';

/**
 * The property that carries a given recording time (history moved from another store). The server
 * stamps its own `created` time and takes none from a writer, so the original time travels beside
 * the event's metadata and a read gives it back as recordedAt (and takes it out of the metadata).
 */
export const recordedAtProperty = 'stockcontrol.recordedAt';

/** The event's metadata with its given recording time, if it has one. */
function metadataOf(event: EventToAppend): Record<string, unknown> {
  const metadata: Record<string, unknown> = { ...(event.metadata ?? {}) };
  if (event.recordedAt) metadata[recordedAtProperty] = event.recordedAt.toISOString();
  return metadata;
}

/** An event for a single-stream (v1) append: JSON data, JSON metadata, the writer's id. */
export function toEventData(event: EventToAppend): EventData {
  return jsonEvent({ id: event.id, type: event.type, data: (event.data ?? null) as never, metadata: metadataOf(event) as never });
}

/** An event for the multi-stream (v2) append: metadata packed into {@link metadataProperty}. */
export function toMultiAppendEventData(event: EventToAppend): EventData {
  return jsonEvent({ id: event.id, type: event.type, data: (event.data ?? null) as never, metadata: { [metadataProperty]: JSON.stringify(metadataOf(event)) } });
}

function unpackMetadata(metadata: unknown): Record<string, unknown> {
  if (typeof metadata !== 'object' || metadata === null || metadata instanceof Uint8Array || Array.isArray(metadata)) return {};
  const packed = (metadata as Record<string, unknown>)[metadataProperty];
  if (typeof packed === 'string') return JSON.parse(packed) as Record<string, unknown>;
  return { ...(metadata as Record<string, unknown>) };
}

/** The metadata without the carried recording time, and that time (else the server's). */
function splitRecordedAt(metadata: Record<string, unknown>, created: Date): { metadata: Record<string, unknown>; recordedAt: Date } {
  const given = metadata[recordedAtProperty];
  if (typeof given !== 'string') return { metadata, recordedAt: created };
  const { [recordedAtProperty]: _given, ...rest } = metadata;
  return { metadata: rest, recordedAt: new Date(given) };
}

/**
 * The port's event for a read one; undefined for what is not an event of StockControl's (a link
 * without its event). Stream reads are expected to carry the event's log position as `$all` reads
 * do (the contract suite checks readStream's positions against the appends'); an event read
 * without one makes toPosition throw rather than invent a position.
 */
export function toRecordedEvent(resolved: ResolvedEvent | AllStreamResolvedEvent): RecordedEvent | undefined {
  const event = resolved.event;
  if (!event) return undefined;
  const { metadata, recordedAt } = splitRecordedAt(unpackMetadata(event.metadata), event.created);
  return {
    id: event.id,
    stream: event.streamId,
    revision: event.revision,
    position: toPosition(event.position),
    type: event.type,
    data: event.isJson ? event.data : Buffer.from(event.data as Uint8Array).toString('utf8'),
    metadata,
    recordedAt,
  };
}
