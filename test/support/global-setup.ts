import { migrate } from '../../src/database/migrations.js';
import { openDatabase } from '../../src/database/connection.js';
import { createLogger } from '../../src/logger.js';
import { startTestCluster, type TestCluster } from './test-cluster.js';
import { databaseUrl, templateDatabaseName } from './test-database.js';
import pg from 'pg';

declare global {
  var stockcontrolTestCluster: TestCluster | undefined;
}

/**
 * One PostgreSQL for the whole test run: the embedded one in a fresh temporary folder, or the
 * server of DATABASE_URL when set. A template database is migrated once; each test file then
 * gets its own copy of it (test-database.ts).
 */
export default async function globalSetup(): Promise<void> {
  let adminUrl = process.env.DATABASE_URL;
  if (!adminUrl) {
    globalThis.stockcontrolTestCluster = await startTestCluster();
    adminUrl = globalThis.stockcontrolTestCluster.adminUrl;
  }
  const template = templateDatabaseName();
  process.env.STOCKCONTROL_TEST_ADMIN_URL = adminUrl;
  process.env.STOCKCONTROL_TEST_TEMPLATE = template;

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
