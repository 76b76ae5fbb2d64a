/** @type {import('jest').Config} */
const swc = ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'es6' } }];

/** What every project's test files need: TypeScript as native ESM through swc, in Node. */
const common = {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  transform: { '^.+\\.ts$': swc },
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  // Each file on the PostgreSQL of the worker that runs it (test/support/worker-cluster.ts).
  setupFiles: ['<rootDir>/test/support/worker-cluster.ts'],
};

export default {
  // A global option: inside a project jest ignores it and gives each test its default 5 s.
  testTimeout: 30000,
  globalSetup: '<rootDir>/test/support/global-setup.mjs',
  globalTeardown: '<rootDir>/test/support/global-teardown.mjs',
  // Two test files at a time, each worker on a PostgreSQL server of its own (the global set-up
  // starts one per worker): the event store's read guard waits for the oldest writing transaction
  // of the whole server, so workers sharing one would see each other's long transactions as
  // delivery latency. The one server of DATABASE_URL is shared, so then one file at a time.
  maxWorkers: process.env.DATABASE_URL ? 1 : 2,
  projects: [
    // Every test, with the events in PostgreSQL (the default store).
    { ...common, displayName: 'postgres', testMatch: ['<rootDir>/test/**/*.test.ts'] },
    // The API suite a second time with the events in KurrentDB: the in-memory stand-in, or the real
    // server of KURRENTDB_URL when it is set (test/support/on-kurrentdb.ts). Every file that builds
    // the application through useApi (test/support/api.ts), which is what the store choice
    // switches. Left out, as they would only run again unchanged: database-availability,
    // error-logs, operations and web-assets compose their own application on PostgreSQL, and
    // kurrentdb-unavailable always points at a dead KurrentDB. `--selectProjects postgres` skips it.
    {
      ...common,
      displayName: 'kurrentdb',
      testMatch: ['<rootDir>/test/api/**/*.test.ts'],
      testPathIgnorePatterns: ['/node_modules/', 'test/api/(database-availability|error-logs|operations|web-assets|kurrentdb-unavailable)\\.test\\.ts$'],
      setupFiles: [...common.setupFiles, '<rootDir>/test/support/on-kurrentdb.ts'],
    },
  ],
};
