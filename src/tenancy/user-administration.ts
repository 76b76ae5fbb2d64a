import { randomUUID } from 'node:crypto';
import { KeyedLock } from '../commands/keyed-lock.js';
import type { Database } from '../database/connection.js';
import type { CommandMetadata } from '../domain/metadata.js';
import type { EventStore } from '../eventstore/event-store.js';
import { streamName } from '../eventstore/stream-name.js';
import { encodeEvent } from '../events/codec.js';
import type { EventType } from '../events/schemas.js';
import type { Credentials } from './credentials.js';
import { hashPassword, verifyPassword } from './passwords.js';
import type { Role } from './roles.js';
import { userInfo, type UserInfo, type UserRow } from './users.js';
import * as sql from './users.sql.js';

/** No user of this name in the tenant. */
export class UnknownUser extends Error {
  readonly code = 'unknown-user';
  constructor(readonly username: string) {
    super(`this tenant has no user ${username}`);
    this.name = 'UnknownUser';
  }
}

/** The change would leave the tenant without an active admin. */
export class LastAdmin extends Error {
  readonly code = 'last-admin';
  constructor(readonly username: string) {
    super(`${username} is the tenant's last active admin: make another user admin first`);
    this.name = 'LastAdmin';
  }
}

/** The current password given with a password change is wrong. */
export class WrongCurrentPassword extends Error {
  readonly code = 'wrong-password';
  constructor() {
    super('the current password is wrong');
    this.name = 'WrongCurrentPassword';
  }
}

/** An API token asked for what only a user has (a password, sessions of its own). */
export class NotAUser extends Error {
  readonly code = 'not-a-user';
  constructor() {
    super('an API token is not a user: it has no password and no sessions; log in as the user');
    this.name = 'NotAUser';
  }
}

/** Who acts: the request's command metadata (tenant, user, correlation id, time) and its credential. */
export interface Actor {
  readonly metadata: CommandMetadata;
  readonly kind: 'session' | 'token';
  readonly credentialId: string;
}

type Transaction = Parameters<Parameters<Database['tx']>[1]>[0];

/** What one administrative act does to the user, decided on the locked row. */
interface Change {
  readonly event: EventType;
  readonly data?: Readonly<Record<string, unknown>>;
  /** Which of the user's sessions end; none when absent. */
  readonly endSessions?: { readonly except?: string; readonly remove?: boolean };
  /** The change of the users row (after the sessions ended, so a deleted user's sessions go first). */
  apply?(t: Transaction): Promise<void>;
}

/**
 * User administration (issue 16): role changes, disabling, deleting, password changes and resets,
 * ending sessions. Each act runs in one transaction that first locks the tenant's row, so two acts
 * on one tenant's users run one after the other in every process: the "last active admin" count
 * holds against two concurrent demotions. In that transaction the user's sessions are ended (the
 * revocation NOTIFY goes out at commit, and this process evicts them after it), and the act's
 * audit event is appended to `<tenant>:user-<username>` before the commit: an act whose event
 * cannot be recorded is rolled back, so nothing changes unaudited. The append takes a second
 * connection while the transaction holds one; acts are therefore run one at a time per process,
 * so they can never take the whole pool waiting for each other, and the pool has at least two
 * connections (DB_POOL_SIZE). Logins of the user wait for the locked row at most 2 s
 * (Credentials.openSession) and nobody waits for a pool connection longer than its timeout, so a
 * login flood cannot hold every connection while the append waits for one.
 */
export class UserAdministration {
  private readonly serial = new KeyedLock();

  constructor(
    private readonly db: Database,
    private readonly store: EventStore,
    private readonly credentials: Credentials,
  ) {}

  /** Gives a user another role; every session of the user ends (they log in again with it). */
  async changeRole(actor: Actor, username: string, role: Role): Promise<UserInfo> {
    return await this.administer(actor, username, async (user, t) => {
      if (user.role === role) return undefined;
      if (user.role === 'admin') await this.refuseLastAdmin(t, actor.metadata.tenant, user);
      return {
        event: 'UserRoleChanged',
        data: { from: user.role, to: role },
        endSessions: {},
        apply: async (tx) => void (await tx.none(sql.updateRole(), [user.id, role])),
      };
    });
  }

  /** Disables a user (every session ends; login answers as to a wrong password) or enables them again. */
  async setStatus(actor: Actor, username: string, status: 'active' | 'disabled'): Promise<UserInfo> {
    return await this.administer(actor, username, async (user, t) => {
      if ((user.disabled_at === null) === (status === 'active')) return undefined;
      if (status === 'active') {
        return { event: 'UserEnabled', apply: async (tx) => void (await tx.none(sql.enableUser(), [user.id])) };
      }
      if (user.role === 'admin') await this.refuseLastAdmin(t, actor.metadata.tenant, user);
      return { event: 'UserDisabled', endSessions: {}, apply: async (tx) => void (await tx.none(sql.disableUser(), [user.id])) };
    });
  }

  /** Deletes a user and their sessions (their API tokens stay: they belong to the tenant). */
  async remove(actor: Actor, username: string): Promise<void> {
    await this.administer(actor, username, async (user, t) => {
      if (user.role === 'admin' && user.disabled_at === null) await this.refuseLastAdmin(t, actor.metadata.tenant, user);
      return {
        event: 'UserDeleted',
        data: { role: user.role },
        endSessions: { remove: true },
        apply: async (tx) => void (await tx.none(sql.deleteUser(), [user.id])),
      };
    });
  }

  /** An admin sets a user's password; the user's sessions end, but the acting session if it is theirs. */
  async resetPassword(actor: Actor, username: string, password: string): Promise<void> {
    const hash = await hashPassword(password);
    await this.administer(actor, username, async (user) => ({
      event: 'UserPasswordReset',
      endSessions: { except: actor.credentialId },
      apply: async (tx) => void (await tx.none(sql.updatePasswordHash(), [user.id, hash])),
    }));
  }

  /** A user changes their own password, giving the current one; their other sessions end. */
  async changeOwnPassword(actor: Actor, currentPassword: string, newPassword: string): Promise<void> {
    const username = this.ownName(actor);
    const stored = await this.db.oneOrNone<{ password_hash: string }>(sql.selectPasswordHashByName(), [actor.metadata.tenant, username]);
    if (!(await verifyPassword(stored?.password_hash, currentPassword))) throw new WrongCurrentPassword();
    const hash = await hashPassword(newPassword);
    await this.administer(actor, username, async (user, t) => {
      // The password may have changed since it was checked: then the one given is not current.
      const now = await t.one<{ password_hash: string }>(sql.selectPasswordHash(), [user.id]);
      if (now.password_hash !== stored?.password_hash) throw new WrongCurrentPassword();
      return {
        event: 'UserPasswordChanged',
        endSessions: { except: actor.credentialId },
        apply: async (tx) => void (await tx.none(sql.updatePasswordHash(), [user.id, hash])),
      };
    });
  }

  /** Ends every session of a user (an admin's act); returns how many were live. */
  async endSessions(actor: Actor, username: string): Promise<number> {
    return await this.endAll(actor, username);
  }

  /** Ends every session of the acting user, this one included (log out everywhere). */
  async endOwnSessions(actor: Actor): Promise<number> {
    return await this.endAll(actor, this.ownName(actor));
  }

  private async endAll(actor: Actor, username: string): Promise<number> {
    let ended = 0;
    await this.administer(actor, username, async () => ({ event: 'UserSessionsEnded', endSessions: {} }), (count) => (ended = count));
    return ended;
  }

  private ownName(actor: Actor): string {
    if (actor.kind !== 'session') throw new NotAUser();
    return actor.metadata.user;
  }

  /** Refuses to take the admin role (or the account) away from the tenant's last active admin. */
  private async refuseLastAdmin(t: Transaction, tenant: string, user: UserRow): Promise<void> {
    if (user.disabled_at !== null) return;
    const admins = await t.one<{ count: number }>(sql.countActiveAdmins(), [tenant]);
    if (admins.count <= 1) throw new LastAdmin(user.username);
  }

  /**
   * Runs one act: lock the tenant, find the user, decide, end sessions, change the row, append the
   * audit event, commit; then evict the ended sessions here. Nothing is recorded when the act
   * changes nothing (`decide` answers undefined).
   */
  private async administer(
    actor: Actor,
    username: string,
    decide: (user: UserRow, t: Transaction) => Promise<Change | undefined>,
    onEnded?: (count: number) => void,
  ): Promise<UserInfo> {
    const { tenant } = actor.metadata;
    const ended: string[] = [];
    const after = await this.serial.run(['user-administration'], async () =>
      this.db.tx('user-administration', async (t) => {
        // A row lock that an insert referencing the tenant (its key share) does not wait for.
        await t.one(sql.lockTenant(), [tenant]);
        const user = await t.oneOrNone<UserRow>(sql.selectUserForUpdate(), [tenant, username]);
        if (!user) throw new UnknownUser(username);
        const change = await decide(user, t);
        if (!change) return user;
        if (change.endSessions) ended.push(...(await this.credentials.endSessionsOf(t, tenant, user.id, change.endSessions)));
        await change.apply?.(t);
        const data = { username: user.username, userId: user.id, sessionsEnded: ended.length, ...change.data };
        const stream = streamName(tenant, 'user', user.username.toLowerCase());
        await this.store.append(stream, [encodeEvent({ type: change.event, data }, randomUUID(), actor.metadata)], { expectedRevision: 'any' });
        return (await t.oneOrNone<UserRow>(sql.selectUser(), [user.id])) ?? user;
      }),
    );
    this.credentials.forget(ended);
    onEnded?.(ended.length);
    return userInfo(after);
  }
}
