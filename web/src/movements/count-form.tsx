import { useState, type FormEvent } from 'react';
import { quantityText, type Answer } from '../api/client';
import { api } from '../app/api';
import { countDifferences, type CountDifference } from '../lib/count-differences';
import { formatQuantity, fromApiNumber } from '../lib/quantity';
import { Field } from '../screens/field';
import { draftKeyOf, DraftError, movementBody, type LineField } from './kinds';
import { LineEditor } from './line-editor';
import { applyScan, emptyLine, type LineDraft, type ScanTarget } from './lines';
import { RecordedPanel, type Figure } from './recorded';
import { ScanField } from './scan-field';
import { useSubmission } from './submission';

type StockPage = Answer<'/api/stock', 'get'>;

const countKind = {
  header: [{ key: 'location', label: 'Location', required: true }],
  lineFields: [
    { key: 'sku', label: 'SKU', api: 'sku', required: true },
    { key: 'lot', label: 'Lot', api: 'lot' },
    { key: 'quantity', label: 'Counted', api: 'counted', required: true },
  ] satisfies LineField[],
  quantitySign: 'non-negative',
} as const;

/** Everything on hand at a location, all pages (a bin rarely holds more than one page). */
async function onHandAt(location: string): Promise<{ sku: string; lot: string | null; onHand: string }[]> {
  const lines: { sku: string; lot: string | null; onHand: string }[] = [];
  let cursor: string | undefined;
  do {
    const page = await api.get<StockPage>('/api/stock', { location, limit: 500, cursor });
    lines.push(...page.items.map((item) => ({ sku: item.sku, lot: item.lot, onHand: quantityText(item.onHand) })));
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return lines;
}

/**
 * "Count": scan the location, then every item (scanning an item again adds one), or type the
 * counted figures; "Review differences" shows counted − on hand per article and lot (what is on
 * hand but not counted counts as 0), and only "Record count" on that review records it.
 */
export function CountForm() {
  const locale = navigator.language;
  const [location, setLocation] = useState('');
  const [lines, setLines] = useState<LineDraft[]>(() => [emptyLine()]);
  const [draftErrors, setDraftErrors] = useState<ReadonlyMap<number, ReadonlyMap<string, string>>>(new Map());
  const [review, setReview] = useState<{ readonly body: Record<string, unknown>; readonly differences: CountDifference[]; readonly untouched: number }>();
  const [reviewError, setReviewError] = useState<string>();
  const [figures, setFigures] = useState<Figure[]>([]);
  const { state, submit, reset } = useSubmission('/api/stock/counts');

  function onScan(target: ScanTarget) {
    setReview(undefined);
    if (target.kind === 'location') setLocation(target.code);
    else setLines((before) => applyScan(before, target, 'location', '', locale));
  }

  async function reviewCount(event: FormEvent) {
    event.preventDefault();
    setReviewError(undefined);
    let body: Record<string, unknown>;
    try {
      body = movementBody(countKind, { location }, lines, locale);
    } catch (error) {
      if (error instanceof DraftError) return setDraftErrors(error.errors);
      throw error;
    }
    setDraftErrors(new Map());
    try {
      const counted = (body.lines as { sku: string; lot?: string; counted: number }[]).map((line) => ({ sku: line.sku, lot: line.lot ?? null, counted: fromApiNumber(line.counted) }));
      // The service touches only the articles the count lists: others at the location stay as they are.
      const skus = new Set(counted.map((line) => line.sku));
      const onHand = await onHandAt(location.trim());
      setReview({ body, differences: countDifferences(onHand.filter((line) => skus.has(line.sku)), counted), untouched: new Set(onHand.filter((line) => !skus.has(line.sku)).map((line) => line.sku)).size });
    } catch (error) {
      setReviewError(error instanceof Error ? error.message : String(error));
    }
  }

  async function record() {
    if (!review) return;
    const recorded = await submit(review.body);
    setReview(undefined);
    if (recorded) {
      setFigures(lines.map((line) => ({ sku: line.sku.trim(), location: location.trim() })));
      setLines([emptyLine()]);
    }
  }

  const lineErrors = new Map<number, Map<string, string>>();
  if (state.kind === 'refused') for (const [line, fields] of state.errors.lines) lineErrors.set(line, new Map([...fields].map(([field, message]) => [draftKeyOf(countKind, field), message])));
  for (const [line, fields] of draftErrors) lineErrors.set(line, new Map([...(lineErrors.get(line) ?? []), ...fields]));
  const locationError = draftErrors.get(-1)?.get('location') ?? (state.kind === 'refused' ? state.errors.form.get('location') : undefined);

  return (
    <section className="movement-form">
      <h1 className="h3">Count</h1>
      <p className="text-body-secondary">Count what is at one location. The differences are shown before anything is recorded.</p>
      <ScanField onScan={onScan} hint="Scan the location, then every item: scanning an item again adds one." />
      <form onSubmit={(event) => void reviewCount(event)} noValidate aria-label="Count">
        <div className="row">
          <div className="col-sm-6 col-lg-4">
            <Field label="Location" name="location" value={location} error={locationError} required autoComplete="off" onChange={(event) => (setLocation(event.target.value), setReview(undefined))} />
          </div>
        </div>
        <LineEditor fields={countKind.lineFields} lines={lines} errors={lineErrors} onChange={(next) => (setLines(next), setReview(undefined))} />
        {reviewError && (
          <div className="alert alert-danger" role="alert">
            {reviewError}
          </div>
        )}
        {state.kind === 'refused' && (
          <div className="alert alert-danger" role="alert">
            {state.detail}
          </div>
        )}
        {state.kind === 'offline' && (
          <div className="alert alert-warning" role="alert">
            {state.message}
          </div>
        )}
        {state.kind === 'recorded' && <RecordedPanel movementId={state.result.movementId} figures={figures} onDismiss={reset} />}
        {!review && (
          <button type="submit" className="btn btn-primary btn-lg">
            <i className="bi bi-list-check me-2" aria-hidden="true" />
            Review differences
          </button>
        )}
      </form>
      {review && (
        <section className="card mt-3" aria-labelledby="differences-title">
          <div className="card-body">
            <h2 id="differences-title" className="h5">
              Differences at {location}
            </h2>
            <div className="table-responsive">
              <table className="table table-sm count-differences">
                <thead>
                  <tr>
                    <th scope="col">SKU</th>
                    <th scope="col">Lot</th>
                    <th scope="col" className="text-end">
                      On hand
                    </th>
                    <th scope="col" className="text-end">
                      Counted
                    </th>
                    <th scope="col" className="text-end">
                      Difference
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {review.differences.map((line) => (
                    <tr key={`${line.sku}-${line.lot ?? ''}`} className={line.outcome === 'match' ? '' : line.outcome === 'found' ? 'table-success' : 'table-warning'}>
                      <td>{line.sku}</td>
                      <td>{line.lot ?? ''}</td>
                      <td className="text-end font-monospace">{formatQuantity(line.onHand, locale)}</td>
                      <td className="text-end font-monospace">
                        {formatQuantity(line.counted, locale)}
                        {line.wasCounted ? '' : ' (not counted)'}
                      </td>
                      <td className="text-end font-monospace">{line.outcome === 'found' ? '+' : ''}{formatQuantity(line.difference, locale)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            <p className="small text-body-secondary">Recording moves each difference to or from @count.
              {review.untouched === 1 ? ` 1 other article at ${location} was not counted and stays as it is.` : review.untouched > 1 ? ` ${review.untouched} other articles at ${location} were not counted and stay as they are.` : ''}</p>
            <div className="d-flex gap-2">
              <button type="button" className="btn btn-primary" disabled={state.kind === 'sending'} onClick={() => void record()}>
                <i className="bi bi-check2 me-2" aria-hidden="true" />
                Record count
              </button>
              <button type="button" className="btn btn-outline-secondary" onClick={() => setReview(undefined)}>
                Back to the count
              </button>
            </div>
          </div>
        </section>
      )}
    </section>
  );
}
