import { useRef, useState, type FormEvent } from 'react';
import { formatQuantity } from '../lib/quantity';
import { draftKeyOf, DraftError, movementBody, type HeaderField, type MovementKind } from './kinds';
import { LineEditor } from './line-editor';
import { applyScan, emptyLine, locationsOf, type LineDraft, type ScanTarget } from './lines';
import { RecordedPanel, type Figure } from './recorded';
import { ScanField } from './scan-field';
import { useSubmission } from './submission';

/** A header field: a text input, or a select of the API's codes. */
function HeaderInput({ field, value, error, onChange }: { readonly field: HeaderField; readonly value: string; readonly error: string | undefined; readonly onChange: (value: string) => void }) {
  const id = `header-${field.key}`;
  return (
    <div className="col-sm-6 col-lg-4 mb-3">
      <label htmlFor={id} className="form-label">
        {field.label}
      </label>
      {field.options ? (
        <select id={id} className={`form-select ${error ? 'is-invalid' : ''}`} value={value} required={field.required} aria-describedby={error ? `${id}-error` : undefined} onChange={(event) => onChange(event.target.value)}>
          <option value="">Choose…</option>
          {field.options.map((option) => (
            <option key={option} value={option}>
              {option}
            </option>
          ))}
        </select>
      ) : (
        <input id={id} className={`form-control ${error ? 'is-invalid' : ''}`} value={value} required={field.required} autoComplete="off" aria-describedby={error ? `${id}-error` : undefined} onChange={(event) => onChange(event.target.value)} />
      )}
      {error && (
        <div id={`${id}-error`} className="invalid-feedback">
          {error}
        </div>
      )}
    </div>
  );
}

/**
 * One movement form on the shared machinery: the scan field, the header fields, the lines, and
 * the submission (one Idempotency-Key per submission, refusals at their line and field, nothing
 * typed lost). After a recorded movement the lines start again, keeping the scanned location
 * and the header, so a put-away goes on scan after scan.
 */
export function MovementForm({ kind }: { readonly kind: MovementKind }) {
  const locale = navigator.language;
  const [header, setHeader] = useState<Record<string, string>>({});
  const [lines, setLines] = useState<LineDraft[]>(() => [emptyLine()]);
  const [scanned, setScanned] = useState('');
  // The scanned location as of the last scan, not of the last render: scans come faster than renders.
  const scannedNow = useRef('');
  const [draftErrors, setDraftErrors] = useState<ReadonlyMap<number, ReadonlyMap<string, string>>>(new Map());
  const [figures, setFigures] = useState<Figure[]>([]);
  const { state, submit, reset } = useSubmission(kind.path);

  function onScan(target: ScanTarget) {
    if (target.kind === 'location') {
      scannedNow.current = target.code;
      setScanned(target.code);
    }
    const current = scannedNow.current;
    setLines((before) => applyScan(before, target, kind.scanLocation, current, locale));
  }

  async function send(event: FormEvent) {
    event.preventDefault();
    let body: Record<string, unknown>;
    try {
      body = movementBody(kind, header, lines, locale);
    } catch (error) {
      if (error instanceof DraftError) {
        setDraftErrors(error.errors);
        return;
      }
      throw error;
    }
    setDraftErrors(new Map());
    const sent = lines.map((line) => ({ sku: line.sku.trim(), location: line[kind.figureAt].trim() }));
    const recorded = await submit(body);
    if (recorded) {
      setFigures(sent);
      // The next line keeps where the last one went: a put-away goes on with the same bins.
      setLines((before) => [emptyLine(locationsOf(before.at(-1)))]);
    }
  }

  // The service's refusals, by line and draft field; an insufficient-stock line shows what is available.
  const lineErrors = new Map<number, Map<string, string>>();
  if (state.kind === 'refused') {
    for (const [line, fields] of state.errors.lines) lineErrors.set(line, new Map([...fields].map(([field, message]) => [draftKeyOf(kind, field), message])));
    if (state.available) {
      const at = lineErrors.get(state.available.line) ?? new Map<string, string>();
      // The figure in the user's locale instead of the service's English sentence.
      at.set('quantity', `Not enough stock. Available: ${formatQuantity(state.available.quantity, locale)}`);
      lineErrors.set(state.available.line, at);
    }
  }
  for (const [line, fields] of draftErrors) lineErrors.set(line, new Map([...(lineErrors.get(line) ?? []), ...fields]));
  const headerError = (key: string) => draftErrors.get(-1)?.get(key) ?? (state.kind === 'refused' ? state.errors.form.get(key) : undefined);
  const placed = state.kind === 'refused' && (state.errors.lines.size > 0 || state.errors.form.size > 0 || state.available !== undefined);

  return (
    <section className="movement-form">
      <h1 className="h3">{kind.title}</h1>
      <p className="text-body-secondary">{kind.intro}</p>
      <ScanField onScan={onScan} hint={`Scan a location${scanned ? ` (now ${scanned})` : ''}, then items; GS1 codes fill SKU, lot, expiry and serial. Enter on its own looks up a code typed here.`} />
      <form onSubmit={(event) => void send(event)} noValidate aria-label={kind.title}>
        <div className="row">
          {kind.header.map((field) => (
            <HeaderInput key={field.key} field={field} value={header[field.key] ?? ''} error={headerError(field.key)} onChange={(value) => setHeader({ ...header, [field.key]: value })} />
          ))}
        </div>
        <LineEditor fields={kind.lineFields} lines={lines} errors={lineErrors} onChange={setLines} />
        {state.kind === 'refused' && (
          <div className="alert alert-danger" role="alert">
            {placed ? `${state.title}: see the marked fields.` : state.detail}
          </div>
        )}
        {draftErrors.size > 0 && (
          <div className="alert alert-warning" role="alert">
            Some lines need a correction; see the marked fields.
          </div>
        )}
        {state.kind === 'offline' && (
          <div className="alert alert-warning" role="alert">
            {state.message}
          </div>
        )}
        {state.kind === 'recorded' && <RecordedPanel movementId={state.result.movementId} figures={figures} onDismiss={reset} />}
        <button type="submit" className="btn btn-primary btn-lg" disabled={state.kind === 'sending'}>
          {state.kind === 'sending' ? <span className="spinner-border spinner-border-sm me-2" aria-hidden="true" /> : <i className="bi bi-check2 me-2" aria-hidden="true" />}
          Record {kind.title.toLowerCase()}
        </button>
      </form>
    </section>
  );
}
