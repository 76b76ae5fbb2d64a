import { useInfiniteQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useLocation, useSearch } from 'wouter';
import { api } from '../app/api';
import { browserLocales, QuantityCell } from '../components/quantity';
import { formatDateTime } from '../lib/format';

/** How far back the slider reaches, in days; an older time is typed in "As of". */
const sliderDays = 90;
const dayMs = 86_400_000;

/** One ledger row of GET /api/movements (API.md). */
interface Movement {
  readonly movementId: string;
  readonly kind: string;
  readonly sku: string;
  readonly from: string | null;
  readonly to: string | null;
  readonly quantity: number;
  readonly lot: string | null;
  readonly occurredAt: string;
  readonly user: string | null;
  readonly reference: string | null;
}

/**
 * The time the Stock screen shows (`?at=<ISO time>` in the URL, so a link or a reload keeps it),
 * or undefined for now. An `at` that is not a time is ignored.
 */
export function useAsOf(): string | undefined {
  const at = new URLSearchParams(useSearch()).get('at');
  if (!at || Number.isNaN(Date.parse(at))) return undefined;
  return new Date(at).toISOString();
}

/** A moment as a datetime-local input shows it (local time, minutes). */
function toLocalInput(iso: string): string {
  const date = new Date(iso);
  const pad = (value: number): string => String(value).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

/**
 * The time slider of the Stock screen and Article detail (`path`, the screen's own URL): days back
 * from now (0 is now) and an exact "As of" time; either one sets `?at=` in the URL, which switches
 * the screen to GET /api/stock/as-of.
 */
export function TimeSlider({ at, path = '/stock' }: { readonly at: string | undefined; readonly path?: string }) {
  const [, navigate] = useLocation();
  const [now] = useState(() => Date.now());
  const daysBack = at ? Math.min(sliderDays, Math.max(0, Math.round((now - Date.parse(at)) / dayMs))) : 0;
  const [slider, setSlider] = useState(daysBack);
  const go = (iso: string | undefined): void => navigate(iso ? `${path}?at=${encodeURIComponent(iso)}` : path);
  return (
    <div className="card mb-2 time-slider">
      <div className="card-body py-2 row g-2 align-items-end">
        <div className="col-md-5">
          <label htmlFor="time-slider-days" className="form-label mb-0">
            Days back: {slider === 0 ? (at ? 'under a day' : 'now') : slider}
          </label>
          <input
            id="time-slider-days"
            type="range"
            className="form-range"
            min={0}
            max={sliderDays}
            step={1}
            value={slider}
            aria-valuetext={slider === 0 ? 'now' : `${slider} days ago`}
            onChange={(event) => setSlider(Number(event.target.value))}
            onPointerUp={() => go(slider === 0 ? undefined : new Date(Date.now() - slider * dayMs).toISOString())}
            onKeyUp={(event) => {
              if (event.key.startsWith('Arrow') || event.key === 'Home' || event.key === 'End' || event.key.startsWith('Page')) go(slider === 0 ? undefined : new Date(Date.now() - slider * dayMs).toISOString());
            }}
          />
        </div>
        <div className="col-md-4">
          <label htmlFor="time-slider-at" className="form-label mb-0">
            As of
          </label>
          <input
            id="time-slider-at"
            type="datetime-local"
            className="form-control"
            value={at ? toLocalInput(at) : ''}
            onChange={(event) => {
              const time = Date.parse(event.target.value);
              if (!Number.isNaN(time)) go(new Date(time).toISOString());
            }}
          />
        </div>
        <div className="col-md-3">
          {at ? (
            <Link href={path} className="btn btn-outline-secondary w-100">
              <i className="bi bi-skip-end me-1" aria-hidden="true" />
              Back to now
            </Link>
          ) : (
            <p className="small text-body-secondary mb-1">Showing stock now.</p>
          )}
        </div>
      </div>
    </div>
  );
}

/** "Changes since": the movements between the time shown and now, newest first (GET /api/movements?from=&to=), of one article when `sku` is given. */
export function ChangesSince({ at, sku }: { readonly at: string; readonly sku?: string }) {
  const [to] = useState(() => new Date().toISOString());
  const movements = useInfiniteQuery({
    queryKey: ['movements', 'since', at, to, sku],
    queryFn: ({ pageParam }) => api.get<{ items: Movement[]; nextCursor: string | null }>('/api/movements', { from: at, to, sku, limit: 100, cursor: pageParam }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  const items = movements.data?.pages.flatMap((page) => page.items) ?? [];
  return (
    <section aria-labelledby="changes-since" className="mb-2">
      <h2 className="h6" id="changes-since">
        Changes since {formatDateTime(at, browserLocales)}
      </h2>
      {movements.isError && (
        <div className="alert alert-danger" role="alert">
          {movements.error.message}
        </div>
      )}
      {movements.isPending ? (
        <p className="text-body-secondary">Loading…</p>
      ) : items.length === 0 ? (
        <p className="text-body-secondary small">No movements since then: stock is as it was.</p>
      ) : (
        <div className="table-responsive border rounded changes-since" tabIndex={0} aria-label="Changes since">
          <table className="table table-sm mb-0">
            <thead className="table-light">
              <tr>
                <th scope="col">When</th>
                <th scope="col">Kind</th>
                <th scope="col">SKU</th>
                <th scope="col">From</th>
                <th scope="col">To</th>
                <th scope="col">Lot</th>
                <th scope="col" className="text-end">
                  Quantity
                </th>
                <th scope="col">User</th>
                <th scope="col">Reference</th>
              </tr>
            </thead>
            <tbody>
              {items.map((movement, index) => (
                <tr key={`${movement.movementId}-${index}`} className="change-since">
                  <td className="text-nowrap">{formatDateTime(movement.occurredAt, browserLocales)}</td>
                  <td>{movement.kind}</td>
                  <td>{movement.sku}</td>
                  <td>{movement.from ?? ''}</td>
                  <td>{movement.to ?? ''}</td>
                  <td>{movement.lot ?? ''}</td>
                  <QuantityCell value={movement.quantity} />
                  <td>{movement.user ?? ''}</td>
                  <td>{movement.reference ?? ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {movements.hasNextPage && (
        <button type="button" className="btn btn-sm btn-outline-secondary mt-1" disabled={movements.isFetchingNextPage} onClick={() => void movements.fetchNextPage()}>
          Load more
        </button>
      )}
    </section>
  );
}
