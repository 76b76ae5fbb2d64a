import { useState, type FormEvent } from 'react';
import { Link } from 'wouter';
import { NetworkError, ProblemError } from '../api/client';
import { api } from '../app/api';
import { useSession } from '../app/session';
import { Field } from './field';

type Errors = Partial<Record<'company' | 'username' | 'password' | 'form', string>>;

/** Where a refused sign-in is shown: the company for an unknown tenant, the password otherwise. */
function signInErrors(error: unknown): Errors {
  if (error instanceof ProblemError) {
    if (error.code === 'unknown-tenant') return { company: 'No company has this ID.' };
    if (error.status === 401) return { password: 'Wrong username or password.' };
    if (error.status === 429) return { form: `Too many attempts. Try again in ${error.retryAfter ?? 60} seconds.` };
    if (error.status === 422) return { username: error.at('username'), password: error.at('password') };
    return { form: error.message };
  }
  return { form: error instanceof NetworkError ? error.message : 'Signing in failed.' };
}

/** "Sign in": the company (where the host names none), "Username", "Password". */
export function SignInScreen() {
  const { signIn } = useSession();
  const [company, setCompany] = useState(api.tenant() ?? '');
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [errors, setErrors] = useState<Errors>({});
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (api.asksForTenant && !company.trim()) {
      setErrors({ company: 'Enter your company ID.' });
      return;
    }
    setBusy(true);
    setErrors({});
    try {
      if (api.asksForTenant) api.setTenant(company.trim().toLowerCase());
      await signIn(username, password);
    } catch (error) {
      setErrors(signInErrors(error));
    } finally {
      setBusy(false);
    }
  }

  return (
    <main className="container py-5">
      <div className="card auth-card mx-auto shadow-sm">
        <div className="card-body p-4">
          <h1 className="h3 mb-4">
            <i className="bi bi-box-seam me-2" aria-hidden="true" />
            Sign in
          </h1>
          {errors.form && (
            <div className="alert alert-danger" role="alert">
              {errors.form}
            </div>
          )}
          <form onSubmit={(event) => void submit(event)} noValidate>
            {api.asksForTenant && (
              <Field label="Company" name="company" autoComplete="organization" value={company} error={errors.company} help="Your company ID, as registered (e.g. demo)." onChange={(event) => setCompany(event.target.value)} required />
            )}
            <Field label="Username" name="username" autoComplete="username" value={username} error={errors.username} onChange={(event) => setUsername(event.target.value)} required />
            <Field label="Password" name="password" type="password" autoComplete="current-password" value={password} error={errors.password} onChange={(event) => setPassword(event.target.value)} required />
            <button type="submit" className="btn btn-primary w-100" disabled={busy}>
              {busy ? 'Signing in…' : 'Sign in'}
            </button>
          </form>
          <p className="mt-3 mb-0 text-center">
            New here? <Link href="/register">Register your company</Link>
          </p>
        </div>
      </div>
    </main>
  );
}
