/**
 * `npm run bench -- schema-change`: a real read-model change (version B adds last_counts, served
 * as lastCountedAt of GET /api/stock) deployed across 1,000 tenants of 1,000 events while
 * processes of both versions serve reads and writes (issue 15). Version A is built from git:
 * SCHEMA_CHANGE_FROM, or HEAD with the source change of the commit that added version B reversed.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PostgresEventStore } from '../src/eventstore/postgres/postgres-event-store.js';
import type { BenchContext, BenchReport, Benchmark } from './benchmark.js';
import { backendCpuLine, groupMs } from './backend-cpu.js';
import { formatCount, markdownTable } from './markdown.js';
import { measureSchemaChange, type CpuSplit, type SchemaChangeResult } from './schema-change/deploy.js';
import type { Tally } from './schema-change/traffic.js';
import { buildVersionA } from './schema-change/version-a.js';

/** The project root: two folders up from dist/bench/, one from bench/. */
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), import.meta.url.includes('/dist/') ? '../..' : '..');
const convergenceTarget = 30_000;
const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;
const cpuSeconds = (ms: number | undefined): string => (ms === undefined ? '?' : seconds(ms));

/** "X s in <who> + Y s PostgreSQL (machine Z s)" for a phase's CPU. */
function cpuLine(split: CpuSplit, who: string): string {
  return `${cpuSeconds(split.node)} in ${who} + ${cpuSeconds(split.server)} PostgreSQL (machine busy ${cpuSeconds(split.machine)})`;
}

function trafficRow(label: string, tally: Tally): string[] {
  return [label, formatCount(tally.requests), formatCount(tally.ok), formatCount(tally.notReady), formatCount(tally.failed), formatCount(tally.wrong), tally.firstFailure ?? ''];
}

/** A's processes before prepare and during it, per second, and per tenant what prepare added to them and cost itself. */
function baselineLine(result: SchemaChangeResult): string {
  const { split, ms } = result.baseline;
  const during = result.serverSplit.prepare;
  if (!split || !during) return '';
  const aBefore = groupMs(split, 'stockcontrol') / (ms / 1000);
  const aDuring = groupMs(during, 'stockcontrol') / (result.prepareMs / 1000);
  const added = ((aDuring - aBefore) * (result.prepareMs / 1000)) / result.tenants;
  const own = groupMs(during, 'stockctl') / result.tenants;
  return (
    `Before prepare (${seconds(ms)}, A serving its traffic alone) A's backends used ${aBefore.toFixed(0)} ms of CPU a second, during prepare ${aDuring.toFixed(0)} ms a second: ` +
    `per tenant prepared, ${own.toFixed(1)} ms in prepare's own backends and ${added.toFixed(1)} ms more in A's than A uses anyway. ` +
    (result.bAlone ? `Once A had stopped, B's processes serving the same traffic alone used ${(groupMs(result.bAlone, 'stockcontrol') / (ms / 1000)).toFixed(0)} ms a second.` : '')
  );
}

function report(result: SchemaChangeResult, versionA: { commit: string; ref: string }): string {
  const { aReads, aWrites, bReads, bWrites } = result.traffic;
  const all = [aReads, aWrites, bReads, bWrites];
  const requests = all.reduce((sum, tally) => sum + tally.requests, 0);
  const failed = all.reduce((sum, tally) => sum + tally.failed, 0);
  const notReady = all.reduce((sum, tally) => sum + tally.notReady, 0);
  const column = (tenants: number): string => (result.tenants === tenants ? seconds(result.convergenceMs) : '—');
  const other = result.tenants !== 300 && result.tenants !== 1000 ? ` (${formatCount(result.tenants)} tenants: ${seconds(result.convergenceMs)})` : '';
  const today = `${formatCount(failed)} failed of ${formatCount(requests)} requests of both versions, reads and writes; ${formatCount(notReady)} early new-version requests answered 503 not-ready`;
  return [
    `Version A: \`${versionA.commit.slice(0, 10)}\` (${versionA.ref}), projection version \`${result.versionA}\`; version B: this build, projection version \`${result.versionB}\` (adds \`last_counts\`, served as \`lastCountedAt\` of GET /api/stock). ` +
      `${formatCount(result.tenants)} tenants × ${formatCount(result.eventsPerTenant)} events (a warehouse, 5 bins, 20 articles through the command handlers, then simulated stock history including counts), ` +
      `${result.httpTenants} of them registered through the API and used by the readers and writers; set-up ${seconds(result.setupMs)} (not measured).`,
    '',
    markdownTable(
      ['', '300 tenants', '1,000 tenants', 'requests failing during the change'],
      [
        ['django-tenants 3.5.0, nullable column + index, one at a time (issue 15)', '18.2 s', '79.2 s', '~50% of the new code\'s requests (`UndefinedColumn`)'],
        ['the same, two processes (issue 15)', '9.1 s', '39.8 s', 'same'],
        ['django-tenants, NOT NULL backfill, one at a time (issue 15)', '24.8 s', '—', 'new code ~50%, old code\'s writes 50% and 100% afterwards'],
        ['StockControl before (`bench/rebuild`, full rebuild, 4 at a time; issue 15)', '18.2 s', '75.1 s', '0 of 22,145 reads, but only reads that work on either version'],
        [`**StockControl today** (\`bench/schema-change\`: prepare, B starts and switches, A stops)${other}`, column(300), column(1000), today],
      ],
    ),
    '',
    `Deploy, as README "Changing a read model": \`stockctl projections prepare\` (version B) built every tenant's B schema up to the head in **${seconds(result.prepareMs)}** ` +
      `while two A processes served; two B processes then took the prepared schemas over and every tenant was live on B **${seconds(result.switchMs)}** after they were started ` +
      `(of which ${seconds(result.bStartMs)} until both answered /healthz). ` +
      `CPU: prepare ${cpuLine(result.cpu.prepare, 'stockctl')}; switch ${cpuLine(result.cpu.switch, "B's processes, their start included")}; PostgreSQL's and the machine's include A's processes and both versions' traffic. ` +
      `Convergence of all tenants, from the start of prepare to the last switch: **${seconds(result.convergenceMs)}** (target ${seconds(convergenceTarget)}: ${result.convergenceMs <= convergenceTarget ? 'met' : 'not met'}). ` +
      `Then traffic moved to B, A stopped, and \`stockctl projections gc --grace-minutes 0\` dropped ${formatCount(result.dropped)} version-A schemas in ${seconds(result.gcMs)}. ` +
      `${result.failedBuilds.length === 0 ? 'No build failed.' : `Builds failed for ${result.failedBuilds.join(', ')}.`} ` +
      `${formatCount(result.differing)} of the ${formatCount(result.tenants - result.httpTenants)} tenants without writes during the deploy show balances on B that differ from A's.`,
    '',
    `PostgreSQL's CPU by who used it (each backend sampled once a second: its application_name, or the server's own process type): ` +
      `prepare: ${result.serverSplit.prepare ? backendCpuLine(result.serverSplit.prepare) : '?'}; ` +
      `switch: ${result.serverSplit.switch ? backendCpuLine(result.serverSplit.switch) : '?'}. ` +
      '`stockctl` is prepare itself; `stockcontrol` the services (A\'s during prepare, both versions\' during the switch), their projector daemons and the traffic they answer; `stockcontrol-bench` this benchmark\'s set-up and its polling of every schema\'s checkpoint. ' +
      baselineLine(result),
    '',
    markdownTable(
      ['Traffic (HTTP, round robin over the version\'s two processes)', 'Requests', 'Answered', '503 not-ready (with Retry-After)', 'Failed', 'Wrong shape', 'First failure'],
      [trafficRow('version A reads (GET /api/stock), until traffic moved', aReads), trafficRow('version A writes (receipts, every fourth a count)', aWrites), trafficRow('version B reads, from B\'s start', bReads), trafficRow('version B writes', bWrites)],
    ),
    '',
    'Failed = a 500, any other refusal, a lost connection, or a 503 not-ready without Retry-After; wrong shape = a 200 whose rows lack lastCountedAt (B) or carry it (A). ' +
      'Every 503 not-ready comes before the tenant\'s switch to B: B answers a tenant only from its own version\'s live schema (src/projections/served-schema.ts).',
  ].join('\n');
}

export const schemaChangeBenchmark: Benchmark = {
  name: 'schema-change',
  title: 'A read-model change deployed across tenants (bench/schema-change)',
  async run(context: BenchContext): Promise<BenchReport> {
    const building = context.progress.phase('schema-change: building version A from git');
    const versionA = await buildVersionA(root, process.env.SCHEMA_CHANGE_FROM);
    building(`${versionA.commit.slice(0, 10)} (${versionA.ref})`);
    const store = new PostgresEventStore(context.db, context.logger);
    try {
      const result = await measureSchemaChange(context, store, versionA, {
        mainScript: path.join(root, 'dist/src/main.js'),
        stockctlScript: path.join(root, 'dist/src/cli/stockctl.js'),
      });
      return { markdown: report(result, versionA) };
    } finally {
      await store.close();
      await versionA.release();
    }
  },
};
