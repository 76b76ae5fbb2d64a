import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'wouter';
import { newIdempotencyKey } from '../api/client';
import { api } from '../app/api';
import type { Role } from '../app/navigation';
import { useSession } from '../app/session';
import { DataTable, type Column } from '../components/data-table';
import { LoadState } from '../components/load-state';
import { OnHandChart, type HistoryDay } from '../components/on-hand-chart';
import { QuantityCell, browserLocales, quantityFor } from '../components/quantity';
import { formatDate, formatDateTime } from '../lib/format';
import { fromApiNumber, sumQuantities } from '../lib/quantity';
import { EditArticle, editError } from './article-edit';
import type { Article } from './articles';
import { ledgerPage } from './reports-data';
import { ChangesSince, TimeSlider, useAsOf } from './stock-as-of';

interface ArticleWithTotals extends Article {
  readonly onHand: number;
  readonly reserved: number;
  readonly available: number;
}

/** A stock line now (GET /api/stock) or as it stood at a time (GET /api/stock/as-of: on hand only). */
interface StockLine {
  readonly sku: string;
  readonly location: string;
  readonly lot: string | null;
  readonly expiresOn?: string | null;
  readonly onHand: number;
  readonly reserved?: number;
  readonly available?: number;
}

const stockLineColumns: readonly Column[] = [{ label: 'Location' }, { label: 'Lot' }, { label: 'Expiry' }, { label: 'On hand', numeric: true }, { label: 'Available', numeric: true }];
/** As of a past time (`?at=`) only what the replay knows: where, which lot, how many. */
const stockLineColumnsThen: readonly Column[] = [{ label: 'Location' }, { label: 'Lot' }, { label: 'On hand', numeric: true }];
const movementColumns: readonly Column[] = [{ label: 'When' }, { label: 'Kind' }, { label: 'From' }, { label: 'To' }, { label: 'Quantity', numeric: true }, { label: 'Reference' }];

/** Who may change the catalog (API.md access: catalog). */
const editors: readonly Role[] = ['admin', 'manager'];

/** The instant after `at`: the ledger's `to` is exclusive, while as-of counts movements at `at` itself. */
const justAfter = (at: string): string => new Date(Date.parse(at) + 1).toISOString();

/**
 * Article detail: totals, stock lines, movements, a 90-day on-hand chart, barcode, edit and
 * archive. With `?at=<ISO time>` (the time slider) it shows the stock as it stood then (GET
 * /api/stock/as-of: on hand per location and lot), the movements up to then and the changes
 * since; editing is for the present only.
 */
export function ArticleDetail({ sku }: { readonly sku: string }) {
  const { user } = useSession();
  const queries = useQueryClient();
  const at = useAsOf();
  const [editing, setEditing] = useState(false);
  const [archiveError, setArchiveError] = useState<string | undefined>();
  const path = encodeURIComponent(sku);
  const article = useQuery({ queryKey: ['article', sku], queryFn: () => api.getTagged<ArticleWithTotals>(`/api/articles/${path}`) });
  const lines = useQuery({
    queryKey: ['article', sku, 'stock', at],
    queryFn: () => (at ? api.get<{ items: StockLine[] }>('/api/stock/as-of', { at, sku, limit: 500 }) : api.get<{ items: StockLine[] }>('/api/stock', { sku, limit: 500 })),
  });
  const movements = useQuery({ queryKey: ['article', sku, 'movements', at], queryFn: () => ledgerPage({ sku, ...(at ? { to: justAfter(at) } : {}) }, undefined, 20) });
  const history = useQuery({ queryKey: ['article', sku, 'history'], queryFn: () => api.get<{ days: HistoryDay[] }>('/api/reports/stock-history', { sku, days: 90 }) });
  const canEdit = user !== null && user !== undefined && editors.includes(user.role) && !at;
  const onHandThen = at && lines.data ? sumQuantities(lines.data.items.map((line) => fromApiNumber(line.onHand))) : undefined;

  async function archive() {
    if (!window.confirm(`Archive ${sku}? It takes no new stock or reservations.`)) return;
    try {
      await api.command('POST', `/api/articles/${path}/archive`, undefined, { idempotencyKey: newIdempotencyKey() });
      await queries.invalidateQueries({ queryKey: ['article', sku] });
    } catch (caught) {
      setArchiveError(editError(caught));
    }
  }

  const data = article.data?.body;
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
        {data && article.data && (
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
            {editing && canEdit && <EditArticle opened={article.data} onDone={() => setEditing(false)} />}
            <dl className="row article-totals mb-2">
              {at ? (
                <div className="col-8 col-lg-4">
                  <dt className="small text-body-secondary fw-normal">On hand as of {formatDateTime(at, browserLocales)}</dt>
                  <dd className="fs-4 font-monospace mb-0" data-testid="on-hand-then">
                    {onHandThen === undefined ? '…' : quantityFor(onHandThen)} <span className="fs-6 text-body-secondary">{data.unit}</span>
                  </dd>
                </div>
              ) : (
                (['onHand', 'reserved', 'available'] as const).map((name) => (
                  <div key={name} className="col-4 col-lg-2">
                    <dt className="small text-body-secondary fw-normal">{name === 'onHand' ? 'On hand' : name === 'reserved' ? 'Reserved' : 'Available'}</dt>
                    <dd className="fs-4 font-monospace mb-0">
                      {quantityFor(data[name])} <span className="fs-6 text-body-secondary">{data.unit}</span>
                    </dd>
                  </div>
                ))
              )}
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
            {/* This screen's route is nested under /articles: its links are relative to that. */}
            <TimeSlider key={at ?? 'now'} at={at} path={`/${path}`} />
          </>
        )}
      </LoadState>
      {at && <ChangesSince at={at} sku={sku} />}
      <h2 className="h5 mt-3">On hand, last 90 days</h2>
      <LoadState pending={history.isPending} error={history.error} empty={history.data?.days.length === 0} emptyText="No history yet.">
        {history.data && <OnHandChart days={history.data.days} label={`On hand of ${sku} over the last 90 days`} />}
      </LoadState>
      <div className="row g-3 mt-1">
        <div className="col-xxl-5">
          <h2 className="h5">{at ? 'Stock lines then' : 'Stock lines'}</h2>
          <LoadState pending={lines.isPending} error={lines.error} empty={lines.data?.items.length === 0} emptyText={at ? 'No stock of this article then.' : 'No stock of this article.'}>
            <DataTable label="Stock lines" columns={at ? stockLineColumnsThen : stockLineColumns}>
              {lines.data?.items.map((line) => (
                <tr key={`${line.location}\u0000${line.lot ?? ''}`}>
                  <td>{line.location}</td>
                  <td>{line.lot ?? ''}</td>
                  {!at && <td>{line.expiresOn ? formatDate(line.expiresOn, browserLocales) : ''}</td>}
                  <QuantityCell value={line.onHand} />
                  {!at && <QuantityCell value={line.available ?? 0} />}
                </tr>
              ))}
            </DataTable>
          </LoadState>
        </div>
        <div className="col-xxl-7">
          <h2 className="h5">{at ? 'Movements up to then' : 'Latest movements'}</h2>
          <LoadState pending={movements.isPending} error={movements.error} empty={movements.data?.items.length === 0} emptyText={at ? 'No movement of this article by then.' : 'No movement of this article yet.'}>
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
