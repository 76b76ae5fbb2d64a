import { useQuery } from '@tanstack/react-query';
import { Link } from 'wouter';
import { quantityText, type Answer } from '../api/client';
import { api } from '../app/api';
import { formatQuantity, sumQuantities } from '../lib/quantity';

type StockPage = Answer<'/api/stock', 'get'>;

/** An article at a location whose figure changed. */
export interface Figure {
  readonly sku: string;
  readonly location: string;
}

/** The on-hand figure of one article at one location, read after the movement (X-Min-Position). */
function NewFigure({ figure }: { readonly figure: Figure }) {
  const stock = useQuery({
    queryKey: ['stock', 'figure', figure],
    queryFn: () => api.get<StockPage>('/api/stock', { sku: figure.sku, location: figure.location, limit: 500 }),
    staleTime: 0,
  });
  const onHand = stock.data ? sumQuantities(stock.data.items.map((line) => quantityText(line.onHand))) : undefined;
  return (
    <li>
      {figure.sku} at {figure.location}: <span className="new-figure fw-semibold">{onHand === undefined ? (stock.isError ? 'not read' : '…') : `${formatQuantity(onHand, navigator.language)} on hand`}</span>
    </li>
  );
}

/**
 * The answer to a recorded movement: its id, the new figures (read only once the read model has
 * applied it, so never the old figure) and the way to Stock, which reads with the same position.
 */
export function RecordedPanel({ movementId, figures, onDismiss }: { readonly movementId: string; readonly figures: readonly Figure[]; readonly onDismiss: () => void }) {
  const unique = [...new Map(figures.filter((figure) => figure.sku && figure.location).map((figure) => [`${figure.sku}\u0000${figure.location}`, figure])).values()];
  return (
    <div className="alert alert-success d-flex flex-column gap-1" role="status">
      <div>
        <i className="bi bi-check-circle me-2" aria-hidden="true" />
        Recorded movement <code className="movement-id">{movementId}</code>
      </div>
      {unique.length > 0 && <ul className="mb-1">{unique.map((figure) => <NewFigure key={`${figure.sku}-${figure.location}`} figure={figure} />)}</ul>}
      <div className="d-flex gap-3">
        <Link href="/stock" className="alert-link">
          See Stock
        </Link>
        <button type="button" className="btn btn-link alert-link p-0" onClick={onDismiss}>
          Dismiss
        </button>
      </div>
    </div>
  );
}
