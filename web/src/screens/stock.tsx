import { useInfiniteQuery } from '@tanstack/react-query';
import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { quantityText, type Answer } from '../api/client';
import { api } from '../app/api';
import { Field } from './field';
import { ChangesSince, TimeSlider, useAsOf } from './stock-as-of';

type StockPage = Answer<'/api/stock', 'get'>;
type StockLine = StockPage['items'][number];

interface Filters {
  readonly sku: string;
  readonly location: string;
  readonly lot: string;
}

/** Lines per request: the API's maximum, so that 10,000 lines are 20 requests. */
const pageSize = 500;
const rowHeight = 37;

/** A page of stock now, or as it stood at `at` (the time slider; as-of filters by SKU and location only). */
function stockPage(filters: Filters, cursor: string | undefined, at?: string): Promise<StockPage> {
  if (at) return api.get<StockPage>('/api/stock/as-of', { at, sku: filters.sku, location: filters.location, limit: pageSize, cursor });
  return api.get<StockPage>('/api/stock', { ...filters, limit: pageSize, cursor });
}

/** The lines as CSV (RFC 4180 quoting), quantities as the exact decimals the API gave. */
export function stockCsv(lines: readonly StockLine[]): string {
  const cell = (value: string | null): string => (value === null ? '' : /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value);
  const rows = lines.map((line) => [line.sku, line.location, line.lot, line.expiresOn, quantityText(line.onHand), quantityText(line.reserved), quantityText(line.available)].map(cell).join(','));
  return ['sku,location,lot,expiresOn,onHand,reserved,available', ...rows].join('\r\n') + '\r\n';
}

/** Every line the filters show (all pages), as a CSV file download. */
async function exportCsv(filters: Filters, at?: string): Promise<void> {
  const lines: StockLine[] = [];
  let cursor: string | undefined;
  do {
    const page = await stockPage(filters, cursor, at);
    lines.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  const url = URL.createObjectURL(new Blob([stockCsv(lines)], { type: 'text/csv' }));
  const link = document.createElement('a');
  link.href = url;
  link.download = `stock-${new Date().toISOString().slice(0, 10)}.csv`;
  link.click();
  URL.revokeObjectURL(url);
}

/**
 * "Stock": on hand, reserved and available per article, location and lot, in the API's FEFO
 * order; filters by SKU, location and lot; pages fetched by cursor as the list is scrolled, and
 * only the rows in view rendered, so that 10,000+ lines scroll smoothly.
 */
export function StockScreen() {
  const [draft, setDraft] = useState<Filters>({ sku: '', location: '', lot: '' });
  const [filters, setFilters] = useState<Filters>(draft);
  const [exporting, setExporting] = useState(false);
  const scroller = useRef<HTMLDivElement>(null);
  const at = useAsOf();
  const stock = useInfiniteQuery({
    queryKey: ['stock', filters, at ?? 'now'],
    queryFn: ({ pageParam }) => stockPage(filters, pageParam, at),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  const lines = stock.data?.pages.flatMap((page) => page.items) ?? [];
  const rows = useVirtualizer({ count: lines.length, getScrollElement: () => scroller.current, estimateSize: () => rowHeight, overscan: 12 });
  const visible = rows.getVirtualItems();
  const lastVisible = visible.at(-1)?.index ?? 0;
  const { hasNextPage, isFetchingNextPage, fetchNextPage } = stock;

  // The next page is asked for when the last rows come into view.
  useEffect(() => {
    if (hasNextPage && !isFetchingNextPage && lastVisible >= lines.length - 50) void fetchNextPage();
  }, [hasNextPage, isFetchingNextPage, fetchNextPage, lastVisible, lines.length]);

  function apply(event: FormEvent) {
    event.preventDefault();
    setFilters({ sku: draft.sku.trim(), location: draft.location.trim(), lot: draft.lot.trim() });
  }

  const padTop = visible[0]?.start ?? 0;
  const padBottom = rows.getTotalSize() - (visible.at(-1)?.end ?? 0);
  return (
    <section>
      <h1 className="h3">Stock</h1>
      <TimeSlider key={at ?? 'now'} at={at} />
      {at && <ChangesSince at={at} />}
      <form className="row g-2 align-items-end mb-2" onSubmit={apply} role="search" aria-label="Stock filters">
        <div className="col-sm-3">
          <Field label="SKU" name="sku" value={draft.sku} onChange={(event) => setDraft({ ...draft, sku: event.target.value })} />
        </div>
        <div className="col-sm-3">
          <Field label="Location" name="location" value={draft.location} onChange={(event) => setDraft({ ...draft, location: event.target.value })} />
        </div>
        <div className="col-sm-2">
          <Field label="Lot" name="lot" value={draft.lot} onChange={(event) => setDraft({ ...draft, lot: event.target.value })} />
        </div>
        <div className="col-sm-4 mb-3 d-flex gap-2">
          <button type="submit" className="btn btn-primary">
            <i className="bi bi-funnel me-1" aria-hidden="true" />
            Filter
          </button>
          <button
            type="button"
            className="btn btn-outline-secondary"
            disabled={exporting}
            onClick={() => {
              setExporting(true);
              void exportCsv(filters, at).finally(() => setExporting(false));
            }}
          >
            <i className="bi bi-download me-1" aria-hidden="true" />
            {exporting ? 'Exporting…' : 'Export CSV'}
          </button>
        </div>
      </form>
      {stock.isError && (
        <div className="alert alert-danger" role="alert">
          {stock.error.message}
        </div>
      )}
      <p className="text-body-secondary small mb-1" aria-live="polite">
        {stock.isPending ? 'Loading…' : `${lines.length}${hasNextPage ? '+' : ''} lines, ${at ? 'on hand as it stood then' : 'first expiring first'}`}
      </p>
      <div ref={scroller} className="stock-scroller border rounded" tabIndex={0} aria-label="Stock lines">
        <table className="table table-sm table-hover mb-0" aria-rowcount={lines.length + 1}>
          <thead className="table-light">
            <tr>
              <th scope="col">SKU</th>
              <th scope="col">Location</th>
              <th scope="col">Lot</th>
              <th scope="col">Expiry</th>
              <th scope="col" className="text-end">
                On hand
              </th>
              <th scope="col" className="text-end">
                Reserved
              </th>
              <th scope="col" className="text-end">
                Available
              </th>
            </tr>
          </thead>
          <tbody>
            {padTop > 0 && (
              <tr aria-hidden="true">
                <td colSpan={7} style={{ height: padTop }} />
              </tr>
            )}
            {visible.map((row) => {
              const line = lines[row.index];
              if (!line) return null;
              return (
                <tr key={row.key} aria-rowindex={row.index + 2} className="stock-line">
                  <td>{line.sku}</td>
                  <td>{line.location}</td>
                  <td>{line.lot ?? ''}</td>
                  <td>{line.expiresOn ?? ''}</td>
                  <td className="text-end font-monospace">{quantityText(line.onHand)}</td>
                  {/* As of a past time the API gives on hand only (reservations are not kept over time). */}
                  <td className="text-end font-monospace">{at ? '' : quantityText(line.reserved)}</td>
                  <td className="text-end font-monospace">{at ? '' : quantityText(line.available)}</td>
                </tr>
              );
            })}
            {padBottom > 0 && (
              <tr aria-hidden="true">
                <td colSpan={7} style={{ height: padBottom }} />
              </tr>
            )}
          </tbody>
        </table>
        {!stock.isPending && lines.length === 0 && <p className="p-3 mb-0 text-body-secondary">No stock matches these filters.</p>}
      </div>
    </section>
  );
}
