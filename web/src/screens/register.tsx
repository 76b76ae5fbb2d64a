import { useRef, useState, type FormEvent } from 'react';
import { Link } from 'wouter';
import { newIdempotencyKey, ProblemError } from '../api/client';
import { api } from '../app/api';
import { Field } from './field';

const fields = ['companyName', 'tenant', 'email', 'username', 'password', 'passwordConfirm'] as const;
type FieldName = (typeof fields)[number];

/** Each field's label and its rule as API.md states it, shown under the field. */
const form: Readonly<Record<FieldName, { label: string; help: string; type?: string; autoComplete: string }>> = {
  companyName: { label: 'Company name', help: '2 to 100 characters.', autoComplete: 'organization' },
  tenant: {
    label: 'Company ID',
    help: 'Your address: 3 to 40 of a-z, 0-9 and "-"; starts with a letter; no leading, trailing or double "-"; not www, api, admin, app, public, static, assets, mail, nor anything starting with "pg".',
    autoComplete: 'off',
  },
  email: { label: 'Email', help: 'A valid email address.', type: 'email', autoComplete: 'email' },
  username: { label: 'Username', help: '3 to 40 of a-z, A-Z, 0-9, ".", "_", "-".', autoComplete: 'username' },
  password: { label: 'Password', help: 'At least 10 characters.', type: 'password', autoComplete: 'new-password' },
  passwordConfirm: { label: 'Confirm password', help: 'The same password again.', type: 'password', autoComplete: 'new-password' },
};

/** Company registration (POST /api/tenants): every refused field at once, at its field. */
export function RegisterScreen() {
  const [values, setValues] = useState<Record<FieldName, string>>({ companyName: '', tenant: '', email: '', username: '', password: '', passwordConfirm: '' });
  const [errors, setErrors] = useState<Partial<Record<FieldName | 'form', string>>>({});
  const [registered, setRegistered] = useState<{ tenant: string; loginUrl: string } | undefined>();
  const [busy, setBusy] = useState(false);
  // One key per submission, kept when the network fails so that a retry registers once.
  const submission = useRef<string | undefined>(undefined);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setErrors({});
    submission.current ??= newIdempotencyKey();
    try {
      const answer = await api.command<{ tenant: string; loginUrl: string }>('POST', '/api/tenants', values, { idempotencyKey: submission.current });
      submission.current = undefined;
      if (api.asksForTenant) api.setTenant(answer.tenant);
      setRegistered(answer);
    } catch (error) {
      if (error instanceof ProblemError) {
        submission.current = undefined;
        if (error.code === 'tenant-taken') setErrors({ tenant: 'This company ID is taken.' });
        else if (error.errors.length > 0) setErrors(Object.fromEntries(error.errors.map((refused) => [refused.path, refused.message])));
        else setErrors({ form: error.message });
      } else setErrors({ form: error instanceof Error ? error.message : 'Registration failed.' });
    } finally {
      setBusy(false);
    }
  }

  return (
    <main className="container py-5">
      <div className="card auth-card mx-auto shadow-sm">
        <div className="card-body p-4">
          <h1 className="h3 mb-4">Register your company</h1>
          {registered ? (
            <div className="alert alert-success" role="status">
              <p>
                <strong>{registered.tenant}</strong> is registered.
              </p>
              <Link href="/login">Sign in</Link>
            </div>
          ) : (
            <form onSubmit={(event) => void submit(event)} noValidate>
              {errors.form && (
                <div className="alert alert-danger" role="alert">
                  {errors.form}
                </div>
              )}
              {fields.map((name) => (
                <Field
                  key={name}
                  name={name}
                  label={form[name].label}
                  help={form[name].help}
                  type={form[name].type ?? 'text'}
                  autoComplete={form[name].autoComplete}
                  value={values[name]}
                  error={errors[name]}
                  onChange={(event) => setValues({ ...values, [name]: event.target.value })}
                />
              ))}
              <button type="submit" className="btn btn-primary w-100" disabled={busy}>
                {busy ? 'Registering…' : 'Register'}
              </button>
              <p className="mt-3 mb-0 text-center">
                Registered already? <Link href="/login">Sign in</Link>
              </p>
            </form>
          )}
        </div>
      </div>
    </main>
  );
}
