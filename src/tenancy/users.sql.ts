/*
 * The statements on `users` (users.ts, and the user administration's, user-administration.ts).
 * Each function returns the text of one statement; values are always parameters.
 */

/** The columns of a users row as listed (UserRow): never the password hash. */
const userColumns = 'id, username, email, role, disabled_at, created_at, last_login_at';

/** $1 id, $2 tenant, $3 username, $4 email, $5 password hash, $6 role. */
export function insertUser(): string {
  return 'insert into users (id, tenant, username, email, password_hash, role) values ($1, $2, $3, $4, $5, $6)';
}

/** $1 tenant: the tenant's users (UserRow) by username, regardless of case. */
export function selectUsers(): string {
  return `select ${userColumns} from users where tenant = $1 order by lower(username)`;
}

/** $1 tenant, $2 username: an active user's login details (a disabled user is not found). */
export function selectLogin(): string {
  return 'select id, username, role, password_hash from users where tenant = $1 and lower(username) = lower($2) and disabled_at is null';
}

/** $1 tenant, $2 username: the user's password hash, whether or not the user is disabled. */
export function selectPasswordHashByName(): string {
  return 'select password_hash from users where tenant = $1 and lower(username) = lower($2)';
}

/** $1 user id: the user's password hash. */
export function selectPasswordHash(): string {
  return 'select password_hash from users where id = $1';
}

/** $1 tenant: locks the tenant's row against other administrative acts, not against inserts that reference it. */
export function lockTenant(): string {
  return 'select slug from tenants where slug = $1 for no key update';
}

/** $1 tenant, $2 username: the user (UserRow), locked until the transaction ends. */
export function selectUserForUpdate(): string {
  return `select ${userColumns} from users where tenant = $1 and lower(username) = lower($2) for update`;
}

/** $1 user id: the user (UserRow). */
export function selectUser(): string {
  return `select ${userColumns} from users where id = $1`;
}

/** $1 tenant: how many active admins the tenant has. */
export function countActiveAdmins(): string {
  return `select count(*)::int as count from users where tenant = $1 and role = 'admin' and disabled_at is null`;
}

/** $1 user id, $2 role. */
export function updateRole(): string {
  return 'update users set role = $2 where id = $1';
}

/** $1 user id: the user may log in again. */
export function enableUser(): string {
  return 'update users set disabled_at = null where id = $1';
}

/** $1 user id: the user may not log in. */
export function disableUser(): string {
  return 'update users set disabled_at = now() where id = $1';
}

/** $1 user id. */
export function deleteUser(): string {
  return 'delete from users where id = $1';
}

/** $1 user id, $2 password hash. */
export function updatePasswordHash(): string {
  return 'update users set password_hash = $2 where id = $1';
}
