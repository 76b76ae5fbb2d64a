// Set-up file of every jest project (jest.config.js): points this test file at the PostgreSQL of
// the worker that runs it. The global set-up starts one server per worker and lists them in
// STOCKCONTROL_TEST_ADMIN_URLS; JEST_WORKER_ID counts workers from 1 (jest in band is worker 1).
// Jest gives each test file a process.env of its own, so this reaches this file alone. No imports:
// it runs before every test file, unit tests included.

/**
 * The admin URL of the server of jest worker `workerId` (from 1) among `adminUrls`, the JSON list
 * the global set-up wrote: one server per worker, shared round-robin should there be fewer.
 */
export function adminUrlOfWorker(adminUrls: string | undefined, workerId: string | undefined): string {
  if (!adminUrls) throw new Error('STOCKCONTROL_TEST_ADMIN_URLS is not set: run the tests with `npm test`');
  const urls = JSON.parse(adminUrls) as string[];
  const index = (Math.max(1, Number(workerId ?? '1')) - 1) % urls.length;
  const url = urls[index];
  if (!url) throw new Error(`no test server for jest worker ${workerId ?? '1'} among ${urls.length}`);
  return url;
}

process.env.STOCKCONTROL_TEST_ADMIN_URL = adminUrlOfWorker(process.env.STOCKCONTROL_TEST_ADMIN_URLS, process.env.JEST_WORKER_ID);
