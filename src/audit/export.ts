/**
 * Export: a tenant's events, in position order, to an NDJSON file (gzip when the name ends in
 * .gz) closed by a manifest line (export-format.ts). The events stream from the store to the file
 * through a pipeline, so memory holds a few pages, not the tenant, and a slow disk slows the
 * reads down (back-pressure) instead of filling memory. The file is written under a temporary
 * name and renamed when complete: an export that fails or is aborted leaves nothing behind.
 */
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { comparePositions, hasTenantJsonLines, hasTenantTextReads, startPosition, type EventStore, type Position, type RecordedEvent } from '../eventstore/event-store.js';
import { progressEvery, type AuditRunOptions } from './audit-run.js';
import { eventLine, eventTextLine, exportFormatVersion, isGzipFile, manifestLine, zlibChunkSize, type ExportedCompany, type ExportManifest } from './export-format.js';

/** What to export. */
export interface ExportOptions extends AuditRunOptions {
  /** Only events at or before this position. */
  readonly upToPosition?: Position;
  /**
   * Only the history as recorded up to this time: the export stops before the first event
   * recorded after it, so the file is a prefix of the history (no stream has a gap).
   */
  readonly until?: Date;
  /** Events per read (default 10,000). */
  readonly batchSize?: number;
  /** The tenant's control-plane settings, carried in the manifest for the importer. */
  readonly company?: ExportedCompany;
  /** The clock for exportedAt (tests). */
  readonly now?: () => Date;
}

/** Lines are written in chunks of this many events: one write per chunk, not per line. */
const linesPerChunk = 2000;
/**
 * gzip level: 1 keeps up with the reads (level 6 halved the export's rate in bench/stockctl) and
 * still shrinks the repetitive JSON about eight-fold.
 */
const gzipLevel = 1;

/** The events an export writes and the function that writes each one's line. */
interface LineSource<T extends Pick<RecordedEvent, 'position' | 'recordedAt'>> {
  readonly events: AsyncIterable<T>;
  readonly line: (event: T) => string;
}

/**
 * Exports `tenant`'s events to `file` and resolves with the manifest written as its last line.
 * Events appended while it runs are not included: it stops at the head it saw when it started.
 */
export async function exportTenant(store: EventStore, tenant: string, file: string, options: ExportOptions = {}): Promise<ExportManifest> {
  const head = await store.headPosition(tenant);
  const upTo = options.upToPosition !== undefined && comparePositions(options.upToPosition, head) < 0 ? options.upToPosition : head;
  const total = options.onProgress ? await store.countEvents(tenant, { upTo }) : 0;
  const hash = createHash('sha256');
  let count = 0;
  let firstPosition: Position = startPosition;
  let lastPosition: Position = startPosition;
  const until = options.until?.getTime();
  const now = options.now ?? (() => new Date());
  let written: ExportManifest | undefined;

  /** Lines of the chunk being gathered, without their newlines. */
  let chunk: string[] = [];
  /**
   * The gathered lines as one UTF-8 buffer, each with its newline, hashed: the same bytes in the
   * same order as a hash of each line, encoded once for the hash and the file alike (a string
   * was encoded twice, by the hash and by the file stream) and joined flat at once (`+=` per line
   * built a rope of thousands of pieces for V8 to flatten, and garbage for its collector).
   */
  const chunkBytes = (): Buffer => {
    const bytes = Buffer.from(chunk.length === 0 ? '' : chunk.join('\n') + '\n', 'utf8');
    hash.update(bytes);
    chunk = [];
    return bytes;
  };

  /**
   * The events' lines in chunks of linesPerChunk, up to the limits. The loop takes the events
   * straight from the store: a generator of lines between the two cost a promise per event.
   */
  async function* gather<T extends Pick<RecordedEvent, 'position' | 'recordedAt'>>(source: LineSource<T>): AsyncGenerator<Buffer> {
    for await (const event of source.events) {
      if (comparePositions(event.position, upTo) > 0) break;
      if (until !== undefined && event.recordedAt.getTime() > until) break;
      if (count === 0) firstPosition = event.position;
      lastPosition = event.position;
      count += 1;
      chunk.push(source.line(event));
      if (chunk.length === linesPerChunk) {
        yield chunkBytes();
        options.signal?.throwIfAborted();
        if (count % progressEvery === 0) options.onProgress?.({ done: count, total });
      }
    }
  }

  async function* chunks(): AsyncGenerator<Buffer | string> {
    if (hasTenantJsonLines(store)) {
      // The store writes the lines (PostgreSQL, on its own core): Node only hashes and writes pages.
      const pages = store.readTenantJsonLines(tenant, { upTo, batchSize: options.batchSize ?? 10_000, ...(options.until ? { recordedUntil: options.until } : {}) });
      for await (const page of pages) {
        if (count === 0) firstPosition = page.firstPosition;
        lastPosition = page.lastPosition;
        count += page.count;
        const text = page.lines + '\n';
        hash.update(text);
        yield text;
        options.signal?.throwIfAborted();
        options.onProgress?.({ done: count, total });
      }
    } else {
      // From the store's JSON text where the adapter has TenantTextReads (nothing parsed and
      // written again), otherwise from readTenant through eventLine.
      const batchSize = options.batchSize ?? 10_000;
      yield* hasTenantTextReads(store)
        ? gather({ events: store.readTenantText(tenant, { batchSize }), line: eventTextLine })
        : gather({ events: store.readTenant(tenant, { batchSize }), line: eventLine });
    }
    const last = chunkBytes();
    const manifest: ExportManifest = {
      formatVersion: exportFormatVersion,
      tenant,
      count,
      headPosition: head,
      firstPosition,
      lastPosition,
      sha256: hash.digest('hex'),
      exportedAt: now().toISOString(),
      ...(options.company === undefined ? {} : { company: options.company }),
      ...(options.upToPosition === undefined ? {} : { upToPosition: options.upToPosition }),
      ...(options.until === undefined ? {} : { until: options.until.toISOString() }),
    };
    written = manifest;
    yield Buffer.concat([last, Buffer.from(manifestLine(manifest) + '\n')]);
  }

  const partial = `${file}.partial`;
  const output = createWriteStream(partial);
  try {
    const source = Readable.from(chunks(), { objectMode: false });
    if (isGzipFile(file)) {
      await pipeline(source, createGzip({ level: gzipLevel, chunkSize: zlibChunkSize }), output, { signal: options.signal });
    } else {
      await pipeline(source, output, { signal: options.signal });
    }
    await rename(partial, file);
  } catch (error) {
    await rm(partial, { force: true });
    throw error;
  }
  if (!written) throw new Error('export ended without its manifest');
  options.onProgress?.({ done: count, total });
  return written;
}
