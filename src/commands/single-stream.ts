import type { Decider } from '../domain/decider.js';
import type { CommandMetadata } from '../domain/metadata.js';
import type { DomainEvent } from '../events/codec.js';
import type { CommandDependencies } from './command-context.js';
import { runCommand } from './command-loop.js';
import { RevisionMismatch } from './errors.js';

/** What a command on one stream did: its events (none when nothing changed) and where they landed. */
export interface StreamCommandResult<E> {
  readonly events: readonly E[];
  /** The stream's revision after the command. */
  readonly revision: bigint | undefined;
  /** The position of the last event written; undefined when nothing was written. */
  readonly position: string | undefined;
}

/**
 * A command on one stream (articles, locations): the n = 1 case of the one command path
 * (runCommand). `ifMatch` is the revision the caller saw (HTTP If-Match): a different one is
 * refused, like a business rule, only after a fresh read.
 */
export async function handleStreamCommand<C, E extends DomainEvent, S>(
  dependencies: CommandDependencies,
  stream: string,
  decider: Decider<C, E, S>,
  command: C,
  metadata: CommandMetadata,
  ifMatch?: bigint,
): Promise<StreamCommandResult<E>> {
  return await runCommand(dependencies, metadata, [stream], async (maxAgeMs) => {
    const loaded = await dependencies.cache.load(stream, decider, maxAgeMs);
    return {
      fresh: loaded.fresh,
      decide: () => {
        if (ifMatch !== undefined && loaded.revision !== ifMatch) throw new RevisionMismatch(ifMatch, loaded.revision);
        const events = decider.decide(command, loaded.state);
        return {
          appends: events.length === 0 ? [] : [{ stream, events, expectedRevision: loaded.revision ?? 'no_stream', cachedWith: decider }],
          written: ([result]) => ({ events, revision: result?.revision, position: result?.position }),
          unchanged: () => ({ events, revision: loaded.revision, position: undefined }),
        };
      },
    };
  });
}
