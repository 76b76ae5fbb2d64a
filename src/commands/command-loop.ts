import type { Decider } from '../domain/decider.js';
import { DomainError } from '../domain/errors.js';
import type { CommandMetadata } from '../domain/metadata.js';
import type { AppendResult, ExpectedRevision } from '../eventstore/event-store.js';
import { encodeEvent, type DomainEvent } from '../events/codec.js';
import type { CommandDependencies } from './command-context.js';
import { ConcurrencyConflict, RevisionMismatch } from './errors.js';
import { eventIdsOf } from './event-ids.js';
import { retryPolicy } from './retry-policy.js';

/** What a command decided for one stream: the events to append there and the revision they were decided on. */
export interface StreamDecision {
  readonly stream: string;
  readonly events: readonly DomainEvent[];
  readonly expectedRevision: ExpectedRevision;
  /** The decider of the stream's cached state, to fold the events in once written (none: the next load reads them). */
  readonly cachedWith?: Pick<Decider<never, never, unknown>, 'evolve'>;
}

/** What one try decided: the appends (none when nothing changes) and the answers for each outcome. */
export interface Decided<R> {
  readonly appends: readonly StreamDecision[];
  /** The answer once the appends are written; `results` in the order of `appends`. */
  written(results: readonly AppendResult[]): R;
  /** The answer (or the refusal, thrown) when there was nothing to append, after a fresh read. */
  unchanged(): R;
}

/** One try at a command, once its streams are loaded. */
export type Attempt<R> =
  /** The command was already done (a retried request found its movement): answer without deciding. */
  | { readonly answered: R }
  | {
      /** Whether every state decided on was read from the store just now, not taken from the cache. */
      readonly fresh: boolean;
      /** Decides on what was loaded; throws a DomainError or RevisionMismatch to refuse. */
      decide(): Decided<R>;
      /** Called before a refusal on fresh states is given: may throw a refusal that explains more. */
      beforeRefusing?(refusal: Error): Promise<void>;
    };

/** A refusal that a stale cached state may have caused: only given after a fresh read. */
const isRefusal = (error: unknown): error is Error => error instanceof DomainError || error instanceof RevisionMismatch;

/**
 * The one command path: load, decide, append with the expected revisions, and on a conflict with
 * another writer load again and decide again (the retry policy). A command on one stream is the
 * n = 1 case of a movement over many. `load(maxAgeMs)` reads the streams (cached states younger
 * than `maxAgeMs` are used as they are). The first try decides on cached states (Infinity); a
 * refusal, or "nothing to do", is only given after a fresh read (0), and a conflict reads afresh
 * too. One stream is appended with `append`, several with `appendMany` (all or none); event ids
 * come from `eventIdsOf`, and each stream's cached state takes the events this process wrote.
 */
export async function runCommand<R>(
  dependencies: CommandDependencies,
  metadata: CommandMetadata,
  streams: readonly string[],
  load: (maxAgeMs: number) => Promise<Attempt<R>>,
): Promise<R> {
  const policy = retryPolicy(dependencies.maxAttempts);
  let optimistic = true;
  for (let attempt = 1; attempt <= policy.attempts; attempt += 1) {
    const tried = await load(optimistic ? Number.POSITIVE_INFINITY : 0);
    if ('answered' in tried) return tried.answered;
    let decided: Decided<R>;
    try {
      decided = tried.decide();
    } catch (error) {
      if (!isRefusal(error)) throw error;
      if (!tried.fresh) {
        optimistic = false;
        continue;
      }
      await tried.beforeRefusing?.(error);
      throw error;
    }
    if (decided.appends.length === 0) {
      if (!tried.fresh) {
        optimistic = false;
        continue;
      }
      return decided.unchanged();
    }
    try {
      const results = await append(dependencies, metadata, decided.appends);
      decided.appends.forEach((decision, index) => {
        const result = results[index];
        if (decision.cachedWith && result && !result.duplicate) dependencies.cache.applyAppended(decision.stream, decision.cachedWith, decision.events as never[], result.revision);
      });
      return decided.written(results);
    } catch (error) {
      if (!policy.isConflict(error)) throw error;
      optimistic = false;
      await policy.pause(attempt);
    }
  }
  throw new ConcurrencyConflict(streams, policy.attempts);
}

/** Writes the decisions: one stream with `append`, several at once with `appendMany`. */
async function append(dependencies: CommandDependencies, metadata: CommandMetadata, decisions: readonly StreamDecision[]): Promise<readonly AppendResult[]> {
  const encoded = decisions.map((decision) => {
    const ids = eventIdsOf(dependencies.ids, metadata, decision.stream, decision.events.length);
    return {
      stream: decision.stream,
      expectedRevision: decision.expectedRevision,
      events: decision.events.map((event, index) => encodeEvent(event, ids[index] as string, metadata)),
    };
  });
  const [only] = encoded;
  if (only && encoded.length === 1) return [await dependencies.store.append(only.stream, only.events, { expectedRevision: only.expectedRevision })];
  return await dependencies.store.appendMany(encoded);
}
