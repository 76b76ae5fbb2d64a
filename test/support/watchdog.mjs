// Stops a test run's embedded PostgreSQL when the run's process disappears (killed, crashed,
// interrupted before its teardown ran), then deletes the run's data directory.
// Usage: node watchdog.mjs <owner pid> <postgres pid> <run dir>
import { rmSync } from 'node:fs';

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

for (;;) {
  await sleep(500);
  if (alive(ownerPid)) {
    if (alive(postgresPid)) continue;
    break; // stopped by the teardown, which also deletes the folder
  }
  process.kill(postgresPid, 'SIGINT');
  for (let waited = 0; waited < 10_000 && alive(postgresPid); waited += 100) await sleep(100);
  if (alive(postgresPid)) process.kill(postgresPid, 'SIGQUIT');
  for (let waited = 0; waited < 5_000 && alive(postgresPid); waited += 100) await sleep(100);
  if (runDir) rmSync(runDir, { recursive: true, force: true });
  break;
}
