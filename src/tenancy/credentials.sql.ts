/*
 * The statements of login sessions and API tokens (credentials.ts), and the LISTEN that their
 * cache (credential-cache.ts) hears revocations with. Each function returns the text of one
 * statement; values are always parameters and the channel's name goes through `:name` escaping.
 */

/** A credential that still opens requests: not revoked, not expired. */
const live = `revoked_at is null and (expires_at is null or expires_at > now())`;

/** A login waits at most 2 s for the user's row (an administrator's change in progress holds it). */
export function sessionLockTimeout(): string {
  return 'set local lock_timeout = 2000';
}

/**
 * $1 id, $2 secret hash, $3 tenant, $4 user id, $5 CSRF token, $6 username, $7 lifetime (hours),
 * $8 password version or null: opens a session only while the user is active (and, with $8, has
 * the password that was checked), stamping their login time in the same statement.
 */
export function insertSession(): string {
  return `with active as (
         update users set last_login_at = now()
          where id = $4 and tenant = $3 and disabled_at is null and ($8::text is null or encode(sha256(convert_to(password_hash, 'UTF8')), 'hex') = $8)
         returning id)
       insert into credentials (id, kind, secret_hash, tenant, user_id, csrf_token, created_by, expires_at)
       select $1, 'session', $2, $3, active.id, $5, $6, now() + make_interval(hours => $7) from active`;
}

/** $1 tenant, $2 user id: deletes the user's sessions, saying which were live. */
export function deleteSessionsOf(): string {
  return `delete from credentials where tenant = $1 and user_id = $2 and kind = 'session' returning id, (${live}) as live`;
}

/** $1 tenant, $2 user id, $3 a session to keep or null: revokes the user's live sessions. */
export function revokeSessionsOf(): string {
  return `update credentials set revoked_at = now()
            where tenant = $1 and user_id = $2 and kind = 'session' and ${live} and id is distinct from $3
           returning id, true as live`;
}

/** $1 channel, $2 credential ids: announces each revoked id (at commit). */
export function notifyRevokedMany(): string {
  return 'select pg_notify($1, id) from unnest($2::text[]) as id';
}

/** $1 channel, $2 credential id: announces one revoked id (at commit). */
export function notifyRevoked(): string {
  return 'select pg_notify($1, $2)';
}

/** $1:name channel: this session receives the revoked ids announced (credential-cache.ts). */
export function listenRevoked(): string {
  return 'LISTEN $1:name';
}

/** $1 id, $2 secret hash, $3 tenant, $4 name, $5 role, $6 created by. */
export function insertToken(): string {
  return `insert into credentials (id, kind, secret_hash, tenant, name, role, created_by) values ($1, 'token', $2, $3, $4, $5, $6)`;
}

/** $1 tenant: the tenant's API tokens, newest first. */
export function selectTokens(): string {
  return `select id, name, role, created_by, created_at, revoked_at from credentials where tenant = $1 and kind = 'token' order by created_at desc, id`;
}

/** $1 id, $2 tenant: revokes a token (keeping the first revocation's time). */
export function revokeToken(): string {
  return `update credentials set revoked_at = coalesce(revoked_at, now()) where id = $1 and tenant = $2 and kind = 'token'`;
}

/** $1 id: ends a session that is not yet revoked. */
export function revokeSession(): string {
  return `update credentials set revoked_at = now() where id = $1 and kind = 'session' and revoked_at is null`;
}

/** $1 secret hash, $2 tenant: the live credential holding the secret, with its user. */
export function selectLiveCredential(): string {
  return `select c.id, c.kind, c.name, coalesce(c.role, u.role) as role, u.username, c.csrf_token, c.expires_at
         from credentials c left join users u on u.id = c.user_id
        where c.secret_hash = $1 and c.tenant = $2 and c.revoked_at is null and (c.expires_at is null or c.expires_at > now())`;
}
