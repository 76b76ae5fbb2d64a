// A stand-in for a test run that gets killed: starts its test clusters (as many as the first
// argument says, one by default, as `npm test` would for that many workers), prints one line
// per cluster saying where it is, and waits.
import { startTestClusters } from './test-cluster.js';

const clusters = await startTestClusters(Number(process.argv[2] ?? '1'));
for (const cluster of clusters) process.stdout.write(`${JSON.stringify({ runDir: cluster.runDir, postgresPid: cluster.postgresPid, watchdogPid: cluster.watchdogPid })}\n`);
setInterval(() => undefined, 60_000);
