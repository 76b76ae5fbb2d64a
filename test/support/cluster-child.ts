// A stand-in for a test run that gets killed: starts a test cluster, prints where it is, and waits.
import { startTestCluster } from './test-cluster.js';

const cluster = await startTestCluster();
process.stdout.write(`${JSON.stringify({ runDir: cluster.runDir, postgresPid: cluster.postgresPid, watchdogPid: cluster.watchdogPid })}\n`);
setInterval(() => undefined, 60_000);
