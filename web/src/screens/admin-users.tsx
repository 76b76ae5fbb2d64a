import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { newIdempotencyKey, ProblemError } from '../api/client';
import { api } from '../app/api';
import type { Role } from '../app/navigation';
import { browserLocales } from '../components/quantity';
import { formatDateTime } from '../lib/format';
import { Field } from './field';

/** A user as GET /api/users lists them. */
interface User {
  readonly id: string;
  readonly username: string;
  readonly email: string;
  readonly role: Role;
  readonly status: 'active' | 'disabled';
  readonly lastLoginAt: string | null;
}

/** The roles of API.md, in the order an admin picks them. */
export const roles: readonly Role[] = ['operator', 'manager', 'viewer', 'auditor', 'admin'];
const usersKey = ['admin', 'users'] as const;
const blankUser = { username: '', email: '', password: '', role: 'operator' as Role };

/** Every user of the tenant (all pages of GET /api/users). */
async function allUsers(): Promise<User[]> {
  const users: User[] = [];
  let cursor: string | undefined;
  do {
    const page = await api.get<{ items: User[]; nextCursor: string | null }>('/api/users', { limit: 500, cursor });
    users.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return users;
}

/** "Create user": the fields of POST /api/users, each refusal at its field; what was typed stays. */
function CreateUser() {
  const queries = useQueryClient();
  const [draft, setDraft] = useState(blankUser);
  const [key, setKey] = useState(newIdempotencyKey);
  const create = useMutation({
    mutationFn: () => api.command('POST', '/api/users', draft, { idempotencyKey: key }),
    onSuccess: () => {
      setDraft(blankUser);
      setKey(newIdempotencyKey());
      void queries.invalidateQueries({ queryKey: usersKey });
    },
  });
  const problem = create.error instanceof ProblemError ? create.error : undefined;
  const at = (field: string): string | undefined => problem?.at(field) ?? (problem?.code === 'conflict' && field === 'username' ? problem.detail : undefined);
  function submit(event: FormEvent) {
    event.preventDefault();
    create.mutate();
  }
  return (
    <form className="row g-2 mx-0 align-items-start border rounded p-2 mb-3" onSubmit={submit} aria-label="Create user">
      <div className="col-md-6 col-lg-3">
        <Field label="Username" name="new-username" required autoComplete="off" value={draft.username} error={at('username')} onChange={(event) => setDraft({ ...draft, username: event.target.value })} />
      </div>
      <div className="col-md-6 col-lg-3">
        <Field label="Email" name="new-email" type="email" required autoComplete="off" value={draft.email} error={at('email')} onChange={(event) => setDraft({ ...draft, email: event.target.value })} />
      </div>
      <div className="col-md-5 col-lg-3">
        <Field label="Password" name="new-password" type="password" required autoComplete="new-password" value={draft.password} error={at('password')} onChange={(event) => setDraft({ ...draft, password: event.target.value })} />
      </div>
      <div className="col-md-4 col-lg-2">
        <label htmlFor="new-role" className="form-label">
          Role
        </label>
        <select id="new-role" className="form-select" value={draft.role} onChange={(event) => setDraft({ ...draft, role: event.target.value as Role })}>
          {roles.map((role) => (
            <option key={role}>{role}</option>
          ))}
        </select>
      </div>
      <div className="col-md-3 col-lg-1 pt-md-4 mt-md-2">
        <button type="submit" className="btn btn-primary w-100" disabled={create.isPending}>
          Create
        </button>
      </div>
      {create.error && problem?.errors.length === 0 && (
        <div className="col-12 alert alert-danger mb-0" role="alert">
          {create.error.message}
        </div>
      )}
    </form>
  );
}

/** One user's row: role, status, and the acts of user administration. */
function UserRow({ user }: { readonly user: User }) {
  const queries = useQueryClient();
  const [message, setMessage] = useState<{ kind: 'success' | 'danger'; text: string } | undefined>();
  const [resetting, setResetting] = useState(false);
  const [newPassword, setNewPassword] = useState('');
  const act = useMutation({
    mutationFn: async (action: { run: () => Promise<unknown>; done: string }) => {
      await action.run();
      return action.done;
    },
    onSuccess: (done) => {
      setMessage({ kind: 'success', text: done });
      void queries.invalidateQueries({ queryKey: usersKey });
    },
    onError: (error) => setMessage({ kind: 'danger', text: error.message }),
  });
  const path = `/api/users/${encodeURIComponent(user.username)}`;
  const run = (command: () => Promise<unknown>, done: string): void => act.mutate({ run: command, done });
  return (
    <tr className="user-row" data-username={user.username}>
      <th scope="row">{user.username}</th>
      <td className="text-break">{user.email}</td>
      <td>
        <label className="visually-hidden" htmlFor={`role-${user.id}`}>
          Role of {user.username}
        </label>
        <select id={`role-${user.id}`} className="form-select form-select-sm w-auto" value={user.role} disabled={act.isPending} onChange={(event) => {
            // Read now: the select is controlled and shows the old role again until the list is refetched.
            const role = event.target.value;
            run(() => api.command('PATCH', path, { role }), `Role changed to ${role}; sessions ended.`);
          }}
        >
          {roles.map((role) => (
            <option key={role}>{role}</option>
          ))}
        </select>
      </td>
      <td>
        <span className={`badge ${user.status === 'active' ? 'text-bg-success' : 'text-bg-secondary'}`}>{user.status}</span>
      </td>
      <td className="text-nowrap small">{user.lastLoginAt ? formatDateTime(user.lastLoginAt, browserLocales) : 'never'}</td>
      <td>
        <div className="d-flex flex-wrap gap-1">
          {user.status === 'active' ? (
            <button type="button" className="btn btn-sm btn-outline-danger" disabled={act.isPending} onClick={() => run(() => api.command('POST', `${path}/disable`), 'Disabled; sessions ended.')}>
              Disable
            </button>
          ) : (
            <button type="button" className="btn btn-sm btn-outline-success" disabled={act.isPending} onClick={() => run(() => api.command('POST', `${path}/enable`), 'Enabled.')}>
              Enable
            </button>
          )}
          <button type="button" className="btn btn-sm btn-outline-secondary" disabled={act.isPending} onClick={() => run(() => api.command('DELETE', `${path}/sessions`), 'Sessions ended.')}>
            End sessions
          </button>
          <button type="button" className="btn btn-sm btn-outline-secondary" aria-expanded={resetting} disabled={act.isPending} onClick={() => setResetting(!resetting)}>
            Reset password
          </button>
          <button
            type="button"
            className="btn btn-sm btn-outline-danger"
            disabled={act.isPending}
            onClick={() => {
              if (window.confirm(`Delete ${user.username}? This cannot be undone.`)) run(() => api.command('DELETE', path), 'Deleted.');
            }}
          >
            Delete
          </button>
        </div>
        {resetting && (
          <form
            className="d-flex flex-wrap align-items-end gap-2 mt-2"
            aria-label={`Reset the password of ${user.username}`}
            onSubmit={(event) => {
              event.preventDefault();
              run(() => api.command('POST', `${path}/password`, { password: newPassword }), 'Password reset; other sessions ended.');
              setResetting(false);
              setNewPassword('');
            }}
          >
            <div>
              <label htmlFor={`reset-${user.id}`} className="form-label small mb-0">
                New password
              </label>
              <input id={`reset-${user.id}`} type="password" autoComplete="new-password" required className="form-control form-control-sm" value={newPassword} onChange={(event) => setNewPassword(event.target.value)} />
            </div>
            <button type="submit" className="btn btn-sm btn-primary">
              Set password
            </button>
          </form>
        )}
        {message && (
          <div className={`small text-${message.kind} mt-1`} role={message.kind === 'danger' ? 'alert' : 'status'}>
            {message.text}
          </div>
        )}
      </td>
    </tr>
  );
}

/** "Users and roles": the tenant's users, a form to create one, and each user's acts. */
export function UsersSection() {
  const users = useQuery({ queryKey: usersKey, queryFn: allUsers });
  return (
    <section aria-labelledby="admin-users" className="mb-4">
      <h2 className="h5" id="admin-users">
        Users and roles
      </h2>
      <CreateUser />
      {users.isError && (
        <div className="alert alert-danger" role="alert">
          {users.error.message}
        </div>
      )}
      {users.isPending ? (
        <p className="text-body-secondary">Loading…</p>
      ) : (
        <div className="table-responsive">
          <table className="table table-sm align-middle">
            <thead className="table-light">
              <tr>
                <th scope="col">Username</th>
                <th scope="col">Email</th>
                <th scope="col">Role</th>
                <th scope="col">Status</th>
                <th scope="col">Last sign-in</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {(users.data ?? []).map((user) => (
                <UserRow key={user.id} user={user} />
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
