/**
 * Reading an export file back (export-format.ts), line by line, gunzipping .gz files, and checking
 * it: every line parses, the manifest closes the file and its count and SHA-256 match the event
 * lines, positions increase, each stream's revisions run on from 0 without a gap, and every
 * event decodes and upcasts with the codec. The dry run of an import is exactly this check.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { comparePositions, startPosition, type RecordedEvent } from '../eventstore/event-store.js';
import { parseStreamName } from '../eventstore/stream-name.js';
import { decodeEvent } from '../events/codec.js';
import { progressEvery, type AuditRunOptions } from './audit-run.js';
import { exportedEventSchema, exportFormatVersion, exportManifestSchema, isGzipFile, toRecordedEvent, zlibChunkSize, type ExportManifest } from './export-format.js';

/** The export file is not a complete, consistent export: nothing was imported from it. */
export class InvalidExport extends Error {
  readonly code = 'invalid-export';
  constructor(readonly problems: readonly string[]) {
    super(`the export file is not valid: ${problems.slice(0, 3).join('; ')}${problems.length > 3 ? ` (and ${problems.length - 3} more)` : ''}`);
    this.name = 'InvalidExport';
  }
}

/** What a line of the file holds. */
export type ExportItem = { readonly event: RecordedEvent; readonly line: string } | { readonly manifest: ExportManifest };

/** The file's lines, parsed; throws InvalidExport on a line that is neither an event nor the manifest. */
export async function* readExportItems(file: string, signal?: AbortSignal): AsyncGenerator<ExportItem> {
  const raw = createReadStream(file, { highWaterMark: zlibChunkSize });
  const input: Readable = isGzipFile(file) ? raw.pipe(createGunzip({ chunkSize: zlibChunkSize })) : raw;
  raw.on('error', (error) => input.destroy(error));
  const lines = createInterface({ input, crlfDelay: Infinity });
  let number = 0;
  try {
    for await (const line of lines) {
      number += 1;
      if (number % progressEvery === 0) signal?.throwIfAborted();
      let parsed: unknown;
      try {
        parsed = JSON.parse(line);
      } catch {
        throw new InvalidExport([`line ${number} is not JSON`]);
      }
      if (parsed !== null && typeof parsed === 'object' && 'manifest' in parsed) {
        const manifest = exportManifestSchema.safeParse((parsed as { manifest: unknown }).manifest);
        if (!manifest.success) throw new InvalidExport([`line ${number}: the manifest does not fit its schema`]);
        yield { manifest: manifest.data };
        continue;
      }
      const event = exportedEventSchema.safeParse(parsed);
      if (!event.success) throw new InvalidExport([`line ${number} is not an exported event`]);
      yield { event: toRecordedEvent(event.data), line };
    }
  } finally {
    lines.close();
    input.destroy();
    raw.destroy();
  }
}

/** The outcome of checking an export file. */
export interface ExportCheck {
  readonly manifest: ExportManifest | undefined;
  readonly events: number;
  /** Empty when the file is a complete, consistent export. */
  readonly problems: readonly string[];
}

/** At most this many problems are collected: the first ones say enough. */
const maxProblems = 100;

/** Checks an export file completely (see the top of this file); writes nothing anywhere. */
export async function checkExport(file: string, options: AuditRunOptions = {}): Promise<ExportCheck> {
  const problems: string[] = [];
  const note = (problem: string): void => {
    if (problems.length < maxProblems) problems.push(problem);
  };
  const hash = createHash('sha256');
  const revisions = new Map<string, bigint>();
  let manifest: ExportManifest | undefined;
  let events = 0;
  let previous = startPosition;
  let tenant: string | undefined;
  try {
    for await (const item of readExportItems(file, options.signal)) {
      if ('manifest' in item) {
        if (manifest) note('the file has two manifests');
        manifest = item.manifest;
        continue;
      }
      if (manifest) note(`an event (${item.event.id}) follows the manifest`);
      const { event } = item;
      events += 1;
      hash.update(item.line + '\n');
      if (comparePositions(event.position, previous) <= 0) note(`event ${event.id}: position ${event.position} does not follow ${previous}`);
      previous = event.position;
      const streamTenant = parseStreamName(event.stream)?.tenant;
      if (streamTenant === undefined) note(`event ${event.id}: ${JSON.stringify(event.stream)} is not a stream name`);
      tenant ??= streamTenant;
      if (streamTenant !== tenant) note(`event ${event.id}: stream ${event.stream} is of another tenant than ${tenant}`);
      const expected = (revisions.get(event.stream) ?? -1n) + 1n;
      if (event.revision !== expected) note(`event ${event.id}: ${event.stream} revision ${event.revision} where ${expected} was due`);
      revisions.set(event.stream, event.revision);
      try {
        decodeEvent(event);
      } catch (error) {
        note(`event ${event.id} (${event.type}) does not decode: ${String((error as Error).cause ?? error)}`);
      }
      if (events % progressEvery === 0) options.onProgress?.({ done: events, total: 0 });
    }
  } catch (error) {
    if (!(error instanceof InvalidExport)) throw error;
    note(...(error.problems as [string]));
  }
  if (!manifest) note('the file ends without a manifest: it is incomplete');
  else {
    if (manifest.formatVersion !== exportFormatVersion) note(`format version ${manifest.formatVersion} is not ${exportFormatVersion}`);
    if (manifest.count !== events) note(`the manifest counts ${manifest.count} events, the file holds ${events}`);
    if (manifest.sha256 !== hash.digest('hex')) note('the SHA-256 of the event lines differs from the manifest');
    if (tenant !== undefined && manifest.tenant !== tenant) note(`the manifest names tenant ${manifest.tenant}, the streams ${tenant}`);
  }
  options.onProgress?.({ done: events, total: events });
  return { manifest, events, problems };
}
