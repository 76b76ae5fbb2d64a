import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from '@jest/globals';
import { pgp } from '../../src/database/connection.js';
import { createLogger } from '../../src/logger.js';
import { ProjectorDaemon } from '../../src/projections/daemon.js';
import { readModelDdl } from '../../src/projections/read-model.sql.js';
import { ReadSchemas } from '../../src/projections/read-schemas.js';
import { freshTenant, metadataFor } from '../support/command-handlers.js';
import { useReadSide } from '../support/read-side.js';

const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const units = (n: number): number => n * 1000;
const logger = createLogger('silent');
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function eventually<T>(probe: () => Promise<T>, accept: (value: T) => boolean, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (accept(value)) return value;
    if (Date.now() > deadline) throw new Error(`not reached in ${timeoutMs} ms: ${JSON.stringify(value)}`);
    await sleep(50);
  }
}

const versionA = 'aaaa000010';
const versionB = 'bbbb000020';
/**
 * Version B's code as first shipped, with a defect: its tables refuse a row that version A's take
 * (stock in a bin whose code starts with X-), so one event of one tenant is poison to B only.
 */
const defectiveB = (schema: string): string => `${readModelDdl(schema)}\nalter table ${pgp.as.name(schema)}.balances add constraint no_x_bins check (location not like 'X-%');`;

/**
 * A deploy of a version whose build fails for one tenant (README "Changing a read model"): every
 * other tenant moves on to the new version, that tenant stays on the old one and keeps being
 * served, `stockctl projections status` names the error and the event, and the fixed code,
 * deployed under the same version, finishes it.
 */
describe('a poison tenant during a deploy', () => {
  const readSide = useReadSide();
  const daemons: ProjectorDaemon[] = [];
  afterEach(async () => {
    await Promise.all(daemons.splice(0).map((daemon) => daemon.stop()));
  });

  const start = async (schemas: ReadSchemas, mode: 'serve' | 'prepare'): Promise<ProjectorDaemon> => {
    const daemon = new ProjectorDaemon(readSide.database.db, readSide.store, schemas, logger, { mode, leaseRetryMs: 200 });
    daemons.push(daemon);
    await daemon.start();
    return daemon;
  };

  /** A tenant that received 3 bolts into `bin`, one receipt at a time. */
  async function tenantWithStock(bin: string): Promise<string> {
    const tenant = freshTenant('pz');
    const meta = metadataFor(tenant);
    await readSide.side.catalog.createLocation(meta, { code: bin, type: 'storage' });
    await readSide.side.catalog.registerArticle(meta, { sku: 'BOLT', name: 'Bolt', unit: 'pcs', tracking: 'none' });
    for (let i = 0; i < 3; i += 1) await readSide.side.stock.receive(metadataFor(tenant), { lines: [{ sku: 'BOLT', quantity: units(1), location: bin }] });
    return tenant;
  }

  const onHand = async (schema: string): Promise<number> =>
    Number((await readSide.database.db.one<{ total: string }>('select coalesce(sum(on_hand), 0)::text as total from $1:name.balances where location not like $2', [schema, '@%'])).total);

  function status(tenant: string): Promise<string> {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/stockctl.ts', 'projections', 'status', '--tenant', tenant], {
      cwd: projectRoot,
      env: { PATH: process.env.PATH ?? '', DATABASE_URL: readSide.database.url, LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    return new Promise((resolve) => child.once('close', () => resolve(stdout)));
  }

  it('the others move on, the poisoned one stays on A and is named with its event; the fix finishes it', async () => {
    const a = new ReadSchemas(readSide.database.db, readSide.store, logger, versionA);
    const healthy = [await tenantWithStock('A-01'), await tenantWithStock('B-02')];
    const poisoned = await tenantWithStock('X-13');
    await start(a, 'serve');
    for (const tenant of [...healthy, poisoned]) {
      await eventually(async () => [(await a.live(tenant))?.position, await readSide.store.headPosition(tenant)], ([applied, head]) => applied === head);
    }
    // The poisoned tenant's first receipt (into X-13) is what B refuses.
    const poisonEvent = (await readSide.database.db.one<{ id: string }>(
      "select event_id::text as id from es_events where tenant = $1 and type = 'StockReceived' order by position limit 1",
      [poisoned],
    )).id;

    // B is prepared beside A, which keeps serving.
    const b = new ReadSchemas(readSide.database.db, readSide.store, logger, versionB, defectiveB);
    const preparing = await start(b, 'prepare');
    await eventually(async () => preparing.status().find((entry) => entry.tenant === poisoned)?.state, (state) => state === 'failed');
    const failed = (await b.list(poisoned)).find((schema) => schema.version === versionB);
    expect(failed).toMatchObject({ status: 'failed', failedEventId: poisonEvent });
    // The projection stopped just before the poison event: what came before it is applied.
    expect(await onHand(failed?.schema as string)).toBe(0);
    await preparing.stop();

    // B's processes take over: every healthy tenant goes live on B, the poisoned one stays on A.
    await start(b, 'serve');
    for (const tenant of healthy) {
      const live = await eventually(() => b.live(tenant), (schema) => schema?.version === versionB);
      expect(await onHand(live?.schema as string)).toBe(units(3));
    }
    await sleep(500);
    const stillA = await a.live(poisoned);
    expect(stillA?.version).toBe(versionA);
    // A still serves it, current with the writes made meanwhile.
    await readSide.side.stock.receive(metadataFor(poisoned), { lines: [{ sku: 'BOLT', quantity: units(1), location: 'X-13' }] });
    await eventually(() => onHand(stillA?.schema as string), (total) => total === units(4));

    const printed = await status(poisoned);
    expect(printed).toContain(`failed    ${failed?.schema} (version ${versionB})`);
    expect(printed).toContain(`stopped at event ${poisonEvent}`);
    expect(printed).toContain('no_x_bins');

    // The fix, shipped under the same version (a defect of B, not a new read model): rerun, finished.
    await Promise.all(daemons.splice(0).map((daemon) => daemon.stop()));
    const fixed = new ReadSchemas(readSide.database.db, readSide.store, logger, versionB);
    await start(fixed, 'serve');
    const live = await eventually(() => fixed.live(poisoned), (schema) => schema?.version === versionB);
    expect(await onHand(live?.schema as string)).toBe(units(4));
    for (const tenant of healthy) expect((await fixed.live(tenant))?.version).toBe(versionB);
  }, 60_000);
});
