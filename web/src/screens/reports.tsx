import { useQuery } from '@tanstack/react-query';
import { Link } from 'wouter';
import { LoadState } from '../components/load-state';
import { QuantityCell, browserLocales, quantityFor } from '../components/quantity';
import { formatDate } from '../lib/format';
import { expiring, lowStock, type ExpiringLot, type LowStockLine } from './reports-data';

/** The low-stock table: what to reorder, and how much the article says to order. */
export function LowStockTable({ lines }: { readonly lines: readonly LowStockLine[] }) {
  return (
    <div className="table-responsive">
      <table className="table table-sm table-hover" aria-label="Low stock">
        <thead className="table-light">
          <tr>
            <th scope="col">SKU</th>
            <th scope="col">Name</th>
            <th scope="col" className="text-end">Available</th>
            <th scope="col" className="text-end">Reorder point</th>
            <th scope="col" className="text-end">Reorder quantity</th>
          </tr>
        </thead>
        <tbody>
          {lines.map((line) => (
            <tr key={line.sku} className="low-stock-line">
              <td className="text-nowrap">
                <Link href={`/articles/${encodeURIComponent(line.sku)}`}>{line.sku}</Link>
              </td>
              <td>{line.name}</td>
              <QuantityCell value={line.available} />
              <QuantityCell value={line.reorderPoint} />
              <td className="text-end font-monospace">{line.reorderQuantity === null ? '—' : quantityFor(line.reorderQuantity)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** The expiring-lots table, soonest first; expired lots marked as such. */
export function ExpiringTable({ lots }: { readonly lots: readonly ExpiringLot[] }) {
  const days = new Intl.NumberFormat(browserLocales);
  return (
    <div className="table-responsive">
      <table className="table table-sm table-hover text-nowrap" aria-label="Expiring lots">
        <thead className="table-light">
          <tr>
            <th scope="col">SKU</th>
            <th scope="col">Lot</th>
            <th scope="col">Expiry</th>
            <th scope="col" className="text-end">Days left</th>
            <th scope="col" className="text-end">On hand</th>
          </tr>
        </thead>
        <tbody>
          {lots.map((lot) => (
            <tr key={`${lot.sku}\u0000${lot.lot}`} className="expiring-lot">
              <td>
                <Link href={`/articles/${encodeURIComponent(lot.sku)}`}>{lot.sku}</Link>
              </td>
              <td>{lot.lot}</td>
              <td>{formatDate(lot.expiresOn, browserLocales)}</td>
              <td className="text-end">{lot.daysLeft < 0 ? <span className="badge text-bg-danger">Expired</span> : days.format(lot.daysLeft)}</td>
              <QuantityCell value={lot.onHand} />
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** "Reports": low stock / reorder and lots expiring within a chosen number of days. */
export function ReportsScreen() {
  const low = useQuery({ queryKey: ['reports', 'low-stock'], queryFn: lowStock });
  const soon = useQuery({ queryKey: ['reports', 'expiring', 30], queryFn: () => expiring(30) });
  return (
    <section>
      <h1 className="h3">Reports</h1>
      <h2 className="h5 mt-3">Low stock / reorder</h2>
      <LoadState pending={low.isPending} error={low.error} empty={low.data?.items.length === 0} emptyText="No article is at or below its reorder point.">
        <LowStockTable lines={low.data?.items ?? []} />
      </LoadState>
      <h2 className="h5 mt-3">Lots expiring within 30 days</h2>
      <LoadState pending={soon.isPending} error={soon.error} empty={soon.data?.items.length === 0} emptyText="No lot expires within 30 days.">
        <ExpiringTable lots={soon.data?.items ?? []} />
      </LoadState>
    </section>
  );
}
