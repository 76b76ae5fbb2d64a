import { createHash, randomUUID } from 'node:crypto';

/** The key ids are derived from: the idempotency key, within its scope when it has one. */
export function derivationKey(metadata: { readonly idempotencyKey?: string; readonly idempotencyScope?: string }): string | undefined {
  if (metadata.idempotencyKey === undefined) return undefined;
  return metadata.idempotencyScope === undefined ? metadata.idempotencyKey : `${metadata.idempotencyKey}@${metadata.idempotencyScope}`;
}

/** Where commands get their ids from: the composition root's choice, a fixed sequence in tests. */
export interface IdSource {
  /** A fresh random id. */
  random(): string;
  /**
   * The same id for the same (tenant, idempotency key, part) every time: a retried request
   * produces the same movement id and the same event ids, so the event store records nothing twice.
   */
  derived(tenant: string, idempotencyKey: string, part: string): string;
}

/**
 * The ids of the events one command appends to one stream: with an idempotency key, derived from
 * it, the stream and the event's place in this append (`<stream>#<index>`), so a retried request
 * that decides the same events gets the same ids and the event store records nothing twice, even
 * when the stream has moved on since (ids are checked before the expected revision). Without a
 * key, random ones. The one derivation of every command: movements have used it since their
 * first release, so the ids of events already stored under a key are what a retry derives now.
 */
export function eventIdsOf(
  ids: IdSource,
  metadata: { readonly tenant: string; readonly idempotencyKey?: string; readonly idempotencyScope?: string },
  stream: string,
  count: number,
): string[] {
  const key = derivationKey(metadata);
  return Array.from({ length: count }, (_, index) => (key === undefined ? ids.random() : ids.derived(metadata.tenant, key, `${stream}#${index}`)));
}

// A fixed namespace for StockControl's name-based ids (RFC 9562 version 5, SHA-1).
const namespace = Buffer.from('6f6b1c4e2a9d4f0e9b1d3c5a7e8f9012', 'hex');

/** A version-5 UUID of `name` in StockControl's namespace. */
export function nameBasedUuid(name: string): string {
  const hash = createHash('sha1').update(namespace).update(name, 'utf8').digest();
  hash[6] = ((hash[6] ?? 0) & 0x0f) | 0x50;
  hash[8] = ((hash[8] ?? 0) & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/** The production id source: random UUIDs, and name-based ones for idempotent requests. */
export const uuidIdSource: IdSource = {
  random: () => randomUUID(),
  // Length-prefixed parts, so ("a", "bc") and ("ab", "c") cannot collide.
  derived: (tenant, key, part) => nameBasedUuid(`${tenant.length}:${tenant}|${key.length}:${key}|${part}`),
};
