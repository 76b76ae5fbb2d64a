import { api } from '../app/api';

/** An article at or below its reorder point (GET /api/reports/low-stock). */
export interface LowStockLine {
  readonly sku: string;
  readonly name: string;
  readonly onHand: number;
  readonly reserved: number;
  readonly available: number;
  readonly reorderPoint: number;
  readonly reorderQuantity: number | null;
}

/** A lot expiring soon (GET /api/reports/expiring). */
export interface ExpiringLot {
  readonly sku: string;
  readonly lot: string;
  readonly expiresOn: string;
  readonly onHand: number;
  readonly daysLeft: number;
}

/** One row of the ledger (GET /api/movements). */
export interface LedgerRow {
  readonly movementId: string;
  readonly kind: string;
  readonly sku: string;
  readonly from: string;
  readonly to: string;
  readonly quantity: number;
  readonly lot: string | null;
  readonly occurredAt: string;
  readonly recordedAt: string;
  readonly user: string;
  readonly reference: string | null;
}

/** A page of a list answer. */
export interface Page<T> {
  readonly items: readonly T[];
  readonly nextCursor: string | null;
}

/** The low-stock report (at most 500 lines: the report's first page). */
export function lowStock(): Promise<Page<LowStockLine>> {
  return api.get<Page<LowStockLine>>('/api/reports/low-stock', { limit: 500 });
}

/** Lots expiring within `withinDays` days, soonest first. */
export function expiring(withinDays: number): Promise<Page<ExpiringLot>> {
  return api.get<Page<ExpiringLot>>('/api/reports/expiring', { withinDays, limit: 500 });
}

/** A page of the ledger, newest first. */
export function ledgerPage(filters: Readonly<Record<string, string | undefined>>, cursor?: string, limit = 100): Promise<Page<LedgerRow>> {
  return api.get<Page<LedgerRow>>('/api/movements', { ...filters, limit, cursor });
}
