import type { EventToAppend, RecordedEvent } from '../eventstore/event-store.js';
import type { CommandMetadata } from '../domain/metadata.js';
import { exactCheckOf, type ExactCheck } from './exact-check.js';
import { eventDataSchemas, eventMetadataSchema, type EventMetadata, type EventType } from './schemas.js';
import { currentVersion, upcast } from './upcasters.js';

/** A domain event: readonly plain data tagged by type. */
export interface DomainEvent {
  readonly type: string;
  readonly data: object;
}

/** A stored event that does not fit its schema, even after upcasting. */
export class InvalidStoredEvent extends Error {
  readonly code = 'invalid-stored-event';
  constructor(
    readonly eventId: string,
    readonly type: string,
    options: { cause: unknown },
  ) {
    super(`stored event ${eventId} (${type}) does not match its schema`, options);
    this.name = 'InvalidStoredEvent';
  }
}

/** Turns a domain event into what the event store appends: metadata of the command and the schema version. */
export function encodeEvent(event: DomainEvent, id: string, metadata: CommandMetadata): EventToAppend {
  const { idempotencyScope: _scope, ...recorded } = metadata;
  const stamped: EventMetadata = { ...recorded, schemaVersion: currentVersion(event.type) };
  return { id, type: event.type, data: event.data, metadata: stamped };
}

/** Exact checks of the schemas (see exact-check.ts): values they accept are what zod would return. */
const exactDataChecks = new Map<string, ExactCheck | undefined>(Object.entries(eventDataSchemas).map(([type, schema]) => [type, exactCheckOf(schema)]));
const exactMetadataCheck = exactCheckOf(eventMetadataSchema);

/**
 * Reads a stored event back as a domain event of the current schema version: upcast, then
 * validated against its schema (unknown types are refused). Every event is validated: a stored
 * value that zod would accept unchanged (nearly all) is checked by the schema's exact check and
 * used as it is, at a tenth of zod's cost; any other value is parsed by zod, which strips what
 * the schema does not know or refuses the event.
 */
export function decodeEvent<E extends DomainEvent>(recorded: RecordedEvent): E & { readonly metadata: EventMetadata } {
  const schema = eventDataSchemas[recorded.type as EventType];
  try {
    if (!schema) throw new Error(`unknown event type ${recorded.type}`);
    const stored = recorded.metadata;
    const metadata =
      exactMetadataCheck?.(stored) ? (stored as EventMetadata) : eventMetadataSchema.parse({ schemaVersion: 1, ...stored });
    const current = upcast(recorded.type, metadata.schemaVersion, recorded.data as Record<string, unknown>);
    const data = exactDataChecks.get(recorded.type)?.(current) ? current : schema.parse(current);
    return { type: recorded.type, data, metadata } as unknown as E & { readonly metadata: EventMetadata };
  } catch (error) {
    throw new InvalidStoredEvent(recorded.id, recorded.type, { cause: error });
  }
}
