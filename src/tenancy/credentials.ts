import { randomBytes, randomUUID } from 'node:crypto';
import type { Database } from '../database/connection.js';
import { revocationChannel, type CredentialCache } from './credential-cache.js';
import type { Role } from './roles.js';
import { newSecret, secretHash } from './secrets.js';

/** Who a request is, once its bearer token or session cookie is known. */
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
   * `passwordVersion` it checked ({@link SessionRefused}, answered as a wrong password).
   */
  async openSession(tenant: string, user: { id: string; username: string; passwordVersion?: string }): Promise<{ secret: string; csrfToken: string }> {
    const secret = newSecret('scs');
    const csrfToken = randomBytes(24).toString('base64url');
    const opened = await this.db.result(
      `with active as (
         update users set last_login_at = now()
          where id = $4 and tenant = $3 and disabled_at is null and ($8::text is null or encode(sha256(convert_to(password_hash, 'UTF8')), 'hex') = $8)
         returning id)
       insert into credentials (id, kind, secret_hash, tenant, user_id, csrf_token, created_by, expires_at)
       select $1, 'session', $2, $3, active.id, $5, $6, now() + make_interval(hours => $7) from active`,
      [randomUUID(), secretHash(secret), tenant, user.id, csrfToken, user.username, sessionLifetimeHours, user.passwordVersion ?? null],
    );
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
    const live = `revoked_at is null and (expires_at is null or expires_at > now())`;
    const rows = options.remove
      ? await t.any<{ id: string; live: boolean }>(
          `delete from credentials where tenant = $1 and user_id = $2 and kind = 'session' returning id, (${live}) as live`,
          [tenant, userId],
        )
      : await t.any<{ id: string; live: boolean }>(
          `update credentials set revoked_at = now()
            where tenant = $1 and user_id = $2 and kind = 'session' and ${live} and id is distinct from $3
           returning id, true as live`,
          [tenant, userId, options.except ?? null],
        );
    const ended = rows.filter((row) => row.live).map((row) => row.id);
    if (ended.length > 0) await t.any('select pg_notify($1, id) from unnest($2::text[]) as id', [revocationChannel, ended]);
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
    await this.db.none(
      `insert into credentials (id, kind, secret_hash, tenant, name, role, created_by) values ($1, 'token', $2, $3, $4, $5, $6)`,
      [id, secretHash(secret), tenant, name, role, createdBy],
    );
    return { id, secret };
  }

  /** The tenant's API tokens, newest first, revoked ones included. */
  async listTokens(tenant: string): Promise<ApiTokenInfo[]> {
    return await this.db.map(
      `select id, name, role, created_by, created_at, revoked_at from credentials where tenant = $1 and kind = 'token' order by created_at desc, id`,
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
    return await this.revoke(`update credentials set revoked_at = coalesce(revoked_at, now()) where id = $1 and tenant = $2 and kind = 'token'`, [id, tenant], id);
  }

  /**
   * Revokes in one transaction with its NOTIFY (sent at commit, or not at all), then evicts here;
   * lookups that began before the eviction are not cached (CredentialCache.ticket).
   */
  private async revoke(sql: string, values: unknown[], id: string): Promise<boolean> {
    const changed = await this.db.tx('revoke-credential', async (t) => {
      const result = await t.result(sql, values);
      if (result.rowCount > 0) await t.any('select pg_notify($1, $2)', [revocationChannel, id]);
      return result.rowCount > 0;
    });
    if (changed) this.cache?.evict(id);
    return changed;
  }

  /** Ends a login session. */
  async closeSession(credentialId: string): Promise<void> {
    await this.revoke(`update credentials set revoked_at = now() where id = $1 and kind = 'session' and revoked_at is null`, [credentialId], credentialId);
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
      `select c.id, c.kind, c.name, coalesce(c.role, u.role) as role, u.username, c.csrf_token, c.expires_at
         from credentials c left join users u on u.id = c.user_id
        where c.secret_hash = $1 and c.tenant = $2 and c.revoked_at is null and (c.expires_at is null or c.expires_at > now())`,
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
