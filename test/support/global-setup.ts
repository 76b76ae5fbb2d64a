import { migrate } from '../../src/database/migrations.js';
import { openDatabase } from '../../src/database/connection.js';
import { createLogger } from '../../src/logger.js';
import { startTestClusters, type TestCluster } from './test-cluster.js';
import { databaseUrl, templateDatabaseName } from './test-database.js';
import pg from 'pg';

declare global {
  var stockcontrolTestClusters: TestCluster[] | undefined;
}

/** What the set-up reads of jest's global configuration. */
interface WorkerSettings {
  readonly maxWorkers: number;
  readonly runInBand?: boolean;
  readonly detectOpenHandles?: boolean;
}

/**
 * One PostgreSQL per jest worker: embedded ones, each in a fresh temporary folder, started side by
 * side; or the one server of DATABASE_URL when set (jest.config.js then runs one worker). On each
 * server a template database is migrated once; each test file then gets its own copy of it
 * (test-database.ts), on the server of the worker that runs it (worker-cluster.ts).
 */
export default async function globalSetup(globalConfig?: WorkerSettings): Promise<void> {
  const template = templateDatabaseName();
  process.env.STOCKCONTROL_TEST_TEMPLATE = template;
  // Names this run for work done once per run by whichever worker comes first (dashboard-build.ts);
  // .ci/run names it itself, having built the dashboard already.
  process.env.STOCKCONTROL_TEST_RUN ??= `${process.pid}-${Date.now()}`;
  let adminUrls: string[];
  if (process.env.DATABASE_URL) {
    adminUrls = [process.env.DATABASE_URL];
  } else {
    // Jest runs in band with -i and with --detectOpenHandles: one worker, one server.
    const workers = globalConfig?.runInBand || globalConfig?.detectOpenHandles ? 1 : Math.max(1, globalConfig?.maxWorkers ?? 1);
    globalThis.stockcontrolTestClusters = await startTestClusters(workers);
    adminUrls = globalThis.stockcontrolTestClusters.map((cluster) => cluster.adminUrl);
  }
  process.env.STOCKCONTROL_TEST_ADMIN_URLS = JSON.stringify(adminUrls);
  // The first server for code that runs outside a worker's test file (jest in band sets it again).
  process.env.STOCKCONTROL_TEST_ADMIN_URL = adminUrls[0];
  try {
    await Promise.all(adminUrls.map((adminUrl) => migrateTemplate(adminUrl, template)));
  } catch (error) {
    // Jest skips the teardown when the set-up fails: stop the clusters here.
    await Promise.allSettled((globalThis.stockcontrolTestClusters ?? []).map((cluster) => cluster.stop()));
    globalThis.stockcontrolTestClusters = undefined;
    throw error;
  }
}

async function migrateTemplate(adminUrl: string, template: string): Promise<void> {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`drop database if exists ${pg.escapeIdentifier(template)}`);
    await admin.query(`create database ${pg.escapeIdentifier(template)}`);
  } finally {
    await admin.end();
  }
  const db = openDatabase(databaseUrl(adminUrl, template), { max: 1 });
  try {
    await migrate(db, createLogger('silent'));
  } finally {
    await db.$pool.end();
  }
}
