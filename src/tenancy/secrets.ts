import { createHash, randomBytes } from 'node:crypto';

/**
 * A new bearer secret: 32 random bytes, base64url, with a prefix that says what it is (`scs_` a
 * login session, `sct_` an API token), so a leaked one is recognisable in logs and scanners.
 */
export function newSecret(prefix: 'scs' | 'sct'): string {
  return `${prefix}_${randomBytes(32).toString('base64url')}`;
}

/** What is stored of a secret: its SHA-256 (the secret has 256 random bits, so no salt or slow hash is needed). */
export function secretHash(secret: string): Buffer {
  return createHash('sha256').update(secret, 'utf8').digest();
}
