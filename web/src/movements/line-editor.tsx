import { Field } from '../screens/field';
import { emptyLine, locationsOf, type LineDraft } from './lines';
import type { LineField } from './kinds';

/** Bootstrap columns per field: SKU and locations wide, the rest narrow; one column each on a phone. */
const widths: Readonly<Record<string, string>> = { sku: 'col-md-3', location: 'col-md-2', from: 'col-md-2', to: 'col-md-2', quantity: 'col-md-2', lot: 'col-md-2', expiresOn: 'col-md-2', serials: 'col-md-3' };

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
                <div key={field.key} className={`col-6 ${widths[field.key] ?? 'col-md-2'}`}>
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
                <button type="button" className="btn btn-outline-danger btn-sm" disabled={lines.length === 1} onClick={() => onChange(lines.filter((_, at) => at !== index))}>
                  <i className="bi bi-trash me-1" aria-hidden="true" />
                  Remove line {index + 1}
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
