import { createHash, randomUUID } from 'node:crypto';
import type { Database } from '../database/connection.js';
import { hashPassword, verifyPassword } from './passwords.js';
import type { Role } from './roles.js';
import * as sql from './users.sql.js';

/** A user as listed (never with the password hash). */
export interface UserInfo {
  readonly id: string;
  readonly username: string;
  readonly email: string;
  readonly role: Role;
  /** `disabled`: cannot log in and has no sessions (user administration). */
  readonly status: UserStatus;
  readonly createdAt: string;
  /** When the user last opened a session (logged in); null when never. */
  readonly lastLoginAt: string | null;
}

/** Whether a user may log in. */
export type UserStatus = 'active' | 'disabled';

/** A new user's details; the password is hashed here and never stored. */
export interface NewUser {
  readonly username: string;
  readonly email: string;
  readonly password: string;
  readonly role: Role;
}

/** A username already taken in the tenant (regardless of case). */
export class UsernameTaken extends Error {
  readonly code = 'username-taken';
  constructor(readonly username: string) {
    super(`the username ${username} is taken in this tenant`);
    this.name = 'UsernameTaken';
  }
}

type Queryable = Pick<Database, 'none' | 'oneOrNone' | 'map'>;

const uniqueViolation = '23505';

/** A users row as selected for UserInfo. */
export interface UserRow {
  readonly id: string;
  readonly username: string;
  readonly email: string;
  readonly role: Role;
  readonly disabled_at: Date | null;
  readonly created_at: Date;
  readonly last_login_at: Date | null;
}

/** A users row as the API lists it (never with the password hash). */
export function userInfo(row: UserRow): UserInfo {
  return {
    id: row.id,
    username: row.username,
    email: row.email,
    role: row.role,
    status: row.disabled_at === null ? 'active' : 'disabled',
    createdAt: row.created_at.toISOString(),
    lastLoginAt: row.last_login_at?.toISOString() ?? null,
  };
}

/** Users of the tenants: created with an argon2id hash, checked at login. */
export class Users {
  constructor(private readonly db: Database) {}

  /**
   * Creates a user in `tenant` (inside `t` when given, e.g. the registration transaction, which
   * hashes the password before it opens the transaction and passes `passwordHash`).
   */
  async create(tenant: string, user: NewUser, t: Queryable = this.db, hashed?: string): Promise<UserInfo> {
    const id = randomUUID();
    const passwordHash = hashed ?? (await hashPassword(user.password));
    try {
      await t.none(sql.insertUser(), [id, tenant, user.username, user.email, passwordHash, user.role]);
    } catch (error) {
      if ((error as { code?: string }).code === uniqueViolation) throw new UsernameTaken(user.username);
      throw error;
    }
    return { id, username: user.username, email: user.email, role: user.role, status: 'active', createdAt: new Date().toISOString(), lastLoginAt: null };
  }

  /** The tenant's users, by username. */
  async list(tenant: string): Promise<UserInfo[]> {
    return await this.db.map(sql.selectUsers(), [tenant], userInfo);
  }

  /**
   * The user with these credentials in `tenant`, or undefined: an unknown user and a wrong
   * password take the same time and give the same answer. `passwordVersion` (a digest of the
   * stored hash, not the hash) lets the session opened next refuse a password changed meanwhile.
   */
  async checkLogin(tenant: string, username: string, password: string): Promise<{ id: string; username: string; role: Role; passwordVersion: string } | undefined> {
    const row = await this.db.oneOrNone<{ id: string; username: string; role: Role; password_hash: string }>(
      // A disabled user is not found: the same 401 as a wrong password, so nothing tells it apart.
      sql.selectLogin(),
      [tenant, username],
    );
    const matches = await verifyPassword(row?.password_hash, password);
    return matches && row ? { id: row.id, username: row.username, role: row.role, passwordVersion: passwordVersion(row.password_hash) } : undefined;
  }
}

/** A digest of a stored password hash: equal while the password is unchanged, and no hash to leak. */
export function passwordVersion(passwordHash: string): string {
  return createHash('sha256').update(passwordHash, 'utf8').digest('hex');
}
