import { useInfiniteQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { newIdempotencyKey, ProblemError } from '../api/client';
import type { paths } from '../api/schema';
import { api } from '../app/api';
import type { Role } from '../app/navigation';
import { useSession } from '../app/session';
import { LoadState } from '../components/load-state';
import { QuantityCell, browserLocales } from '../components/quantity';
import { formatDateTime } from '../lib/format';
import { Field } from './field';
import { ledgerPage, type LedgerRow } from './reports-data';

/** The roles that may record (and so reverse) a movement, as the API's access rules say. */
const movers: readonly Role[] = ['admin', 'manager', 'operator'];

/** A kind GET /api/movements filters by, as the generated API types name them. */
type LedgerKind = NonNullable<NonNullable<paths['/api/movements']['get']['parameters']['query']>['kind']>;

/** The ledger's movement kinds, in the order a user meets them; checked against the API's own list. */
const kinds = ['received', 'transferred', 'shipped', 'returned', 'adjusted', 'counted', 'reversed'] as const satisfies readonly LedgerKind[];

interface Filters {
  readonly sku: string;
  readonly location: string;
  readonly reference: string;
  readonly kind: string;
  readonly user: string;
  readonly from: string;
  readonly to: string;
}

const noFilters: Filters = { sku: '', location: '', reference: '', kind: '', user: '', from: '', to: '' };

/** A date field's day (yyyy-mm-dd) as the start of that day in the browser's time zone. */
function dayStart(day: string): string | undefined {
  if (!day) return undefined;
  const [year, month, date] = day.split('-').map(Number);
  return new Date(year ?? 0, (month ?? 1) - 1, date ?? 1).toISOString();
}

/** The day after a date field's day: "to" is exclusive in the API, inclusive for the user. */
function dayEnd(day: string): string | undefined {
  if (!day) return undefined;
  const [year, month, date] = day.split('-').map(Number);
  return new Date(year ?? 0, (month ?? 1) - 1, (date ?? 1) + 1).toISOString();
}

/**
 * "Reverse": a dialog (native <dialog>: focus kept inside, Escape closes) that names the movement,
 * asks for the reason, and records the opposite movement only on "Reverse movement". One
 * Idempotency-Key per opening, reused if the user retries after a network error.
 */
function ReverseDialog({ row, onClose }: { readonly row: LedgerRow; readonly onClose: (reversed: boolean) => void }) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [key] = useState(newIdempotencyKey);
  const [reason, setReason] = useState('');
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    dialog.current?.showModal();
  }, []);

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (!reason.trim()) {
      setError('Say why this movement is reversed.');
      return;
    }
    setBusy(true);
    try {
      await api.command('POST', `/api/movements/${encodeURIComponent(row.movementId)}/reverse`, { reason: reason.trim() }, { idempotencyKey: key });
      onClose(true);
    } catch (caught) {
      setError(caught instanceof ProblemError ? (caught.at('reason') ?? caught.message) : caught instanceof Error ? caught.message : String(caught));
      setBusy(false);
    }
  }

  return (
    <dialog ref={dialog} className="reverse-dialog border rounded shadow p-0" aria-labelledby="reverse-title" onClose={() => onClose(false)}>
      <form onSubmit={(event) => void submit(event)} className="p-3">
        <h2 id="reverse-title" className="h5">
          Reverse this movement?
        </h2>
        <p className="small text-body-secondary">
          A {row.kind} movement of {row.sku} from {row.from} to {row.to}
          {row.reference ? ` (${row.reference})` : ''}. The opposite movement is recorded; the original stays in the ledger.
        </p>
        <Field label="Reason" name="reason" value={reason} autoFocus required maxLength={500} error={error} onChange={(event) => setReason(event.target.value)} />
        <div className="d-flex justify-content-end gap-2">
          <button type="button" className="btn btn-outline-secondary" onClick={() => dialog.current?.close()}>
            Cancel
          </button>
          <button type="submit" className="btn btn-danger" disabled={busy}>
            {busy ? 'Reversing…' : 'Reverse movement'}
          </button>
        </div>
      </form>
    </dialog>
  );
}

/**
 * "Movements": the ledger, newest first, with filters (SKU, location, reference, user, kind,
 * dates) and cursor pages ("Load more"); movers may reverse a movement. Every filter is asked of
 * the API, so a page holds only matching rows however far back they lie.
 */
export function MovementsScreen({ initialSku = '' }: { readonly initialSku?: string }) {
  const { user } = useSession();
  const queries = useQueryClient();
  const [draft, setDraft] = useState<Filters>({ ...noFilters, sku: initialSku });
  const [filters, setFilters] = useState<Filters>(draft);
  const [reversing, setReversing] = useState<LedgerRow | undefined>();
  const [notice, setNotice] = useState<string | undefined>();
  const ledger = useInfiniteQuery({
    queryKey: ['movements', filters.sku, filters.location, filters.reference, filters.kind, filters.user, filters.from, filters.to],
    queryFn: ({ pageParam }) =>
      ledgerPage({ sku: filters.sku, location: filters.location, reference: filters.reference, kind: filters.kind, user: filters.user, from: dayStart(filters.from), to: dayEnd(filters.to) }, pageParam),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  const rows = ledger.data?.pages.flatMap((page) => page.items) ?? [];
  const canReverse = user !== null && user !== undefined && movers.includes(user.role);
  const set = (name: keyof Filters) => (event: { target: { value: string } }) => setDraft({ ...draft, [name]: event.target.value });

  function apply(event: FormEvent) {
    event.preventDefault();
    setFilters({ ...draft, sku: draft.sku.trim(), location: draft.location.trim(), reference: draft.reference.trim(), user: draft.user.trim() });
  }

  return (
    <section>
      <h1 className="h3">Movements</h1>
      <form className="row g-2 align-items-end" onSubmit={apply} role="search" aria-label="Movement filters">
        <div className="col-6 col-md-3 col-xl">
          <Field label="SKU" name="sku" value={draft.sku} onChange={set('sku')} />
        </div>
        <div className="col-6 col-md-3 col-xl">
          <Field label="Location" name="location" value={draft.location} onChange={set('location')} />
        </div>
        <div className="col-6 col-md-3 col-xl">
          <Field label="Reference" name="reference" value={draft.reference} onChange={set('reference')} />
        </div>
        <div className="col-6 col-md-3 col-xl">
          <div className="mb-3">
            <label htmlFor="movement-kind" className="form-label">
              Kind
            </label>
            <select id="movement-kind" className="form-select" value={draft.kind} onChange={set('kind')}>
              <option value="">Any</option>
              {kinds.map((kind) => (
                <option key={kind} value={kind}>
                  {kind}
                </option>
              ))}
            </select>
          </div>
        </div>
        <div className="col-6 col-md-3 col-xl">
          <Field label="User" name="user" value={draft.user} onChange={set('user')} />
        </div>
        <div className="col-6 col-md-3 col-xl">
          <Field label="From" name="from" type="date" value={draft.from} onChange={set('from')} />
        </div>
        <div className="col-6 col-md-3 col-xl">
          <Field label="To" name="to" type="date" value={draft.to} onChange={set('to')} />
        </div>
        <div className="col-6 col-md-3 col-xl-auto mb-3">
          <button type="submit" className="btn btn-primary">
            <i className="bi bi-funnel me-1" aria-hidden="true" />
            Filter
          </button>
        </div>
      </form>
      {notice && (
        <div className="alert alert-success" role="status">
          {notice}
        </div>
      )}
      <LoadState pending={ledger.isPending} error={ledger.error} empty={rows.length === 0 && !ledger.hasNextPage} emptyText="No movement matches these filters.">
        <div className="table-responsive">
          <table className="table table-sm table-hover text-nowrap" aria-label="Ledger">
            <thead className="table-light">
              <tr>
                {/* First, so that a tablet shows it without scrolling the wide ledger sideways. */}
                {canReverse && (
                  <th scope="col">
                    <span className="visually-hidden">Actions</span>
                  </th>
                )}
                <th scope="col">When</th>
                <th scope="col">Kind</th>
                <th scope="col">SKU</th>
                <th scope="col" className="text-end">
                  Quantity
                </th>
                <th scope="col">From</th>
                <th scope="col">To</th>
                <th scope="col">Lot</th>
                <th scope="col">Reference</th>
                <th scope="col">User</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((row, index) => (
                <tr key={`${row.movementId}-${index}`} className="ledger-row">
                  {canReverse && (
                    <td>
                      {row.kind !== 'reversed' && (
                        <button type="button" className="btn btn-outline-danger btn-sm" aria-label={`Reverse ${row.kind} of ${row.sku}`} onClick={() => setReversing(row)}>
                          Reverse
                        </button>
                      )}
                    </td>
                  )}
                  <td className="text-nowrap">{formatDateTime(row.occurredAt, browserLocales)}</td>
                  <td>{row.kind === 'reversed' ? <span className="badge text-bg-warning">reversed</span> : row.kind}</td>
                  <td>{row.sku}</td>
                  <QuantityCell value={row.quantity} />
                  <td>{row.from}</td>
                  <td>{row.to}</td>
                  <td>{row.lot ?? ''}</td>
                  <td>{row.reference ?? ''}</td>
                  <td>{row.user}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        {ledger.hasNextPage && (
          <button type="button" className="btn btn-outline-secondary" disabled={ledger.isFetchingNextPage} onClick={() => void ledger.fetchNextPage()}>
            {ledger.isFetchingNextPage ? 'Loading…' : 'Load more'}
          </button>
        )}
      </LoadState>
      {reversing && (
        <ReverseDialog
          row={reversing}
          onClose={(reversed) => {
            setReversing(undefined);
            if (reversed) {
              setNotice(`The ${reversing.kind} movement of ${reversing.sku} was reversed.`);
              void queries.invalidateQueries();
            }
          }}
        />
      )}
    </section>
  );
}
