import type { Decider } from '../domain/decider.js';
import { DomainError } from '../domain/errors.js';
import type { CommandMetadata } from '../domain/metadata.js';
import { WrongExpectedRevision, type AppendResult } from '../eventstore/event-store.js';
import { encodeEvent, type DomainEvent } from '../events/codec.js';
import { backOff, type CommandDependencies } from './command-context.js';
import { ConcurrencyConflict, RevisionMismatch } from './errors.js';
import { derivationKey } from './event-ids.js';

/** What a command on one stream did: its events (none when nothing changed) and where they landed. */
export interface StreamCommandResult<E> {
  readonly events: readonly E[];
  /** The stream's revision after the command. */
  readonly revision: bigint | undefined;
  /** The position of the last event written; undefined when nothing was written. */
  readonly position: string | undefined;
}

/**
 * Read, fold, decide, append: the command path for commands on one stream (articles, locations).
 * On a conflict with another writer it reloads and decides again, a bounded number of times.
 * `ifMatch` is the revision the caller saw (HTTP If-Match): a different one is refused.
 */
export async function handleStreamCommand<C, E extends DomainEvent, S>(
  dependencies: CommandDependencies,
  stream: string,
  decider: Decider<C, E, S>,
  command: C,
  metadata: CommandMetadata,
  ifMatch?: bigint,
): Promise<StreamCommandResult<E>> {
  const attempts = dependencies.maxAttempts ?? 5;
  // The first try decides on the cached state; a refusal, a precondition failure or "nothing to
  // do" is only answered after a fresh read, and a conflict reads again too.
  let optimistic = true;
  for (let attempt = 1; attempt <= attempts; attempt += 1) {
    const loaded = await dependencies.cache.load(stream, decider, optimistic ? Number.POSITIVE_INFINITY : 0);
    let events: readonly E[];
    try {
      if (ifMatch !== undefined && loaded.revision !== ifMatch) throw new RevisionMismatch(ifMatch, loaded.revision);
      events = decider.decide(command, loaded.state);
    } catch (error) {
      if (!loaded.fresh && (error instanceof DomainError || error instanceof RevisionMismatch)) {
        optimistic = false;
        continue;
      }
      throw error;
    }
    if (events.length === 0) {
      if (!loaded.fresh) {
        optimistic = false;
        continue;
      }
      return { events, revision: loaded.revision, position: undefined };
    }
    const key = derivationKey(metadata);
    const base = loaded.revision === undefined ? 0n : loaded.revision + 1n;
    const toAppend = events.map((event, index) =>
      encodeEvent(event, key ? dependencies.ids.derived(metadata.tenant, key, `${stream}#${base + BigInt(index)}`) : dependencies.ids.random(), metadata),
    );
    try {
      const result: AppendResult = await dependencies.store.append(stream, toAppend, { expectedRevision: loaded.revision ?? 'no_stream' });
      if (!result.duplicate) dependencies.cache.applyAppended(stream, decider, events, result.revision);
      return { events, revision: result.revision, position: result.position };
    } catch (error) {
      if (!(error instanceof WrongExpectedRevision)) throw error;
      optimistic = false;
      await backOff(attempt);
    }
  }
  throw new ConcurrencyConflict([stream], attempts);
}
