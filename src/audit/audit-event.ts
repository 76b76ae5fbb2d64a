import type { RecordedEvent } from '../eventstore/event-store.js';

/**
 * A stored event as an auditor sees it, in GET /api/audit/events and in `stockctl events` alike:
 * the raw data, and of the metadata the parts that say who, from where, why and when.
 */
export interface AuditEvent {
  readonly id: string;
  readonly stream: string;
  readonly revision: string;
  readonly position: string;
  readonly type: string;
  readonly data: unknown;
  readonly metadata: Readonly<Record<string, unknown>>;
  readonly recordedAt: string;
}

/** The audit fields of the metadata, each null when the event does not carry it. */
const auditedMetadata = ['user', 'credentialId', 'correlationId', 'causationId', 'idempotencyKey', 'source', 'occurredAt'] as const;

/** A recorded event in the audit shape ({@link AuditEvent}). */
export function auditEvent(event: RecordedEvent): AuditEvent {
  const metadata: Record<string, unknown> = {};
  for (const name of auditedMetadata) metadata[name] = event.metadata[name] ?? null;
  return {
    id: event.id,
    stream: event.stream,
    revision: event.revision.toString(),
    position: event.position,
    type: event.type,
    data: event.data,
    metadata,
    recordedAt: event.recordedAt.toISOString(),
  };
}
