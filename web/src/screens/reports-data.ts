import type { Answer } from '../api/client';
import { api } from '../app/api';

// The answers' types come from the generated OpenAPI types, so they follow the API (test/web/api-types.test.ts).
type LowStockPage = Answer<'/api/reports/low-stock', 'get'>;
type ExpiringPage = Answer<'/api/reports/expiring', 'get'>;
type LedgerPage = Answer<'/api/movements', 'get'>;

/** An article at or below its reorder point (GET /api/reports/low-stock). */
export type LowStockLine = LowStockPage['items'][number];

/** A lot expiring soon (GET /api/reports/expiring). */
export type ExpiringLot = ExpiringPage['items'][number];

/** One row of the ledger (GET /api/movements). */
export type LedgerRow = LedgerPage['items'][number];

/** A page of a list answer. */
export interface Page<T> {
  readonly items: readonly T[];
  readonly nextCursor: string | null;
}

/** The low-stock report (at most 500 lines: the report's first page). */
export function lowStock(): Promise<LowStockPage> {
  return api.get<LowStockPage>('/api/reports/low-stock', { limit: 500 });
}

/** Lots expiring within `withinDays` days, soonest first. */
export function expiring(withinDays: number): Promise<ExpiringPage> {
  return api.get<ExpiringPage>('/api/reports/expiring', { withinDays, limit: 500 });
}

/** A page of the ledger, newest first. */
export function ledgerPage(filters: Readonly<Record<string, string | undefined>>, cursor?: string, limit = 100): Promise<LedgerPage> {
  return api.get<LedgerPage>('/api/movements', { ...filters, limit, cursor });
}
