/**
 * The export file (NDJSON, gzip when its name ends in .gz): one line per event in position order,
 * then one manifest line. Event lines are written by {@link eventLine} and read back through
 * {@link exportedEventSchema}; the manifest's sha256 is over the bytes of every event line,
 * newline included, so the file proves its own completeness.
 *
 *   {"id":…,"stream":…,"revision":"3","position":"…","type":…,"data":{…},"metadata":{…},"recordedAt":"…"}
 *   {"manifest":{"formatVersion":1,"tenant":…,"count":…,"headPosition":…,"firstPosition":…,"lastPosition":…,"sha256":…,"exportedAt":…}}
 */
import { z } from 'zod';
// The one rule for text that PostgreSQL can keep (no NUL, no lone surrogate), as the API applies
// it to a registration's company name: a file's company name is registered the same way.
import { stringSchema } from '../api/schemas/common.js';
import type { RecordedEvent, RecordedEventText } from '../eventstore/event-store.js';
import { recordedAtText } from './recorded-at-text.js';

/** The version of this format; an importer refuses other versions. */
export const exportFormatVersion = 1;

/**
 * Bytes zlib hands back per call: each call is a trip from the thread pool to the main thread,
 * and at the default 16 KiB those trips cost the main thread more than the compression saved
 * it (bench/stockctl profiles); 256 KiB makes a sixteenth of them.
 */
export const zlibChunkSize = 256 * 1024;

/** Whether a file name asks for gzip. */
export function isGzipFile(file: string): boolean {
  return file.endsWith('.gz');
}

/**
 * One event line, without its newline: the text JSON.stringify gives the object of the example
 * above, put together field by field because building and walking that object cost a fifth of
 * the export's time (bench/stockctl). Revision, position and time are digits and ISO text, which
 * JSON writes as they are; the other values go through JSON.stringify.
 */
export function eventLine(event: RecordedEvent): string {
  return (
    `{"id":${JSON.stringify(event.id)},"stream":${JSON.stringify(event.stream)},"revision":"${event.revision.toString()}","position":${JSON.stringify(event.position)},` +
    `"type":${JSON.stringify(event.type)},"data":${JSON.stringify(event.data ?? null)},"metadata":${JSON.stringify(event.metadata)},"recordedAt":"${recordedAtText(event.recordedAt)}"}`
  );
}

/**
 * One event line from the store's JSON text of data and metadata (TenantTextReads): the same
 * fields in the same order as {@link eventLine}; inside data and metadata, the store's spacing.
 */
export function eventTextLine(event: RecordedEventText): string {
  return (
    `{"id":${JSON.stringify(event.id)},"stream":${JSON.stringify(event.stream)},"revision":"${event.revision.toString()}","position":${JSON.stringify(event.position)},` +
    `"type":${JSON.stringify(event.type)},"data":${event.dataJson},"metadata":${event.metadataJson},"recordedAt":"${recordedAtText(event.recordedAt)}"}`
  );
}

const decimal = z.string().regex(/^\d{1,19}$/);

/** An event line as parsed. */
export const exportedEventSchema = z.object({
  id: z.guid(),
  stream: z.string().min(1),
  revision: decimal,
  position: decimal,
  type: z.string().min(1),
  data: z.unknown(),
  metadata: z.record(z.string(), z.unknown()),
  recordedAt: z.iso.datetime(),
});

/** The last line's content. */
export const exportManifestSchema = z.object({
  formatVersion: z.number().int(),
  tenant: z.string().min(1),
  count: z.number().int().min(0),
  /** The tenant's head when the export started (later events are not in the file). */
  headPosition: decimal,
  /** '0' when the file holds no event. */
  firstPosition: decimal,
  lastPosition: decimal,
  /** Hex SHA-256 of every event line with its newline, in file order. */
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  exportedAt: z.iso.datetime(),
  /**
   * The tenant's control-plane settings, so an import into another installation can register the
   * tenant as it was (absent in files from before, or from a tenant that was never registered).
   */
  company: z.object({ name: stringSchema().min(1), allowNegativeStock: z.boolean() }).optional(),
  /** The limits asked for, when any. */
  upToPosition: decimal.optional(),
  until: z.iso.datetime().optional(),
});

/** The manifest of an export. */
export type ExportManifest = z.infer<typeof exportManifestSchema>;

/** A tenant's control-plane settings as an export carries them. */
export type ExportedCompany = NonNullable<ExportManifest['company']>;

/** The manifest line, without its newline. */
export function manifestLine(manifest: ExportManifest): string {
  return JSON.stringify({ manifest });
}

/** Turns a parsed event line back into a recorded event. */
export function toRecordedEvent(line: z.infer<typeof exportedEventSchema>): RecordedEvent {
  return {
    id: line.id,
    stream: line.stream,
    revision: BigInt(line.revision),
    position: line.position,
    type: line.type,
    data: line.data,
    metadata: line.metadata,
    recordedAt: new Date(line.recordedAt),
  };
}
