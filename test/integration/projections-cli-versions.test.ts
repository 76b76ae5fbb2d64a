import { beforeAll, describe, expect, it } from '@jest/globals';
import { createLogger } from '../../src/logger.js';
import { ReadSchemas } from '../../src/projections/read-schemas.js';
import { freshTenant, metadataFor } from '../support/command-handlers.js';
import { useReadSide } from '../support/read-side.js';
import { startStockctl, stockctl, type StockctlRun } from '../cli/stockctl-process.js';

// stockctl run from an older build than the one serving a tenant (a deploy's old side, or an old
// checkout): it must not switch the tenant back to its older read model unless told to.
describe('stockctl projections from an older build', () => {
  const readSide = useReadSide();
  let newer: ReadSchemas;

  beforeAll(() => {
    const { database, store } = readSide;
    // Registered after this build's first schema: a newer version, as a later deploy's would be.
    newer = new ReadSchemas(database.db, store, createLogger('silent'), 'ffff000002');
  });

  const projections = (...args: string[]): Promise<StockctlRun> => stockctl(['projections', ...args], { DATABASE_URL: readSide.database.url });

  /** A tenant with events, built by this build first and then served by the newer version. */
  async function tenantOnNewerVersion(): Promise<string> {
    const tenant = freshTenant('older');
    await readSide.side.catalog.createLocation(metadataFor(tenant), { code: 'A-01', type: 'storage' });
    await readSide.schemas.rebuild(tenant);
    await newer.rebuild(tenant);
    expect((await readSide.schemas.live(tenant))?.version).toBe('ffff000002');
    return tenant;
  }

  it('rebuild refuses a tenant a newer version serves (exit 1, the versions named), and switches it back with --force', async () => {
    const tenant = await tenantOnNewerVersion();

    const refused = await projections('rebuild', '--tenant', tenant);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`${tenant}: rebuild refused: tenant ${tenant} is served by read-model version ffff000002, newer than this build's ${readSide.schemas.version}`);
    expect(refused.stderr).toContain('--force');
    expect((await readSide.schemas.live(tenant))?.version).toBe('ffff000002');

    const forced = await projections('rebuild', '--tenant', tenant, '--force');
    expect(forced.code).toBe(0);
    expect((await readSide.schemas.live(tenant))?.version).toBe(readSide.schemas.version);
  }, 60_000);

  it('rebuild --all rebuilds the tenants of this version and refuses only those a newer one serves', async () => {
    const served = await tenantOnNewerVersion();
    const own = freshTenant('older');
    await readSide.side.catalog.createLocation(metadataFor(own), { code: 'A-01', type: 'storage' });
    await readSide.schemas.rebuild(own);
    const before = (await readSide.schemas.live(own))?.schema;

    const run = await projections('rebuild', '--all');
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`${served}: rebuild refused`);
    expect(run.stdout).toContain(`${own}: live schema is now`);
    expect((await readSide.schemas.live(own))?.schema).not.toBe(before);
    expect((await readSide.schemas.live(served))?.version).toBe('ffff000002');
  }, 120_000);

  it('prepare refuses to build schemas that would never go live while a newer version serves a tenant', async () => {
    const tenant = await tenantOnNewerVersion();
    const child = startStockctl(['projections', 'prepare'], { DATABASE_URL: readSide.database.url });
    // A prepare that is not refused runs until Ctrl-C (exit 0): stopped here rather than hang the test.
    const stop = setTimeout(() => child.child.kill('SIGINT'), 20_000);
    const run = await child.exited;
    clearTimeout(stop);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('prepare refused:');
    expect(run.stderr).toContain(tenant);
    expect(run.stderr).toContain('--force');
  }, 60_000);
});
