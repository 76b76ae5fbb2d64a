import type { EventToAppend, RecordedEvent } from '../eventstore/event-store.js';
import type { CommandMetadata } from '../domain/metadata.js';
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
  const stamped: EventMetadata = { ...metadata, schemaVersion: currentVersion(event.type) };
  return { id, type: event.type, data: event.data, metadata: stamped };
}

/**
 * Reads a stored event back as a domain event of the current schema version: upcast, then
 * validated against its schema (unknown types are refused).
 */
export function decodeEvent<E extends DomainEvent>(recorded: RecordedEvent): E & { readonly metadata: EventMetadata } {
  const schema = eventDataSchemas[recorded.type as EventType];
  try {
    if (!schema) throw new Error(`unknown event type ${recorded.type}`);
    const metadata = eventMetadataSchema.parse({ schemaVersion: 1, ...recorded.metadata });
    const data = schema.parse(upcast(recorded.type, metadata.schemaVersion, recorded.data as Record<string, unknown>));
    return { type: recorded.type, data, metadata } as unknown as E & { readonly metadata: EventMetadata };
  } catch (error) {
    throw new InvalidStoredEvent(recorded.id, recorded.type, { cause: error });
  }
}
