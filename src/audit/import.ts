/**
 * Import: an export file into another store (any EventStore adapter) under the same tenant,
 * keeping event ids, their order, every stream's revisions and each event's recordedAt (the
 * port's EventToAppend.recordedAt); or into a new tenant (the tenant
 * renamed in stream names and in the metadata's `tenant`), keeping order and revisions.
 *
 * Event ids are unique across a whole store (es_events' unique key), so a copy of a tenant in the
 * store that holds the original cannot reuse them: an import into another tenant derives each id
 * from the target tenant and the original id ({@link importedEventId}, a name-based UUID), the
 * same on every run, so reruns stay idempotent and anyone can map a copy's event to its original.
 *
 * The whole file is checked first (export-reader.ts: manifest hash, decoding, continuous
 * revisions); a file with any problem imports nothing. `dryRun` stops after that check.
 *
 * A store with the HistoryImport capability (event-store.ts; PostgreSQL has it) takes fixed
 * slices of the file, streams interleaved, each event at its revision, one transaction each: the
 * general path below cuts a batch wherever stream names stop increasing, which in a real history
 * (one event of one stream, then one of another) is about every second event.
 *
 * Without it, events are appended in batches with appendMany, one transaction each. A batch keeps
 * position order: appendMany writes its streams in name order, each stream's events together, so
 * a batch is cut where the next event would break that order (another stream whose name does not
 * sort after the current one). Batches are cut by that rule and a fixed size only, so every run
 * cuts the same batches.
 *
 * Interrupted (Ctrl-C, a lost connection): resume by running the same import again. Each batch is
 * all or nothing, and the event ids make a batch already stored a duplicate that the store
 * records nothing for, so a rerun skips what is stored and appends the rest. A rerun of a
 * finished import records nothing. A longer export of the same history (a later one) imported
 * over a shorter one appends only what is new: where a batch finds part of a stream stored, the
 * stored events are checked to be these (same ids at the same revisions) and left out.
 */
import {
  DuplicateEventIds,
  hasHistoryImport,
  WrongExpectedRevision,
  type AppendResult,
  type EventStore,
  type EventToAppend,
  type HistoryEvent,
  type RecordedEvent,
  type StreamAppend,
} from '../eventstore/event-store.js';
import { nameBasedUuid } from '../commands/event-ids.js';
import { progressEvery, type AuditRunOptions } from './audit-run.js';
import type { ExportedCompany } from './export-format.js';
import { checkExport, InvalidExport, readExportItems } from './export-reader.js';

/** What to import, and where. */
export interface ImportOptions extends AuditRunOptions {
  /** The tenant to import into; default the exported tenant (into another store). */
  readonly tenant?: string;
  /** Check the file and write nothing. */
  readonly dryRun?: boolean;
  /** Most events per transaction (default {@link importBatchSize}); a resumed import takes the same. */
  readonly batchSize?: number;
}

/** What an import did. */
export interface ImportResult {
  readonly sourceTenant: string;
  readonly tenant: string;
  readonly events: number;
  /** Events recorded by this run. */
  readonly appended: number;
  /** Events found already stored (a rerun): recorded nothing. */
  readonly alreadyStored: number;
  readonly dryRun: boolean;
  /** The exported tenant's control-plane settings, when the file carries them. */
  readonly company?: ExportedCompany;
}

/** The target store holds other events in a stream the import writes: nothing of that batch was recorded. */
export class ImportConflict extends Error {
  readonly code = 'import-conflict';
  constructor(
    readonly stream: string,
    options: { cause: unknown },
  ) {
    super(`the target already holds other events in ${stream}; the import stopped there (batches before it are stored)`, options);
    this.name = 'ImportConflict';
  }
}

/** The id an event with id `id` gets when imported into tenant `tenant` (another tenant than its own). */
export function importedEventId(tenant: string, id: string): string {
  return nameBasedUuid(`import|${tenant.length}:${tenant}|${id}`);
}

/** The most events in one batch (one appendMany, one transaction); fixed, so reruns cut the same batches. */
export const importBatchSize = 5000;

/** One stream's consecutive events in a batch. */
interface Run {
  readonly stream: string;
  readonly events: EventToAppend[];
  readonly firstRevision: bigint;
}

/** A batch being gathered: runs of one stream each, streams in increasing name order. */
interface Batch {
  readonly appends: Run[];
  size: number;
}

function toAppend(run: Run): StreamAppend {
  return { stream: run.stream, events: run.events, expectedRevision: run.firstRevision === 0n ? 'no_stream' : run.firstRevision - 1n };
}

/** The store's refusal of a batch as the import's typed error. */
function conflict(error: unknown): unknown {
  return error instanceof WrongExpectedRevision || error instanceof DuplicateEventIds ? new ImportConflict(error.stream, { cause: error }) : error;
}

/**
 * The part of a run the target does not hold yet, and how many of its events it holds: those
 * must be these very events (same ids at the same revisions), or it is a conflict.
 */
async function withoutStored(store: EventStore, run: Run): Promise<{ stored: number; rest: Run | undefined }> {
  const revision = await store.streamRevision(run.stream);
  const stored = revision === undefined || revision < run.firstRevision ? 0 : Math.min(run.events.length, Number(revision - run.firstRevision) + 1);
  if (stored === 0) return { stored, rest: run };
  let index = 0;
  for await (const event of store.readStream(run.stream, { from: run.firstRevision, to: run.firstRevision + BigInt(stored - 1) })) {
    if (event.id !== run.events[index]?.id) throw new ImportConflict(run.stream, { cause: new Error(`revision ${event.revision} holds another event`) });
    index += 1;
  }
  const rest = run.events.slice(stored);
  return { stored, rest: rest.length === 0 ? undefined : { stream: run.stream, events: rest, firstRevision: run.firstRevision + BigInt(stored) } };
}

/**
 * Imports the export `file` into `store` (see the top of this file). Throws InvalidExport, with
 * every problem found, when the file is not a complete and consistent export.
 */
export async function importTenant(store: EventStore, file: string, options: ImportOptions = {}): Promise<ImportResult> {
  const check = await checkExport(file, { signal: options.signal });
  if (check.problems.length > 0 || !check.manifest) throw new InvalidExport(check.problems);
  const sourceTenant = check.manifest.tenant;
  const tenant = options.tenant ?? sourceTenant;
  const total = check.events;
  const company = check.manifest.company === undefined ? {} : { company: check.manifest.company };
  if (options.dryRun) return { sourceTenant, tenant, events: total, appended: 0, alreadyStored: 0, dryRun: true, ...company };

  const sourcePrefix = `${sourceTenant}:`;
  const targetPrefix = `${tenant}:`;
  const keepIds = tenant === sourceTenant;
  const renamed = (event: RecordedEvent): { stream: string; event: EventToAppend } => ({
    stream: targetPrefix + event.stream.slice(sourcePrefix.length),
    event: {
      id: keepIds ? event.id : importedEventId(tenant, event.id),
      type: event.type,
      data: event.data,
      metadata: event.metadata.tenant === sourceTenant ? { ...event.metadata, tenant } : event.metadata,
      // The history keeps its times: as-of reads by recording time and seals chain over them.
      recordedAt: event.recordedAt,
    },
  });

  let appended = 0;
  let alreadyStored = 0;
  let done = 0;
  let lastReport = 0;
  let inFlight: Promise<void> = Promise.resolve();
  const counted = (size: number): void => {
    done += size;
    if (done - lastReport >= progressEvery) {
      lastReport = done;
      options.onProgress?.({ done, total });
    }
  };
  /** The history capability's batch: events in file order, streams interleaved. */
  const sendHistory = async (events: HistoryEvent[]): Promise<void> => {
    if (!hasHistoryImport(store)) return;
    const result = await store.appendHistory(events).catch((error: unknown) => Promise.reject(conflict(error)));
    appended += result.appended;
    alreadyStored += result.alreadyStored;
    counted(events.length);
  };
  const send = async (batch: Batch): Promise<void> => {
    let runs = batch.appends;
    let results: AppendResult[];
    try {
      results = await store.appendMany(runs.map(toAppend));
    } catch (error) {
      if (!(error instanceof DuplicateEventIds)) throw conflict(error);
      // Part of a stream's events are stored: an earlier import of a shorter file of the same
      // history cut its last batch elsewhere. Leave out what the target already holds, once.
      const trimmed = await Promise.all(runs.map((run) => withoutStored(store, run)));
      alreadyStored += trimmed.reduce((sum, part) => sum + part.stored, 0);
      runs = trimmed.flatMap((part) => (part.rest ? [part.rest] : []));
      results = runs.length === 0 ? [] : await store.appendMany(runs.map(toAppend)).catch((retryError: unknown) => Promise.reject(conflict(retryError)));
    }
    for (const [index, result] of results.entries()) {
      const run = runs[index];
      if (!run) continue;
      if (!result.duplicate) {
        appended += run.events.length;
        continue;
      }
      // Stored already, but where? Ids stored in another stream (another tenant) are a conflict, not a rerun.
      const lastRevision = run.firstRevision + BigInt(run.events.length - 1);
      const revision = await store.streamRevision(run.stream);
      if (revision === undefined || revision < lastRevision) throw new ImportConflict(run.stream, { cause: new Error('the event ids are stored in another stream') });
      alreadyStored += run.events.length;
    }
    counted(batch.size);
  };
  // One batch is appended while the next is read and gathered; appends stay one after another.
  const flush = async (sending: () => Promise<void>): Promise<void> => {
    await inFlight;
    options.signal?.throwIfAborted();
    inFlight = sending();
    // A failed append is awaited (and thrown) by the next flush or the end, never left unhandled.
    inFlight.catch(() => undefined);
  };

  // With the capability, batches are fixed slices of the file, whatever their streams.
  const batchSize = options.batchSize ?? importBatchSize;
  let history: HistoryEvent[] = [];
  let batch: Batch = { appends: [], size: 0 };
  for await (const item of readExportItems(file, options.signal)) {
    if (!('event' in item)) continue;
    const { stream, event } = renamed(item.event);
    if (hasHistoryImport(store)) {
      history.push({ ...event, stream, revision: item.event.revision, recordedAt: item.event.recordedAt });
      if (history.length === batchSize) {
        const full = history;
        await flush(() => sendHistory(full));
        history = [];
      }
      continue;
    }
    const current = batch.appends.at(-1);
    if (current && current.stream === stream && batch.size < batchSize) {
      current.events.push(event);
    } else {
      if (batch.size >= batchSize || (current && current.stream >= stream)) {
        const full = batch;
        await flush(() => send(full));
        batch = { appends: [], size: 0 };
      }
      batch.appends.push({ stream, events: [event], firstRevision: item.event.revision });
    }
    batch.size += 1;
  }
  if (batch.size > 0) await flush(() => send(batch));
  if (history.length > 0) await flush(() => sendHistory(history));
  await inFlight;
  options.onProgress?.({ done, total });
  return { sourceTenant, tenant, events: total, appended, alreadyStored, dryRun: false, ...company };
}
