/** Where a command came from. */
export type CommandSource = 'api' | 'cli' | 'import';

/**
 * What every command carries besides its data, and every event it produces carries as metadata.
 * Time and ids come from here: domain code never reads a clock or makes random ids.
 */
export interface CommandMetadata {
  readonly tenant: string;
  readonly user: string;
  /**
   * The id of the credential (API token or login session) the command came with: a token's
   * name, which `user` shows, is not unique, and a token outlives its creator's memory of it.
   */
  readonly credentialId?: string;
  readonly source: CommandSource;
  readonly correlationId: string;
  readonly causationId?: string;
  readonly idempotencyKey?: string;
  /**
   * Narrows the idempotency key in time (the API gives the time the key was first claimed): ids are
   * derived from key and scope, so a key used again after it expired records something new. Not
   * recorded in the events; their metadata keeps the key as the client sent it.
   */
  readonly idempotencyScope?: string;
  /** Business time of the movement (ISO 8601); may lie in the past (back-dated movements). */
  readonly occurredAt: string;
}
