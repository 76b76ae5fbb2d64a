import pg from 'pg';

/** Drops the template database and stops the run's embedded PostgreSQL, if it started one. */
export default async function globalTeardown(): Promise<void> {
  const adminUrl = process.env.STOCKCONTROL_TEST_ADMIN_URL;
  const template = process.env.STOCKCONTROL_TEST_TEMPLATE;
  if (adminUrl && template && process.env.DATABASE_URL) {
    const admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    await admin.query(`drop database if exists ${pg.escapeIdentifier(template)} with (force)`).finally(() => admin.end());
  }
  await globalThis.stockcontrolTestCluster?.stop();
}
