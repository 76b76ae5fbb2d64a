/**
 * The schema-change benchmark's run: processes of version A serve reads and writes; version B is
 * deployed beside them as README "Changing a read model" tells operators (prepare, start B,
 * move traffic, stop A, collect the old schemas) while readers and writers of both versions
 * count every answer.
 */
import { createCommandHandlers } from '../../src/commands/command-handlers.js';
import type { EventStore } from '../../src/eventstore/event-store.js';
import { projectionVersion } from '../../src/projections/version.js';
import { scaled, type BenchContext } from '../benchmark.js';
import { sampleBackendCpu, type BackendCpuSplit } from '../backend-cpu.js';
import { machineBusyMs, processCpuMs, serverCpuMs } from '../cpu-time.js';
import { formatCount } from '../markdown.js';
import { runConcurrently } from '../measure.js';
import { createCatalog, writeStockHistory, type TenantShape } from '../rebuild/tenant.js';
import { startCommand, startService, type ServiceProcess } from './processes.js';
import { differingBalances, liveOn, tenantHeads, versionProgress } from './registry-watch.js';
import { startTraffic, type Tally, type TrafficSession } from './traffic.js';
import type { VersionBuild } from './version-a.js';

/** What the run measured. */
export interface SchemaChangeResult {
  readonly tenants: number;
  readonly eventsPerTenant: number;
  readonly httpTenants: number;
  readonly versionA: string;
  readonly versionB: string;
  readonly setupMs: number;
  /** From `projections prepare` started to every tenant's B schema at the head the deploy started at. */
  readonly prepareMs: number;
  /** From B's processes started to every tenant live on B. */
  readonly switchMs: number;
  /** Of which: until both B processes answered /healthz (node's start on this machine, the daemons' first scan). */
  readonly bStartMs: number;
  /** From the deploy's start to every tenant live on B. */
  readonly convergenceMs: number;
  readonly gcMs: number;
  /**
   * CPU ms of prepare (the stockctl process; PostgreSQL; the whole machine) and of the switch (B's
   * two processes from their start, node's start included; PostgreSQL; the machine). PostgreSQL's
   * and the machine's include A's processes and the traffic of both versions meanwhile.
   */
  readonly cpu: { readonly prepare: CpuSplit; readonly switch: CpuSplit };
  /** PostgreSQL's CPU of each phase by who used it (application_name, or the server's own process type); undefined without a local server. */
  readonly serverSplit: { readonly prepare: BackendCpuSplit | undefined; readonly switch: BackendCpuSplit | undefined };
  /**
   * The same split over `baselineMs` just before prepare, A serving its traffic alone: what A's
   * processes cost anyway, so that what prepare adds to their backends (catalog invalidations) shows.
   */
  readonly baseline: { readonly ms: number; readonly split: BackendCpuSplit | undefined };
  /** The same over `baseline.ms` once A has stopped: B's processes serving the traffic alone. */
  readonly bAlone: BackendCpuSplit | undefined;
  readonly dropped: number;
  readonly failedBuilds: readonly string[];
  /** Tenants (without writes during the deploy) whose B balances differ from their A ones. */
  readonly differing: number;
  readonly traffic: { readonly aReads: Tally; readonly aWrites: Tally; readonly bReads: Tally; readonly bWrites: Tally };
}

/** CPU ms of a phase: the deploy's own process(es), the PostgreSQL server, the whole machine (undefined without /proc). */
export interface CpuSplit {
  readonly node?: number | undefined;
  readonly server?: number | undefined;
  readonly machine?: number | undefined;
}

const password = 'bench-password-1';
const minus = (after: number | undefined, before: number | undefined): number | undefined => (after === undefined || before === undefined ? undefined : after - before);
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function call(base: string, method: string, pathName: string, headers: Record<string, string>, body?: unknown): Promise<Record<string, unknown>> {
  const response = await fetch(`${base}${pathName}`, { method, headers: { 'content-type': 'application/json', ...headers }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${pathName}: ${response.status} ${text}`);
  return text ? (JSON.parse(text) as Record<string, unknown>) : {};
}

/**
 * Starts version A's processes as they were started in a real deploy: before version B's
 * migrations ran. The bench's database is migrated by this build (B) before anything runs, and a
 * process refuses to start on a database that has a migration it does not know; so the rows of
 * B's newer migrations are hidden from schema_migrations while A's processes start and put back
 * once they serve. The migrations themselves stay applied: A then runs on B's database as its
 * processes do during a rolling deploy (migration 0008 keeps 0004's call for them).
 */
async function startedBeforeNewerMigrations<T>(db: BenchContext['db'], lastKnown: number, start: () => Promise<T>): Promise<T> {
  const newer = await db.any<{ version: number; name: string; checksum: string; applied_at: Date }>(
    'delete from schema_migrations where version > $1 returning version, name, checksum, applied_at',
    [lastKnown],
  );
  try {
    return await start();
  } finally {
    for (const row of newer) {
      await db.none('insert into schema_migrations (version, name, checksum, applied_at) values ($1, $2, $3, $4)', [row.version, row.name, row.checksum, row.applied_at]);
    }
  }
}

/** Polls `probe` until it says done; throws after `timeoutMs`. */
async function until(probe: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`${what}: not reached in ${timeoutMs / 1000} s`);
    await sleep(250);
  }
}

/** Runs the deploy; `versionA` is the older build, the current build (dist/) is version B. */
export async function measureSchemaChange(context: BenchContext, store: EventStore, versionA: VersionBuild, current: { mainScript: string; stockctlScript: string }): Promise<SchemaChangeResult> {
  const { db, progress, url } = context;
  const tenantCount = scaled(context, 1000, 4);
  // At most 20 (registration allows 20 an hour per client), and some tenants left without writes to compare A and B on.
  const httpCount = Math.min(Math.ceil(tenantCount / 2), 20);
  const eventsPerTenant = 1000;
  const run = Date.now().toString(36);
  const tenants = Array.from({ length: tenantCount }, (_, index) => `sc${run}-${index}`);
  const shape = (index: number): TenantShape => ({ bins: 5, articles: 20, lotShare: 0.4, stockEvents: eventsPerTenant - 26, seed: 2000 + index });
  const versionB = projectionVersion();
  const services: ServiceProcess[] = [];
  const started = async (script: string): Promise<ServiceProcess> => {
    const service = await startService(script, url);
    services.push(service);
    return service;
  };
  let aProcesses: ServiceProcess[] = [];
  let bProcesses: ServiceProcess[] = [];
  try {
    // Set-up (not measured): two processes of version A; the tenants, the first 20 registered through the API.
    const setupStarted = performance.now();
    const setup = progress.phase(`schema-change: 2 processes of version A, ${tenantCount} tenants of ${formatCount(eventsPerTenant)} events`);
    aProcesses = await startedBeforeNewerMigrations(db, versionA.lastMigration, async () => [await started(versionA.mainScript), await started(versionA.mainScript)]);
    const a1 = aProcesses[0] as ServiceProcess;
    const tokens = new Map<string, string>();
    for (const tenant of tenants.slice(0, httpCount)) {
      await call(a1.base, 'POST', '/api/tenants', {}, { companyName: `${tenant} Ltd`, tenant, email: `admin@${tenant}.example`, username: 'admin', password, passwordConfirm: password });
      tokens.set(tenant, (await call(a1.base, 'POST', '/api/auth/login', { 'x-tenant': tenant }, { username: 'admin', password })).token as string);
    }
    const side = createCommandHandlers(store);
    const sessions: TrafficSession[] = [];
    const written = progress.percentage('schema-change: tenants written', tenantCount);
    let writtenSoFar = 0;
    await runConcurrently(tenantCount, 4, async (index) => {
      const tenant = tenants[index] as string;
      const catalog = await createCatalog(side, tenant, shape(index));
      await writeStockHistory(store, tenant, catalog, shape(index), { appendSize: 1000, inFlight: 2, startMs: Date.UTC(2025, 0, 1), days: 90 });
      const token = tokens.get(tenant);
      const untracked = catalog.find((article) => article.tracking === 'none');
      if (token && untracked) sessions.push({ tenant, token, sku: untracked.sku, bin: untracked.bins[0] as string });
      written((writtenSoFar += 1));
    });
    const versionAName = (await db.one<{ version: string }>('select version from read_schema_live where tenant = $1', [tenants[0]])).version;
    if (versionAName === versionB) throw new Error(`version A (${versionA.commit}) has the same projection version as this build (${versionB}): nothing to deploy`);
    const setupHeads = await tenantHeads(db, tenants);
    await until(async () => (await versionProgress(db, versionAName, setupHeads)).atHead === tenantCount, 30 * 60_000, 'version A schemas at the head');
    await db.none('vacuum (analyze) es_events');
    const setupMs = performance.now() - setupStarted;
    setup(`${sessions.length} tenants with API traffic`);

    // A serves reads and writes; B's readers and writers start with B's processes.
    const aTargets = (): readonly string[] => aProcesses.map((service) => service.base);
    const bTargets = (): readonly string[] => bProcesses.map((service) => service.base);
    const traffic = (kind: 'read' | 'write', targets: () => readonly string[], lastCountedAt: boolean) =>
      startTraffic({ kind, loops: kind === 'read' ? 2 : 1, targets, sessions, lastCountedAt, pauseMs: 10 });
    const aReads = traffic('read', aTargets, false);
    const aWrites = traffic('write', aTargets, false);
    await sleep(3000);
    const baselineMs = Number(process.env.SCHEMA_CHANGE_BASELINE_MS ?? 10_000);
    const baselineSampling = context.serverPid === undefined ? undefined : await sampleBackendCpu(db, context.serverPid);
    await sleep(baselineMs);
    const baselineSplit = await baselineSampling?.stop();

    // 1. Prepare B's schemas beside A's.
    const deploying = progress.phase(`schema-change: deploying version ${versionB} over ${versionAName}`);
    const deployStarted = performance.now();
    const serverCpu = async (): Promise<number | undefined> => (context.serverPid === undefined ? undefined : await serverCpuMs(context.serverPid));
    const [serverAtPrepare, machineAtPrepare] = [await serverCpu(), await machineBusyMs()];
    const sampling = context.serverPid === undefined ? undefined : await sampleBackendCpu(db, context.serverPid);
    const heads = await tenantHeads(db, tenants);
    const prepare = startCommand(current.stockctlScript, url, ['projections', 'prepare']);
    const prepared = progress.percentage('schema-change: B schemas at the head', tenantCount);
    let failedBuilds: string[] = [];
    await until(
      async () => {
        if (prepare.child.exitCode !== null) throw new Error(`projections prepare exited ${prepare.child.exitCode}: ${prepare.output().slice(-2000)}`);
        const { atHead, failed } = await versionProgress(db, versionB, heads);
        prepared(atHead);
        failedBuilds = failed;
        return atHead + failed.length >= tenantCount;
      },
      30 * 60_000,
      'version B prepared',
    );
    const prepareMs = performance.now() - deployStarted;
    const prepareSplit = await sampling?.stop();
    const prepareCpu: CpuSplit = {
      node: prepare.child.pid === undefined ? undefined : await processCpuMs(prepare.child.pid),
      server: minus(await serverCpu(), serverAtPrepare),
      machine: minus(await machineBusyMs(), machineAtPrepare),
    };
    await prepare.interrupt();

    // 2. B's processes start, take the prepared schemas over and switch each tenant to them.
    const switchStarted = performance.now();
    const [serverAtSwitch, machineAtSwitch] = [await serverCpu(), await machineBusyMs()];
    const switchSampling = context.serverPid === undefined ? undefined : await sampleBackendCpu(db, context.serverPid);
    bProcesses = [await started(current.mainScript), await started(current.mainScript)];
    const bStartMs = performance.now() - switchStarted;
    const bReads = traffic('read', bTargets, true);
    const bWrites = traffic('write', bTargets, true);
    const switching = progress.percentage('schema-change: tenants live on B', tenantCount);
    await until(
      async () => {
        const live = await liveOn(db, versionB, tenants);
        switching(live);
        return live + failedBuilds.length >= tenantCount;
      },
      30 * 60_000,
      'every tenant live on B',
    );
    const switchMs = performance.now() - switchStarted;
    const switchSplit = await switchSampling?.stop();
    const bCpu = await Promise.all(bProcesses.map((service) => (service.child.pid === undefined ? undefined : processCpuMs(service.child.pid))));
    const switchCpu: CpuSplit = {
      node: bCpu.some((ms) => ms === undefined) ? undefined : bCpu.reduce<number>((sum, ms) => sum + (ms ?? 0), 0),
      server: minus(await serverCpu(), serverAtSwitch),
      machine: minus(await machineBusyMs(), machineAtSwitch),
    };
    const convergenceMs = performance.now() - deployStarted;
    deploying(`${(convergenceMs / 1000).toFixed(1)} s`);

    // 3. Traffic moves to B; A stops.
    const aReadTally = await aReads.stop();
    const aWriteTally = await aWrites.stop();
    for (const service of aProcesses) await service.stop();
    aProcesses = [];
    await sleep(3000);
    const bAloneSampling = context.serverPid === undefined ? undefined : await sampleBackendCpu(db, context.serverPid);
    await sleep(baselineMs);
    const bAlone = await bAloneSampling?.stop();
    const quiet = tenants.slice(httpCount);
    const differing = (await differingBalances(db, versionAName, quiet)).length;

    // 4. The old schemas are collected.
    const gcStarted = performance.now();
    const before = (await db.one<{ n: number }>('select count(*)::int as n from read_schemas where version = $1', [versionAName])).n;
    const gc = startCommand(current.stockctlScript, url, ['projections', 'gc', '--grace-minutes', '0']);
    const gcExit = await gc.done();
    if (gcExit !== 0) throw new Error(`projections gc exited ${gcExit}: ${gc.output().slice(-2000)}`);
    const gcMs = performance.now() - gcStarted;
    const after = (await db.one<{ n: number }>('select count(*)::int as n from read_schemas where version = $1', [versionAName])).n;
    await sleep(1000);
    const bReadTally = await bReads.stop();
    const bWriteTally = await bWrites.stop();
    return {
      tenants: tenantCount,
      eventsPerTenant,
      httpTenants: sessions.length,
      versionA: versionAName,
      versionB,
      setupMs,
      prepareMs,
      switchMs,
      bStartMs,
      convergenceMs,
      gcMs,
      cpu: { prepare: prepareCpu, switch: switchCpu },
      serverSplit: { prepare: prepareSplit, switch: switchSplit },
      baseline: { ms: baselineMs, split: baselineSplit },
      bAlone,
      dropped: before - after,
      failedBuilds,
      differing,
      traffic: { aReads: aReadTally, aWrites: aWriteTally, bReads: bReadTally, bWrites: bWriteTally },
    };
  } finally {
    await Promise.allSettled(services.map((service) => service.stop()));
  }
}
