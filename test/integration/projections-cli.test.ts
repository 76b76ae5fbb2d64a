import { spawn } from 'node:child_process';
import { chmod, mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from '@jest/globals';
import { createProgressBar, formatDuration, progressLine } from '../../src/cli/progress-bar.js';
import { pgp } from '../../src/database/connection.js';
import { isAlive, readPostmasterLock, stopStalePostmaster } from '../../src/database/postmaster.js';
import { findFreePort } from '../../src/database/tcp-port.js';
import type { EventStore } from '../../src/eventstore/event-store.js';
import { type ReadSchemas } from '../../src/projections/read-schemas.js';
import { freshTenant, metadataFor, type CommandSide } from '../support/command-handlers.js';
import type { TestDatabase } from '../support/test-database.js';
import { useReadSide } from '../support/read-side.js';
import { startStockctl, stockctl, type StockctlRun } from '../cli/stockctl-process.js';

const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const units = (n: number): number => n * 1000;

// `npm run projections -- ...` runs `stockctl projections ...`: these tests run that, from source.
describe('stockctl projections (npm run projections)', () => {
  let database: TestDatabase;
  let store: EventStore;
  let side: CommandSide;
  let schemas: ReadSchemas;

  /** Runs `stockctl projections ...args` against this file's database. */
  function projections(...args: string[]): Promise<StockctlRun> {
    return projectionsWith({}, ...args);
  }

  /** The same, with more environment variables. */
  function projectionsWith(env: Record<string, string>, ...args: string[]): Promise<StockctlRun> {
    return stockctl(['projections', ...args], { DATABASE_URL: database.url, ...env });
  }

  /**
   * The same on a terminal: util-linux's `script` gives the command a pseudo-terminal, so the
   * progress bars draw as they do for an operator (on a pipe they print nothing). stdout and
   * stderr arrive together, as on a screen.
   */
  function projectionsOnTerminal(...args: string[]): Promise<StockctlRun> {
    const command = ['node', '--import', 'tsx', 'src/cli/stockctl.ts', 'projections', ...args].join(' ');
    const child = spawn('script', ['-qec', command, '/dev/null'], {
      cwd: projectRoot,
      env: { PATH: process.env.PATH ?? '', DATABASE_URL: database.url, LOG_LEVEL: 'error', NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    return new Promise((resolve) => child.once('close', (code) => resolve({ code, stdout, stderr })));
  }

  /** A tenant with stock, and a live schema that has applied all of it. */
  async function tenantWithStock(): Promise<{ tenant: string; schema: string }> {
    const tenant = freshTenant('cli');
    const meta = metadataFor(tenant);
    await side.catalog.createLocation(meta, { code: 'A-01', type: 'storage' });
    await side.catalog.registerArticle(meta, { sku: 'BOLT', name: 'Bolt', unit: 'pcs', tracking: 'none' });
    for (let i = 0; i < 5; i += 1) await side.stock.receive(metadataFor(tenant), { lines: [{ sku: 'BOLT', quantity: units(1), location: 'A-01' }] });
    const live = await schemas.ensureLive(tenant);
    await schemas.catchUp(tenant, live.schema);
    return { tenant, schema: live.schema };
  }

  const readSide = useReadSide();
  beforeAll(() => {
    ({ database, store, side, schemas } = readSide);
  });

  it('takes its event store from the composition root, so EVENT_STORE is honoured as by the service', async () => {
    const { tenant } = await tenantWithStock();
    // The tenant's events are in PostgreSQL; told to read them from a KurrentDB that is not there, status cannot.
    const run = await projectionsWith({ EVENT_STORE: 'kurrentdb', KURRENTDB_URL: 'kurrentdb://127.0.0.1:1?tls=false' }, 'status', '--tenant', tenant);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('KurrentDB cannot be reached');
  });

  it('an event store the composition root cannot build, on the embedded cluster of DATA_DIR, stops the server it started and frees DATA_DIR', async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'stockctl-store-'));
    try {
      // mkdtemp makes it 0700: opened so that, as root, the cluster stays in it (where this test looks).
      await chmod(dataDir, 0o755);
      // A connection string the KurrentDB client refuses when the composition root builds it,
      // after the embedded server has started.
      const env = { DATA_DIR: dataDir, EMBEDDED_PG_PORT: String(await findFreePort()), EVENT_STORE: 'kurrentdb', KURRENTDB_URL: 'kurrentdb://localhost:2113?tls=maybe' };
      const run = await stockctl(['projections', 'status'], env);
      expect(run.code).toBe(1);
      expect(run.stderr).toContain('Unexpected "maybe"');
      const postmaster = await readPostmasterLock(path.join(dataDir, 'pg'));
      expect(postmaster !== undefined && isAlive(postmaster.pid)).toBe(false);
      await expect(readFile(path.join(dataDir, 'stockcontrol.lock'), 'utf8')).rejects.toThrow();
    } finally {
      await stopStalePostmaster(path.join(dataDir, 'pg')).catch(() => undefined);
      await rm(dataDir, { recursive: true, force: true });
    }
  }, 60_000);

  it('status prints the live schema of a tenant with its version, position, head and lag', async () => {
    const { tenant, schema } = await tenantWithStock();
    const position = await schemas.checkpoint(schema);
    await side.stock.receive(metadataFor(tenant), { lines: [{ sku: 'BOLT', quantity: units(1), location: 'A-01' }] });
    const head = await store.headPosition(tenant);
    const lag = await store.countEvents(tenant, { after: position });
    expect(lag).toBeGreaterThan(0);

    const run = await projections('status', '--tenant', tenant);

    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`tenant ${tenant}\n`);
    expect(run.stdout).toContain(`live      ${schema} (version ${schemas.version}, ready) position ${position}, head ${head}, lag ${lag} events`);
    const all = await projections('status');
    expect(all.code).toBe(0);
    expect(all.stdout).toContain(`tenant ${tenant}\n`);
  }, 60_000);

  it('a bad command line says what is wrong, where the help is, and exits 2', async () => {
    const unknown = await projections('frobnicate');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown subcommand of projections "frobnicate"');
    expect(unknown.stderr).toContain('see `stockctl projections --help`');
    const [noTenant, badSlug] = await Promise.all([projections('rebuild'), projections('status', '--tenant', 'Not_A_Slug')]);
    expect(noTenant).toMatchObject({ code: 2, stderr: expect.stringContaining('give --tenant <slug> or --all (one of them)') });
    expect(badSlug).toMatchObject({ code: 2, stderr: expect.stringContaining('--tenant must be a tenant slug') });
    expect(`${unknown.stdout}${noTenant.stdout}${badSlug.stdout}`).toBe('');
  }, 60_000);

  it('prepare follows every tenant with the projector daemon until it is stopped', async () => {
    const { tenant } = await tenantWithStock();
    const child = startStockctl(['projections', 'prepare', '--all'], { DATABASE_URL: database.url });
    // The daemon reports every 5 s what it does for each tenant.
    await child.waitFor(`${tenant}: following`, 30_000).catch(() => undefined);
    child.child.kill('SIGINT');
    const { code, stderr } = await child.exited;
    expect(code).toBe(0);
    expect(stderr).toContain('preparing read schemas of version');
    expect(stderr).toContain(`${tenant}: following`);
  }, 60_000);

  it('rebuild switches the live schema, with a progress bar on a terminal and only the answer on a pipe', async () => {
    const { tenant, schema } = await tenantWithStock();
    const events = await store.countEvents(tenant);

    // LOG_LEVEL=error: the test database's superuser warning aside, stderr carries nothing on a pipe.
    const run = await projectionsWith({ LOG_LEVEL: 'error' }, 'rebuild', '--tenant', tenant);

    expect(run).toMatchObject({ code: 0, stderr: '' });
    const live = await schemas.live(tenant);
    expect(live?.schema).not.toBe(schema);
    expect(run.stdout).toBe(`${tenant}: live schema is now ${live?.schema} at position ${live?.position} (was ${schema}, retired)\n`);
    expect((await schemas.list(tenant)).find((registered) => registered.schema === schema)?.status).toBe('retired');

    const onTerminal = await projectionsOnTerminal('rebuild', '--tenant', tenant);
    expect(onTerminal.code).toBe(0);
    const again = await schemas.live(tenant);
    expect(onTerminal.stdout).toMatch(new RegExp(`${tenant} rebuild \\[#+\\] 100% ${events}/${events} events \\d+ events/s ETA 0s`));
    expect(onTerminal.stdout).toContain(`${tenant}: live schema is now ${again?.schema} at position ${again?.position} (was ${live?.schema}, retired)`);
  }, 60_000);

  it('verify exits 0 on a healthy tenant and 1, naming the rows, on a corrupted one', async () => {
    const { tenant, schema } = await tenantWithStock();
    const healthy = await projections('verify', '--tenant', tenant);
    expect(healthy.code).toBe(0);
    expect(healthy.stdout).toContain(`${tenant}: ${schema} matches a rebuild at position ${await schemas.checkpoint(schema)}`);

    await database.db.none(`update ${pgp.as.name(schema)}.balances set on_hand = 1 where sku = 'BOLT' and location = 'A-01'`);
    const corrupted = await projections('verify', '--tenant', tenant);
    expect(corrupted.code).toBe(1);
    expect(corrupted.stdout).toContain(`${tenant}: ${schema} differs from a rebuild`);
    expect(corrupted.stdout).toContain('  balances: 2 differing rows\n');
    expect(corrupted.stdout).toContain('only in live    {"lot":"","sku":"BOLT","on_hand":1,"location":"A-01"}');
    expect(corrupted.stdout).toContain(`only in rebuild {"lot":"","sku":"BOLT","on_hand":${units(5)},"location":"A-01"}`);
  }, 60_000);

  it('gc prints the schemas it dropped', async () => {
    const { tenant, schema } = await tenantWithStock();
    await schemas.rebuild(tenant);
    const run = await projections('gc', '--tenant', tenant, '--grace-minutes', '0');
    expect(run).toMatchObject({ code: 0, stdout: `dropped ${schema}\n` });
    expect((await projections('gc', '--tenant', tenant)).stdout).toBe('nothing to drop\n');
  }, 60_000);
});

describe('the progress bar', () => {
  const output = (isTTY: boolean) => {
    const writes: string[] = [];
    return { writes, isTTY, write: (text: string) => writes.push(text) };
  };

  it('says how many events are done, how fast, and how long the rest will take', () => {
    expect(progressLine('acme rebuild', 500, 2000, 1000)).toBe('acme rebuild [######..................]  25% 500/2,000 events 500 events/s ETA 3s');
    expect(formatDuration(75)).toBe('1m15s');
    expect(formatDuration(3725)).toBe('1h02m');
  });

  it('prints a line every tenth when stderr is not a terminal', () => {
    const out = output(false);
    let clock = 0;
    const bar = createProgressBar('t', out, () => clock);
    for (let done = 0; done <= 1000; done += 25) {
      clock += 10;
      bar.update(done, 1000);
    }
    bar.finish();
    expect(out.writes.map((line) => line.match(/(\d+)%/)?.[1])).toEqual(['0', '10', '20', '30', '40', '50', '60', '70', '80', '90', '100']);
    expect(out.writes.every((line) => line.endsWith('\n') && !line.includes('\r'))).toBe(true);
  });

  it('redraws one line in place, at most every 100 ms, on a terminal', () => {
    const out = output(true);
    let clock = 0;
    const bar = createProgressBar('t', out, () => clock);
    for (let done = 1; done <= 100; done += 1) {
      clock += 10;
      bar.update(done, 100);
    }
    bar.finish();
    expect(out.writes.length).toBeGreaterThan(5);
    expect(out.writes.length).toBeLessThan(15);
    expect(out.writes.every((text) => text.startsWith('\r'))).toBe(true);
    expect(out.writes.join('').split('\n')).toHaveLength(2);
    expect(out.writes.at(-1)).toContain('100% 100/100 events');
  });

  it('prints nothing for a build that failed before its first batch', () => {
    for (const isTTY of [true, false]) {
      const out = output(isTTY);
      createProgressBar('t', out).finish();
      expect(out.writes).toEqual([]);
    }
  });
});
