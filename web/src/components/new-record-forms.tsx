import { useQueryClient } from '@tanstack/react-query';
import { useId, useState, type FormEvent, type ReactNode } from 'react';
import { ProblemError, newIdempotencyKey } from '../api/client';
import { api } from '../app/api';
import { Field } from '../screens/field';

type Values = Record<string, string>;

/** A labelled select, shaped as Field so both line up in a form. */
function Choice({ label, name, value, options, onChange }: { readonly label: string; readonly name: string; readonly value: string; readonly options: readonly string[]; readonly onChange: (value: string) => void }) {
  const id = useId();
  return (
    <div className="mb-3">
      <label htmlFor={id} className="form-label">
        {label}
      </label>
      <select id={id} name={name} className="form-select" value={value} onChange={(event) => onChange(event.target.value)}>
        {options.map((option) => (
          <option key={option} value={option}>
            {option}
          </option>
        ))}
      </select>
    </div>
  );
}

/**
 * A create form's state: its values, the refusals by field path, one Idempotency-Key per
 * submission (kept after a network error so a retry records once), and what to refresh after.
 */
function useCreate(path: string, refresh: string, initial: Values, toBody: (values: Values) => unknown) {
  const queries = useQueryClient();
  const [values, setValues] = useState(initial);
  const [errors, setErrors] = useState<Values>({});
  const [message, setMessage] = useState<string | undefined>();
  const [done, setDone] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const [key, setKey] = useState(newIdempotencyKey);
  const set = (name: string) => (value: string) => setValues((current) => ({ ...current, [name]: value }));
  async function submit(event: FormEvent, created: (values: Values) => string) {
    event.preventDefault();
    if (busy) return;
    setBusy(true);
    setErrors({});
    setMessage(undefined);
    setDone(undefined);
    try {
      await api.command('POST', path, toBody(values), { idempotencyKey: key });
      setDone(created(values));
      setValues(initial);
      setKey(newIdempotencyKey());
      await queries.invalidateQueries({ queryKey: [refresh] });
    } catch (caught) {
      // A refusal is final for these values: the next submission is a new one. A network error keeps the key.
      if (caught instanceof ProblemError) {
        setKey(newIdempotencyKey());
        setErrors(Object.fromEntries(caught.errors.map((error) => [error.path, error.message])));
        if (caught.errors.length === 0) setMessage(caught.message);
      } else setMessage(caught instanceof Error ? caught.message : String(caught));
    } finally {
      setBusy(false);
    }
  }
  return { values, errors, message, done, busy, set, submit };
}

function Outcome({ message, done }: { readonly message: string | undefined; readonly done: string | undefined }): ReactNode {
  if (message)
    return (
      <div className="alert alert-danger" role="alert">
        {message}
      </div>
    );
  if (done)
    return (
      <div className="alert alert-success" role="status">
        {done}
      </div>
    );
  return null;
}

const optional = (value: string | undefined): string | undefined => (value && value.trim() ? value.trim() : undefined);
const optionalNumber = (value: string | undefined): number | undefined => (value && value.trim() ? Number(value) : undefined);

/** "New location" (POST /api/locations), for managers and admins: a new customer's first step. */
export function NewLocationForm() {
  const form = useCreate('/api/locations', 'locations', { code: '', name: '', parent: '', type: 'storage' }, (values) => ({
    code: values.code?.trim(),
    name: optional(values.name),
    parent: optional(values.parent),
    type: values.type,
  }));
  return (
    <form className="border rounded p-3 mb-3" aria-label="New location" onSubmit={(event) => void form.submit(event, (values) => `Location ${values.code ?? ''} created.`)}>
      <h2 className="h5">New location</h2>
      <Field label="Code" name="code" required value={form.values.code} error={form.errors.code} onChange={(event) => form.set('code')(event.target.value)} />
      <Field label="Name" name="name" value={form.values.name} error={form.errors.name} onChange={(event) => form.set('name')(event.target.value)} />
      <Field label="Parent" name="parent" help="The code of the location it sits in; empty for a warehouse." value={form.values.parent} error={form.errors.parent} onChange={(event) => form.set('parent')(event.target.value)} />
      <Choice label="Type" name="type" value={form.values.type ?? 'storage'} options={['warehouse', 'storage', 'receiving', 'shipping', 'returns', 'quarantine']} onChange={form.set('type')} />
      <Outcome message={form.message} done={form.done} />
      <button type="submit" className="btn btn-primary" disabled={form.busy}>
        Create location
      </button>
    </form>
  );
}

/** "New article" (POST /api/articles), for managers and admins. */
export function NewArticleForm() {
  const form = useCreate('/api/articles', 'articles', { sku: '', name: '', unit: 'pcs', tracking: 'none', barcode: '', reorderPoint: '', shelfLifeDays: '' }, (values) => ({
    sku: values.sku?.trim(),
    name: values.name?.trim(),
    unit: values.unit?.trim(),
    tracking: values.tracking,
    barcode: optional(values.barcode),
    reorderPoint: optionalNumber(values.reorderPoint),
    shelfLifeDays: optionalNumber(values.shelfLifeDays),
  }));
  const field = (label: string, name: string, extra: { required?: boolean; help?: string; inputMode?: 'numeric' } = {}) => (
    <div className="col-sm-6 col-lg-4">
      <Field label={label} name={name} {...extra} value={form.values[name]} error={form.errors[name]} onChange={(event) => form.set(name)(event.target.value)} />
    </div>
  );
  return (
    <form className="border rounded p-3 mb-3" aria-label="New article" onSubmit={(event) => void form.submit(event, (values) => `Article ${values.sku ?? ''} created.`)}>
      <h2 className="h5">New article</h2>
      <div className="row g-2">
        {field('SKU', 'sku', { required: true })}
        {field('Name', 'name', { required: true })}
        {field('Unit', 'unit', { required: true })}
        <div className="col-sm-6 col-lg-4">
          <Choice label="Tracking" name="tracking" value={form.values.tracking ?? 'none'} options={['none', 'lot', 'serial']} onChange={form.set('tracking')} />
        </div>
        {field('Barcode', 'barcode')}
        {field('Reorder point', 'reorderPoint', { inputMode: 'numeric' })}
        {field('Shelf life (days)', 'shelfLifeDays', { inputMode: 'numeric' })}
      </div>
      <Outcome message={form.message} done={form.done} />
      <button type="submit" className="btn btn-primary" disabled={form.busy}>
        Create article
      </button>
    </form>
  );
}
