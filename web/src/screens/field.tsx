import { useId, type InputHTMLAttributes } from 'react';

/** A labelled input with its rule (help) and its refusal shown at the field, tied by aria-describedby. */
export function Field({ label, error, help, ...input }: { readonly label: string; readonly error?: string | undefined; readonly help?: string } & InputHTMLAttributes<HTMLInputElement>) {
  const id = useId();
  const described = [help ? `${id}-help` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ');
  return (
    <div className="mb-3">
      <label htmlFor={id} className="form-label">
        {label}
      </label>
      <input id={id} className={`form-control ${error ? 'is-invalid' : ''}`} aria-invalid={error ? true : undefined} aria-describedby={described || undefined} {...input} />
      {error && (
        <div id={`${id}-error`} className="invalid-feedback">
          {error}
        </div>
      )}
      {help && (
        <div id={`${id}-help`} className="form-text">
          {help}
        </div>
      )}
    </div>
  );
}
