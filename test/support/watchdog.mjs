// Stops a test run's embedded PostgreSQL when the run's process disappears (killed, crashed,
// interrupted before its teardown ran), then deletes the run's data directory.
// Usage: node watchdog.mjs <owner pid> <postgres pid> <run dir>
import { existsSync, rmSync } from 'node:fs';

const [ownerPid, postgresPid, runDir] = [Number(process.argv[2]), Number(process.argv[3]), process.argv[4]];
const alive = (pid) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error.code === 'EPERM';
  }
};
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// Once seen gone, the server's pid is never signalled again: it may belong to another process by then.
let serverGone = !(postgresPid > 0);
const serverAlive = () => !serverGone && !(serverGone = !alive(postgresPid));

for (;;) {
  await sleep(500);
  if (runDir && !existsSync(runDir)) break; // the teardown stopped the server and deleted the folder
  serverAlive();
  // The owner may stop its server without the teardown (a SIGTERM answered by the embedded
  // server's own handler): the folder is then deleted once the owner has gone.
  if (alive(ownerPid)) continue;
  if (serverAlive()) process.kill(postgresPid, 'SIGINT');
  for (let waited = 0; waited < 10_000 && serverAlive(); waited += 100) await sleep(100);
  if (serverAlive()) process.kill(postgresPid, 'SIGQUIT');
  for (let waited = 0; waited < 5_000 && serverAlive(); waited += 100) await sleep(100);
  if (runDir) rmSync(runDir, { recursive: true, force: true });
  break;
}
