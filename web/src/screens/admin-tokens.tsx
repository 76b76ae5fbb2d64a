import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { newIdempotencyKey, ProblemError } from '../api/client';
import { api } from '../app/api';
import type { Role } from '../app/navigation';
import { browserLocales } from '../components/quantity';
import { formatDateTime } from '../lib/format';
import { roles } from './admin-users';
import { Field } from './field';

/** A token as GET /api/tokens lists it (never its secret). */
interface Token {
  readonly id: string;
  readonly name: string;
  readonly role: Role;
  readonly createdBy: string;
  readonly createdAt: string;
  readonly revokedAt: string | null;
}

const tokensKey = ['admin', 'tokens'] as const;

async function allTokens(): Promise<Token[]> {
  const tokens: Token[] = [];
  let cursor: string | undefined;
  do {
    const page = await api.get<{ items: Token[]; nextCursor: string | null }>('/api/tokens', { limit: 500, cursor });
    tokens.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return tokens;
}

/** The secret of a token just issued: shown this once, with a copy button. */
function IssuedToken({ issued, onDone }: { readonly issued: { name: string; token: string }; readonly onDone: () => void }) {
  const [copied, setCopied] = useState<'yes' | 'no' | undefined>();
  return (
    <div className="alert alert-success issued-token" role="status">
      <p className="mb-1">
        Token for <strong>{issued.name}</strong>. It is shown only now: copy it into the terminal.
      </p>
      <div className="input-group">
        <label htmlFor="issued-token" className="input-group-text">
          Token
        </label>
        <input id="issued-token" className="form-control font-monospace" readOnly value={issued.token} onFocus={(event) => event.target.select()} />
        <button
          type="button"
          className="btn btn-outline-secondary"
          onClick={() => {
            navigator.clipboard.writeText(issued.token).then(
              () => setCopied('yes'),
              () => setCopied('no'),
            );
          }}
        >
          <i className="bi bi-clipboard me-1" aria-hidden="true" />
          {copied === 'yes' ? 'Copied' : 'Copy'}
        </button>
        <button type="button" className="btn btn-outline-secondary" onClick={onDone}>
          Done
        </button>
      </div>
      {copied === 'no' && <p className="small mb-0 mt-1">The browser did not allow copying: select the token and copy it by hand.</p>}
    </div>
  );
}

/** "API tokens": tokens for RF terminals, each with its own role; issue, list, revoke. */
export function TokensSection() {
  const queries = useQueryClient();
  const tokens = useQuery({ queryKey: tokensKey, queryFn: allTokens });
  const [draft, setDraft] = useState({ name: '', role: 'operator' as Role });
  const [key, setKey] = useState(newIdempotencyKey);
  const [issued, setIssued] = useState<{ name: string; token: string } | undefined>();
  const create = useMutation({
    mutationFn: () => api.command<{ id: string; token: string; name: string }>('POST', '/api/tokens', draft, { idempotencyKey: key }),
    onSuccess: (answer) => {
      setIssued({ name: answer.name, token: answer.token });
      setDraft({ name: '', role: draft.role });
      setKey(newIdempotencyKey());
      void queries.invalidateQueries({ queryKey: tokensKey });
    },
  });
  const revoke = useMutation({
    mutationFn: (id: string) => api.command('DELETE', `/api/tokens/${encodeURIComponent(id)}`),
    onSettled: () => void queries.invalidateQueries({ queryKey: tokensKey }),
  });
  const problem = create.error instanceof ProblemError ? create.error : undefined;
  function submit(event: FormEvent) {
    event.preventDefault();
    create.mutate();
  }
  return (
    <section aria-labelledby="admin-tokens" className="mb-4">
      <h2 className="h5" id="admin-tokens">
        API tokens
      </h2>
      <form className="row g-2 mx-0 align-items-start border rounded p-2 mb-3" onSubmit={submit} aria-label="Create API token">
        <div className="col-md-5">
          <Field label="Token name" name="token-name" required placeholder="rf-terminal-3" value={draft.name} error={problem?.at('name')} onChange={(event) => setDraft({ ...draft, name: event.target.value })} />
        </div>
        <div className="col-md-4">
          <label htmlFor="token-role" className="form-label">
            Token role
          </label>
          <select id="token-role" className="form-select" value={draft.role} onChange={(event) => setDraft({ ...draft, role: event.target.value as Role })}>
            {roles.map((role) => (
              <option key={role}>{role}</option>
            ))}
          </select>
        </div>
        <div className="col-md-3 pt-md-4 mt-md-2">
          <button type="submit" className="btn btn-primary w-100" disabled={create.isPending}>
            Create token
          </button>
        </div>
        {create.error && !problem?.at('name') && (
          <div className="col-12 alert alert-danger mb-0" role="alert">
            {create.error.message}
          </div>
        )}
      </form>
      {issued && <IssuedToken issued={issued} onDone={() => setIssued(undefined)} />}
      {revoke.error && (
        <div className="alert alert-danger" role="alert">
          {revoke.error.message}
        </div>
      )}
      {tokens.isError && (
        <div className="alert alert-danger" role="alert">
          {tokens.error.message}
        </div>
      )}
      {tokens.isPending ? (
        <p className="text-body-secondary">Loading…</p>
      ) : (tokens.data ?? []).length === 0 ? (
        <p className="text-body-secondary">No API tokens yet. An RF terminal signs in with one.</p>
      ) : (
        <div className="table-responsive">
          <table className="table table-sm align-middle">
            <thead className="table-light">
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Role</th>
                <th scope="col">Created</th>
                <th scope="col">Status</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {(tokens.data ?? []).map((token) => (
                <tr key={token.id} className="token-row" data-token-name={token.name}>
                  <th scope="row">{token.name}</th>
                  <td>{token.role}</td>
                  <td className="small">
                    {formatDateTime(token.createdAt, browserLocales)} by {token.createdBy}
                  </td>
                  <td>{token.revokedAt ? <span className="badge text-bg-secondary">revoked {formatDateTime(token.revokedAt, browserLocales)}</span> : <span className="badge text-bg-success">active</span>}</td>
                  <td className="text-end">
                    {!token.revokedAt && (
                      <button
                        type="button"
                        className="btn btn-sm btn-outline-danger"
                        disabled={revoke.isPending}
                        aria-label={`Revoke ${token.name}`}
                        onClick={() => {
                          if (window.confirm(`Revoke ${token.name}? Terminals using it stop at once.`)) revoke.mutate(token.id);
                        }}
                      >
                        Revoke
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
