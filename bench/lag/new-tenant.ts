/**
 * The lag benchmark's new-tenant case: how long after a new tenant's first append its read model
 * shows it. The daemon scans for tenants only every 2 s; a new tenant is taken at once instead, in
 * the registering process because registration tells the daemon, in any other because its first
 * append's NOTIFY reaches the daemon's lease connection.
 */
import { createCommandHandlers } from '../../src/commands/command-handlers.js';
import { comparePositions, type EventStore } from '../../src/eventstore/event-store.js';
import type { ProjectorDaemon } from '../../src/projections/daemon.js';
import type { ReadSchemas } from '../../src/projections/read-schemas.js';
import { scaled, type BenchContext } from '../benchmark.js';
import { benchMetadata } from '../commands/setup.js';
import { formatCount, formatMs, markdownTable } from '../markdown.js';
import { percentile } from '../measure.js';

/** How a new tenant comes to the daemon's notice. */
type Arrival = 'registered in this process' | 'first append in another process';

/** What the new-tenant case works with: the running daemon and the stores of "this" and "another" process. */
export interface NewTenantSetup {
  readonly daemon: ProjectorDaemon;
  readonly schemas: ReadSchemas;
  /** The daemon's own process's event store. */
  readonly store: EventStore;
  /** Another process's event store: its appends reach the daemon only by NOTIFY. */
  readonly otherStore: EventStore;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Registers `count` new tenants per arrival, one at a time, and returns the result table and its notes. */
export async function measureNewTenants(context: BenchContext, setup: NewTenantSetup): Promise<string> {
  const count = scaled(context, 30, 5);
  const done = context.progress.phase(`lag: ${count} new tenants per way of arriving, first article until readable`);
  const rows: string[][] = [];
  const summary: string[] = [];
  for (const arrival of ['registered in this process', 'first append in another process'] as const) {
    const lags = Float64Array.from(await measureArrival(setup, arrival, count, `${arrival === 'registered in this process' ? 'here' : 'there'}${Date.now().toString(36)}`)).sort();
    const p99 = percentile(lags, 99);
    rows.push([arrival, formatCount(count), formatMs(percentile(lags, 50)), formatMs(p99), formatMs(lags[lags.length - 1] ?? Number.NaN), p99 <= 100 ? 'met (p99 ≤ 100 ms)' : 'not met (p99 ≤ 100 ms)']);
    summary.push(`${arrival}: p50 ${formatMs(percentile(lags, 50))} ms`);
  }
  done(summary.join(', '));
  return [
    markdownTable(['new tenant', 'tenants', 'lag p50 ms', 'lag p99 ms', 'lag max ms', 'target'], rows),
    '',
    "New tenants: from the moment a new tenant's first command (registering an article) returns to the moment",
    "its live read schema's checkpoint (polled every ~1 ms) has passed that command's position, one tenant",
    'at a time, with the daemon above running (it scans for tenants every 2 s). Registered in this process:',
    'as registration does, the live schema is created and the daemon told, then the first command follows at',
    "once (the daemon may still be taking the tenant's lease). First append in another process: nobody tells",
    "the daemon; the append goes through another event store instance, whose NOTIFY reaches the daemon's",
    'lease connection, which takes the lease, creates the live schema and catches up.',
  ].join('\n');
}

async function measureArrival(setup: NewTenantSetup, arrival: Arrival, count: number, prefix: string): Promise<number[]> {
  const side = createCommandHandlers(arrival === 'registered in this process' ? setup.store : setup.otherStore);
  const lags: number[] = [];
  for (let i = 0; i < count; i += 1) {
    const tenant = `lagnew${prefix}${i}`;
    if (arrival === 'registered in this process') {
      await setup.schemas.ensureLive(tenant);
      setup.daemon.follow(tenant);
    }
    const result = await side.catalog.registerArticle(benchMetadata(tenant), { sku: 'FIRST', name: 'First article', unit: 'pcs', tracking: 'none' });
    const committedAt = performance.now();
    const position = result.position ?? '0';
    for (;;) {
      const live = await setup.schemas.live(tenant);
      if (live && comparePositions(live.position, position) >= 0) break;
      if (performance.now() - committedAt > 10_000) throw new Error(`the new tenant ${tenant} was not readable within 10 s`);
      await sleep(1);
    }
    lags.push(performance.now() - committedAt);
    await sleep(20);
  }
  return lags;
}
