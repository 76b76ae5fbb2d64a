import { execFile } from 'node:child_process';
import { mkdir, open, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { isAlive } from '../../src/database/process-identity.js';

const root = path.resolve(import.meta.dirname, '../..');

/** Where the once-per-run build keeps its lock and its record, and what it runs. */
export interface OnceBuild {
  /** Held while one worker builds; names its pid, so a lock left by a killed worker is taken over. */
  readonly lockFile: string;
  /** Names the test run the dashboard was last built for. */
  readonly builtFor: string;
  readonly build: () => Promise<unknown>;
  readonly timeoutMs: number;
}

const viteBuild: OnceBuild = {
  lockFile: path.join(root, 'dist', '.web-build.lock'),
  builtFor: path.join(root, 'dist', '.web-built-for-test-run'),
  build: async () => await promisify(execFile)(process.execPath, ['node_modules/vite/bin/vite.js', 'build', '--config', 'web/vite.config.ts', '--logLevel', 'error'], { cwd: root }),
  timeoutMs: 180_000,
};

/**
 * Builds the dashboard as `npm run build` does (into dist/web, where the service serves it), once
 * per test run: browser test files in parallel workers would otherwise rebuild it side by side,
 * each emptying dist/web while the other's service serves from it. The first caller builds; the
 * others wait for its build. A build that fails is not remembered, so the next caller tries again.
 */
export async function buildDashboardOnce(options: OnceBuild = viteBuild): Promise<void> {
  const { lockFile, builtFor, build, timeoutMs } = options;
  const run = process.env.STOCKCONTROL_TEST_RUN ?? `pid-${process.pid}`;
  await mkdir(path.dirname(lockFile), { recursive: true });
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if ((await readFile(builtFor, 'utf8').catch(() => '')) === run) return;
    const lock = await open(lockFile, 'wx').catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'EEXIST') return undefined;
      throw error;
    });
    if (lock) {
      try {
        await lock.writeFile(String(process.pid));
        await rm(builtFor, { force: true });
        await build();
        await writeFile(builtFor, run);
        return;
      } finally {
        await lock.close();
        await rm(lockFile, { force: true });
      }
    }
    const holder = Number(await readFile(lockFile, 'utf8').catch(() => '0'));
    // A lock whose holder is gone (a killed run) is stale; one just made may not name its pid yet.
    if (holder > 0 && !isAlive(holder)) await rm(lockFile, { force: true });
    else await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`the dashboard was not built within ${timeoutMs} ms (is ${lockFile} left by another run?)`);
}
