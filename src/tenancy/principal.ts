import type { Role } from './roles.js';

/**
 * Who a request is, once its bearer token or session cookie is known. Its own module so that the
 * credentials (which find principals) and their cache (which keeps them) both use it without
 * importing each other.
 */
export interface Principal {
  readonly tenant: string;
  /** The user's name, or `token:<name>` for an API token. */
  readonly user: string;
  readonly role: Role;
  readonly kind: 'session' | 'token';
  readonly credentialId: string;
  /** The session's CSRF token (sessions only). */
  readonly csrfToken?: string;
}
