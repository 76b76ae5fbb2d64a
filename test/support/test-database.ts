import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { closeDatabase, openDatabase, type Database } from '../../src/database/connection.js';

/** The URL of `database` on the server of `url`. */
export function databaseUrl(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

/** The migrated template database of this test run. */
export function templateDatabaseName(): string {
  return `sc_template_${process.pid}`;
}

/** A database of one test file, dropped by drop(). */
export interface TestDatabase {
  readonly name: string;
  readonly url: string;
  readonly db: Database;
  drop(): Promise<void>;
}

function adminUrl(): string {
  const url = process.env.STOCKCONTROL_TEST_ADMIN_URL;
  if (!url) throw new Error('STOCKCONTROL_TEST_ADMIN_URL is not set: run the tests with `npm test`');
  return url;
}

async function withAdmin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl() });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/**
 * Creates a database of its own for one test file: a copy of the migrated template, or an empty
 * database with `{ migrated: false }`.
 */
export async function createTestDatabase(options: { migrated?: boolean; poolSize?: number } = {}): Promise<TestDatabase> {
  const name = `t_${randomBytes(6).toString('hex')}`;
  const template = options.migrated === false ? 'template0' : process.env.STOCKCONTROL_TEST_TEMPLATE;
  if (!template) throw new Error('STOCKCONTROL_TEST_TEMPLATE is not set: run the tests with `npm test`');
  await withAdmin((client) => client.query(`create database ${pg.escapeIdentifier(name)} template ${pg.escapeIdentifier(template)}`));
  const url = databaseUrl(adminUrl(), name);
  const db = openDatabase(url, { max: options.poolSize ?? 20, applicationName: 'stockcontrol-test' });
  return {
    name,
    url,
    db,
    drop: async () => {
      await closeDatabase(db);
      await withAdmin((client) => client.query(`drop database if exists ${pg.escapeIdentifier(name)} with (force)`));
    },
  };
}
