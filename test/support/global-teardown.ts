import pg from 'pg';

/** Drops the template database and stops the run's embedded PostgreSQL servers, if it started any. */
export default async function globalTeardown(): Promise<void> {
  const adminUrl = process.env.STOCKCONTROL_TEST_ADMIN_URL;
  const template = process.env.STOCKCONTROL_TEST_TEMPLATE;
  if (adminUrl && template && process.env.DATABASE_URL) {
    const admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    await admin.query(`drop database if exists ${pg.escapeIdentifier(template)} with (force)`).finally(() => admin.end());
  }
  // Every server is stopped, also when another one's stop fails; then the first failure is told.
  const results = await Promise.allSettled((globalThis.stockcontrolTestClusters ?? []).map((cluster) => cluster.stop()));
  globalThis.stockcontrolTestClusters = undefined;
  const failure = results.find((result) => result.status === 'rejected');
  if (failure) throw failure.reason;
}
