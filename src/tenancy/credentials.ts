import { randomBytes, randomUUID } from 'node:crypto';
import type { Database } from '../database/connection.js';
import { revocationChannel, type CredentialCache } from './credential-cache.js';
import * as sql from './credentials.sql.js';
import type { Principal } from './principal.js';
import type { Role } from './roles.js';
import { newSecret, secretHash } from './secrets.js';

// Principal lives in principal.ts (the cache keeps principals too); its callers have always found it here.
export type { Principal } from './principal.js';

/** An API token as listed (never with its secret). */
export interface ApiTokenInfo {
  readonly id: string;
  readonly name: string;
  readonly role: Role;
  readonly createdBy: string;
  readonly createdAt: string;
  readonly revokedAt: string | null;
}

/**
 * Between the password check and the session, the user was disabled, deleted or given another
 * password: answered as a wrong password (no user enumeration).
 */
export class SessionRefused extends Error {
  readonly code = 'session-refused';
  constructor() {
    super('the user was disabled, deleted or given another password since the password was checked');
    this.name = 'SessionRefused';
  }
}

/**
 * The user's row stayed locked (an administrator's change of that user in progress) for longer
 * than a login waits: answered 503 with Retry-After, so a login never holds a pool connection
 * for as long as someone else's transaction lasts.
 */
export class SessionBusy extends Error {
  readonly code = 'busy';
  constructor(
    readonly retryAfterSeconds: number,
    options?: { cause?: unknown },
  ) {
    super("the user's row is locked by a change in progress; try again shortly", options);
    this.name = 'SessionBusy';
  }
}

/** PostgreSQL's SQLSTATE for a lock not granted within `lock_timeout`. */
const lockNotAvailable = '55P03';

type Queryable = Pick<Database, 'any'>;

/** How long a login session lasts. */
export const sessionLifetimeHours = 12;

/**
 * Login sessions and API tokens: both are random secrets held by the client and stored only as a
 * hash, bound to one tenant, and checked on every request (so a revocation holds at once).
 */
export class Credentials {
  constructor(
    private readonly db: Database,
    private readonly cache?: CredentialCache,
  ) {}

  /**
   * Opens a login session for a user; returns the secret (the bearer token and cookie value) and its
   * CSRF token, and records the login time. The same statement updates the user's row, so it waits
   * for an administrator's change of that user in progress and then finds a disabled or deleted
   * user gone: a session is never opened for a user once disabling them has committed, nor with a
   * password checked before a password change committed, when the login gives the
   * `passwordVersion` it checked ({@link SessionRefused}, answered as a wrong password). It waits
   * for that change at most 2 s ({@link SessionBusy}): an act stuck behind a drained pool must not
   * take every login's connection with it.
   */
  async openSession(tenant: string, user: { id: string; username: string; passwordVersion?: string }): Promise<{ secret: string; csrfToken: string }> {
    const secret = newSecret('scs');
    const csrfToken = randomBytes(24).toString('base64url');
    const values = [randomUUID(), secretHash(secret), tenant, user.id, csrfToken, user.username, sessionLifetimeHours, user.passwordVersion ?? null];
    const opened = await this.db
      .tx('open-session', async (t) => {
        // Waits for the user's row at most this long, then gives its connection back (SessionBusy).
        await t.none(sql.sessionLockTimeout());
        return await t.result(sql.insertSession(), values);
      })
      .catch((error: unknown) => {
        if ((error as { code?: unknown } | null)?.code === lockNotAvailable) throw new SessionBusy(1, { cause: error });
        throw error;
      });
    if (opened.rowCount === 0) throw new SessionRefused();
    return { secret, csrfToken };
  }

  /**
   * Ends every live session of a user (but `except`, the caller's own when it keeps it) inside the
   * caller's transaction `t`, announcing each id at its commit; `remove` deletes the rows instead
   * (a user being deleted). Returns the ids of the sessions that were live: pass them to
   * {@link forget} once `t` has committed. API tokens are not touched: they belong to the tenant.
   */
  async endSessionsOf(t: Queryable, tenant: string, userId: string, options: { readonly except?: string; readonly remove?: boolean } = {}): Promise<string[]> {
    const rows = options.remove
      ? await t.any<{ id: string; live: boolean }>(sql.deleteSessionsOf(), [tenant, userId])
      : await t.any<{ id: string; live: boolean }>(sql.revokeSessionsOf(), [tenant, userId, options.except ?? null]);
    const ended = rows.filter((row) => row.live).map((row) => row.id);
    if (ended.length > 0) await t.any(sql.notifyRevokedMany(), [revocationChannel, ended]);
    return ended;
  }

  /** Evicts ended sessions from this process's cache (after the transaction that ended them committed). */
  forget(credentialIds: readonly string[]): void {
    for (const id of credentialIds) this.cache?.evict(id);
  }

  /** Issues an API token with its own role; the secret is returned once and never stored. */
  async issueToken(tenant: string, name: string, role: Role, createdBy: string): Promise<{ id: string; secret: string }> {
    const id = randomUUID();
    const secret = newSecret('sct');
    await this.db.none(sql.insertToken(), [id, secretHash(secret), tenant, name, role, createdBy]);
    return { id, secret };
  }

  /** The tenant's API tokens, newest first, revoked ones included. */
  async listTokens(tenant: string): Promise<ApiTokenInfo[]> {
    return await this.db.map(
      sql.selectTokens(),
      [tenant],
      (row: { id: string; name: string; role: Role; created_by: string; created_at: Date; revoked_at: Date | null }) => ({
        id: row.id,
        name: row.name,
        role: row.role,
        createdBy: row.created_by,
        createdAt: row.created_at.toISOString(),
        revokedAt: row.revoked_at?.toISOString() ?? null,
      }),
    );
  }

  /** Revokes one of the tenant's API tokens; false when the tenant has no such token. */
  async revokeToken(tenant: string, id: string): Promise<boolean> {
    return await this.revoke(sql.revokeToken(), [id, tenant], id);
  }

  /**
   * Revokes in one transaction with its NOTIFY (sent at commit, or not at all), then evicts here;
   * lookups that began before the eviction are not cached (CredentialCache.ticket).
   */
  private async revoke(statement: string, values: unknown[], id: string): Promise<boolean> {
    const changed = await this.db.tx('revoke-credential', async (t) => {
      const result = await t.result(statement, values);
      if (result.rowCount > 0) await t.any(sql.notifyRevoked(), [revocationChannel, id]);
      return result.rowCount > 0;
    });
    if (changed) this.cache?.evict(id);
    return changed;
  }

  /** Ends a login session. */
  async closeSession(credentialId: string): Promise<void> {
    await this.revoke(sql.revokeSession(), [credentialId], credentialId);
  }

  /**
   * Who holds this secret, if it is a live credential of `tenant`. A credential of another tenant
   * is not found: credentials are bound to one tenant.
   */
  async authenticate(tenant: string, secret: string): Promise<Principal | undefined> {
    if (!/^sc[st]_[A-Za-z0-9_-]{43}$/.test(secret)) return undefined;
    const hash = secretHash(secret);
    const key = `${tenant}/${hash.toString('base64')}`;
    const cached = this.cache?.get(key);
    if (cached) return cached;
    const ticket = this.cache?.ticket() ?? 0;
    const row = await this.db.oneOrNone<{ id: string; kind: 'session' | 'token'; name: string | null; role: Role; username: string | null; csrf_token: string | null; expires_at: Date | null }>(
      sql.selectLiveCredential(),
      [hash, tenant],
    );
    if (!row) return undefined;
    const principal: Principal = {
      tenant,
      user: row.kind === 'session' ? (row.username ?? '') : `token:${row.name ?? ''}`,
      role: row.role,
      kind: row.kind,
      credentialId: row.id,
      ...(row.csrf_token === null ? {} : { csrfToken: row.csrf_token }),
    };
    this.cache?.set(key, principal, row.expires_at?.getTime() ?? Number.POSITIVE_INFINITY, ticket);
    return principal;
  }
}
