/** Where a command came from. */
export type CommandSource = 'api' | 'cli' | 'import';

/**
 * What every command carries besides its data, and every event it produces carries as metadata.
 * Time and ids come from here: domain code never reads a clock or makes random ids.
 */
export interface CommandMetadata {
  readonly tenant: string;
  readonly user: string;
  readonly source: CommandSource;
  readonly correlationId: string;
  readonly causationId?: string;
  readonly idempotencyKey?: string;
  /** Business time of the movement (ISO 8601); may lie in the past (back-dated movements). */
  readonly occurredAt: string;
}
