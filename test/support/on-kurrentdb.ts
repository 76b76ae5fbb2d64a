// Set-up file of jest's `kurrentdb` project (jest.config.js): the API files it runs put their
// events in KurrentDB (test/support/api.ts, apiEventStore). Jest gives each test file a process
// object of its own, so this does not reach the `postgres` project's files.
process.env.TEST_EVENT_STORE = 'kurrentdb';
