import { Field } from '../screens/field';
import { emptyLine, locationsOf, type LineDraft } from './lines';
import type { LineField } from './kinds';

/** Bootstrap columns per field: a line on one row on a laptop, three fields a row on a tablet (a date needs the room). */
const widths: Readonly<Record<string, string>> = { quantity: 'col-6 col-md-4 col-xl-1' };
const defaultWidth = 'col-6 col-md-4 col-xl-2';

/**
 * The lines of a form, each a group named "Line N" with a labelled field per API field and the
 * refusals at the field they concern; lines are added (keeping the last line's locations) and
 * removed. Nothing here drops what was typed: the form holds the drafts.
 */
export function LineEditor({
  fields,
  lines,
  errors,
  onChange,
}: {
  readonly fields: readonly LineField[];
  readonly lines: readonly LineDraft[];
  readonly errors: ReadonlyMap<number, ReadonlyMap<string, string>>;
  readonly onChange: (lines: LineDraft[]) => void;
}) {
  const update = (index: number, key: LineField['key'], value: string) => onChange(lines.map((line, at) => (at === index ? { ...line, [key]: value } : line)));
  return (
    <div className="mb-3">
      {lines.map((line, index) => {
        const lineErrors = errors.get(index);
        const general = lineErrors?.get('');
        return (
          <fieldset key={line.id} className="movement-line border rounded px-3 pt-2 mb-2" aria-label={`Line ${index + 1}`}>
            <legend className="float-none w-auto fs-6 fw-semibold px-1 mb-0">Line {index + 1}</legend>
            {general && <div className="text-danger small mb-2">{general}</div>}
            <div className="row g-2 align-items-start">
              {fields.map((field) => (
                <div key={field.key} className={widths[field.key] ?? defaultWidth}>
                  <Field
                    label={field.label}
                    name={`lines.${index}.${field.api}`}
                    value={line[field.key]}
                    error={lineErrors?.get(field.key)}
                    required={field.required}
                    inputMode={field.key === 'quantity' ? 'decimal' : undefined}
                    type={field.key === 'expiresOn' ? 'date' : 'text'}
                    autoComplete="off"
                    onChange={(event) => update(index, field.key, event.target.value)}
                  />
                </div>
              ))}
              <div className="col-auto ms-auto align-self-center">
                <button type="button" className="btn btn-outline-danger btn-sm mb-3" disabled={lines.length === 1} title={`Remove line ${index + 1}`} onClick={() => onChange(lines.filter((_, at) => at !== index))}>
                  <i className="bi bi-trash" aria-hidden="true" />
                  <span className="visually-hidden">Remove line {index + 1}</span>
                </button>
              </div>
            </div>
          </fieldset>
        );
      })}
      <button type="button" className="btn btn-outline-secondary btn-sm" onClick={() => onChange([...lines, emptyLine(locationsOf(lines.at(-1)))])}>
        <i className="bi bi-plus-lg me-1" aria-hidden="true" />
        Add line
      </button>
    </div>
  );
}
