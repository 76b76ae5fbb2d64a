import { createProgressBar, type ProgressBar } from '../../progress-bar.js';
import type { CommandContext, Operator } from '../context.js';
import { NotFound } from '../failures.js';
import { selectAuditedTenantExists } from './audit-tenant.sql.js';

/** A bar of events done / total with rate and ETA, on a terminal's stderr only: a pipe carries only the answer. */
export function auditBar(label: string): ProgressBar {
  return createProgressBar(label, process.stderr, undefined, { offTerminal: 'nothing' });
}

/**
 * The operator's database and store, after checking the tenant exists (exit 4 when not): a
 * registered tenant, or a history imported into a new slug, which has events but no registration.
 */
export async function operatorFor(context: CommandContext, tenant: string): Promise<Operator> {
  const operator = await context.operator();
  if (!(await operator.db.oneOrNone(selectAuditedTenantExists(), [tenant]))) throw new NotFound(`no tenant ${tenant}`);
  return operator;
}

/**
 * Runs a long audit operation with a progress bar and the context's AbortSignal; an abort
 * (Ctrl-C) becomes exit 130 through run.ts, after the bar's line is ended.
 */
export async function withProgress<T>(label: string, work: (options: { onProgress: (p: { done: number; total: number }) => void }) => Promise<T>): Promise<T> {
  const bar = auditBar(label);
  try {
    return await work({ onProgress: ({ done, total }) => bar.update(done, total) });
  } finally {
    bar.finish();
  }
}
