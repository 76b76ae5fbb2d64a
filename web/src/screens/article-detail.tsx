import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Link } from 'wouter';
import { ProblemError, newIdempotencyKey } from '../api/client';
import { api } from '../app/api';
import type { Role } from '../app/navigation';
import { useSession } from '../app/session';
import { DataTable, type Column } from '../components/data-table';
import { LoadState } from '../components/load-state';
import { OnHandChart, type HistoryDay } from '../components/on-hand-chart';
import { QuantityCell, browserLocales, quantityFor } from '../components/quantity';
import { formatDate, formatDateTime } from '../lib/format';
import type { Article } from './articles';
import { Field } from './field';
import { ledgerPage } from './reports-data';

interface ArticleWithTotals extends Article {
  readonly onHand: number;
  readonly reserved: number;
  readonly available: number;
}

interface StockLine {
  readonly sku: string;
  readonly location: string;
  readonly lot: string | null;
  readonly expiresOn: string | null;
  readonly onHand: number;
  readonly reserved: number;
  readonly available: number;
}

const stockLineColumns: readonly Column[] = [{ label: 'Location' }, { label: 'Lot' }, { label: 'Expiry' }, { label: 'On hand', numeric: true }, { label: 'Available', numeric: true }];
const movementColumns: readonly Column[] = [{ label: 'When' }, { label: 'Kind' }, { label: 'From' }, { label: 'To' }, { label: 'Quantity', numeric: true }, { label: 'Reference' }];

/** Who may change the catalog (API.md access: catalog). */
const editors: readonly Role[] = ['admin', 'manager'];

interface Draft {
  readonly name: string;
  readonly barcode: string;
  readonly reorderPoint: string;
  readonly reorderQuantity: string;
  readonly shelfLifeDays: string;
}

/** A 409 or 412 said plainly: someone else changed the article meanwhile. */
function editError(error: unknown): string {
  if (error instanceof ProblemError && (error.status === 409 || error.status === 412)) return `Someone changed this article meanwhile (${error.message}). Reload it, then make your change again.`;
  return error instanceof Error ? error.message : String(error);
}

/**
 * The edit form: PATCH with the fields that changed. If-Match carries the ETag of this form's
 * previous save when there was one (GET /api/articles/:sku gives no revision yet), so a second
 * save over someone else's change is refused with 412 and said plainly.
 */
function EditArticle({ article, onDone }: { readonly article: ArticleWithTotals; readonly onDone: () => void }) {
  const queries = useQueryClient();
  const [draft, setDraft] = useState<Draft>({ name: article.name, barcode: article.barcode ?? '', reorderPoint: article.reorderPoint === null ? '' : String(article.reorderPoint), reorderQuantity: article.reorderQuantity === null ? '' : String(article.reorderQuantity), shelfLifeDays: article.shelfLifeDays === null ? '' : String(article.shelfLifeDays) });
  const [error, setError] = useState<ProblemError | string | undefined>();
  const [busy, setBusy] = useState(false);
  const set = (name: keyof Draft) => (event: { target: { value: string } }) => setDraft({ ...draft, [name]: event.target.value });
  const at = (path: string): string | undefined => (error instanceof ProblemError ? error.at(path) : undefined);

  async function save(event: FormEvent) {
    event.preventDefault();
    const changes: Record<string, string | number | null> = {};
    if (draft.name.trim() !== article.name) changes.name = draft.name.trim();
    if (draft.barcode.trim() !== (article.barcode ?? '')) changes.barcode = draft.barcode.trim() || null;
    for (const name of ['reorderPoint', 'reorderQuantity', 'shelfLifeDays'] as const) {
      const text = draft[name].trim();
      if (text !== (article[name] === null ? '' : String(article[name]))) changes[name] = text === '' ? null : Number(text);
    }
    setBusy(true);
    try {
      await api.command('PATCH', `/api/articles/${encodeURIComponent(article.sku)}`, changes, { idempotencyKey: newIdempotencyKey() });
      await queries.invalidateQueries({ queryKey: ['article', article.sku] });
      onDone();
    } catch (caught) {
      setError(caught instanceof ProblemError && caught.status === 422 ? caught : editError(caught));
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="card card-body mb-3" onSubmit={(event) => void save(event)} aria-label="Edit article">
      <h2 className="h5">Edit {article.sku}</h2>
      {typeof error === 'string' && (
        <div className="alert alert-danger" role="alert">
          {error}
        </div>
      )}
      <div className="row g-2">
        <div className="col-md-6">
          <Field label="Name" name="name" value={draft.name} required onChange={set('name')} error={at('name')} />
        </div>
        <div className="col-md-6">
          <Field label="Barcode" name="barcode" value={draft.barcode} onChange={set('barcode')} error={at('barcode')} />
        </div>
        <div className="col-md-4">
          <Field label="Reorder point" name="reorderPoint" inputMode="decimal" value={draft.reorderPoint} onChange={set('reorderPoint')} error={at('reorderPoint')} />
        </div>
        <div className="col-md-4">
          <Field label="Reorder quantity" name="reorderQuantity" inputMode="decimal" value={draft.reorderQuantity} onChange={set('reorderQuantity')} error={at('reorderQuantity')} />
        </div>
        <div className="col-md-4">
          <Field label="Shelf life (days)" name="shelfLifeDays" inputMode="numeric" value={draft.shelfLifeDays} onChange={set('shelfLifeDays')} error={at('shelfLifeDays')} />
        </div>
      </div>
      <div className="d-flex gap-2">
        <button type="submit" className="btn btn-primary" disabled={busy}>
          {busy ? 'Saving…' : 'Save'}
        </button>
        <button type="button" className="btn btn-outline-secondary" onClick={onDone}>
          Cancel
        </button>
      </div>
    </form>
  );
}

/** Article detail: totals, stock lines, movements, a 90-day on-hand chart, barcode, edit and archive. */
export function ArticleDetail({ sku }: { readonly sku: string }) {
  const { user } = useSession();
  const queries = useQueryClient();
  const [editing, setEditing] = useState(false);
  const [archiveError, setArchiveError] = useState<string | undefined>();
  const path = encodeURIComponent(sku);
  const article = useQuery({ queryKey: ['article', sku], queryFn: () => api.get<ArticleWithTotals>(`/api/articles/${path}`) });
  const lines = useQuery({ queryKey: ['article', sku, 'stock'], queryFn: () => api.get<{ items: StockLine[] }>('/api/stock', { sku, limit: 500 }) });
  const movements = useQuery({ queryKey: ['article', sku, 'movements'], queryFn: () => ledgerPage({ sku }, undefined, 20) });
  const history = useQuery({ queryKey: ['article', sku, 'history'], queryFn: () => api.get<{ days: HistoryDay[] }>('/api/reports/stock-history', { sku, days: 90 }) });
  const canEdit = user !== null && user !== undefined && editors.includes(user.role);

  async function archive() {
    if (!window.confirm(`Archive ${sku}? It takes no new stock or reservations.`)) return;
    try {
      await api.command('POST', `/api/articles/${path}/archive`, undefined, { idempotencyKey: newIdempotencyKey() });
      await queries.invalidateQueries({ queryKey: ['article', sku] });
    } catch (caught) {
      setArchiveError(editError(caught));
    }
  }

  const data = article.data;
  return (
    <section>
      <nav aria-label="Breadcrumb">
        <ol className="breadcrumb mb-1">
          <li className="breadcrumb-item">
            <Link href="/">Articles</Link>
          </li>
          <li className="breadcrumb-item active" aria-current="page">
            {sku}
          </li>
        </ol>
      </nav>
      <LoadState pending={article.isPending} error={article.error} empty={false} emptyText="">
        {data && (
          <>
            <div className="d-flex flex-wrap align-items-center gap-2 mb-2">
              <h1 className="h3 mb-0">
                <span className="font-monospace">{data.sku}</span> <span className="text-body-secondary fs-5">{data.name}</span>
              </h1>
              {data.archived && <span className="badge text-bg-secondary">Archived</span>}
              {canEdit && !editing && (
                <div className="ms-auto d-flex gap-2">
                  <button type="button" className="btn btn-outline-primary btn-sm" onClick={() => setEditing(true)}>
                    <i className="bi bi-pencil me-1" aria-hidden="true" />
                    Edit
                  </button>
                  {!data.archived && (
                    <button type="button" className="btn btn-outline-danger btn-sm" onClick={() => void archive()}>
                      <i className="bi bi-archive me-1" aria-hidden="true" />
                      Archive
                    </button>
                  )}
                </div>
              )}
            </div>
            {archiveError && (
              <div className="alert alert-danger" role="alert">
                {archiveError}
              </div>
            )}
            {editing && <EditArticle article={data} onDone={() => setEditing(false)} />}
            <dl className="row article-totals mb-2">
              {(['onHand', 'reserved', 'available'] as const).map((name) => (
                <div key={name} className="col-4 col-lg-2">
                  <dt className="small text-body-secondary fw-normal">{name === 'onHand' ? 'On hand' : name === 'reserved' ? 'Reserved' : 'Available'}</dt>
                  <dd className="fs-4 font-monospace mb-0">
                    {quantityFor(data[name])} <span className="fs-6 text-body-secondary">{data.unit}</span>
                  </dd>
                </div>
              ))}
              <div className="col-6 col-lg-3">
                <dt className="small text-body-secondary fw-normal">Barcode</dt>
                <dd className="font-monospace mb-0">{data.barcode ?? '—'}</dd>
              </div>
              <div className="col-6 col-lg-3">
                <dt className="small text-body-secondary fw-normal">Tracking · reorder point</dt>
                <dd className="mb-0">
                  {data.tracking} · {data.reorderPoint === null ? '—' : quantityFor(data.reorderPoint)}
                </dd>
              </div>
            </dl>
          </>
        )}
      </LoadState>
      <h2 className="h5 mt-3">On hand, last 90 days</h2>
      <LoadState pending={history.isPending} error={history.error} empty={history.data?.days.length === 0} emptyText="No history yet.">
        {history.data && <OnHandChart days={history.data.days} label={`On hand of ${sku} over the last 90 days`} />}
      </LoadState>
      <div className="row g-3 mt-1">
        <div className="col-xl-5">
          <h2 className="h5">Stock lines</h2>
          <LoadState pending={lines.isPending} error={lines.error} empty={lines.data?.items.length === 0} emptyText="No stock of this article.">
            <DataTable label="Stock lines" columns={stockLineColumns}>
              {lines.data?.items.map((line) => (
                <tr key={`${line.location}\u0000${line.lot ?? ''}`}>
                  <td>{line.location}</td>
                  <td>{line.lot ?? ''}</td>
                  <td>{line.expiresOn ? formatDate(line.expiresOn, browserLocales) : ''}</td>
                  <QuantityCell value={line.onHand} />
                  <QuantityCell value={line.available} />
                </tr>
              ))}
            </DataTable>
          </LoadState>
        </div>
        <div className="col-xl-7">
          <h2 className="h5">Latest movements</h2>
          <LoadState pending={movements.isPending} error={movements.error} empty={movements.data?.items.length === 0} emptyText="No movement of this article yet.">
            <DataTable label="Movements of this article" columns={movementColumns}>
              {movements.data?.items.map((row, index) => (
                <tr key={`${row.movementId}-${index}`}>
                  <td className="text-nowrap">{formatDateTime(row.occurredAt, browserLocales)}</td>
                  <td>{row.kind}</td>
                  <td>{row.from}</td>
                  <td>{row.to}</td>
                  <QuantityCell value={row.quantity} />
                  <td>{row.reference ?? ''}</td>
                </tr>
              ))}
            </DataTable>
          </LoadState>
        </div>
      </div>
    </section>
  );
}
