/**
 * The built service (`npm run build` output, as `npm start` runs it) with the demo tenant, on the
 * benchmark's database, for the browser benchmark.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The project root, from bench/web/ in the source tree or dist/bench/web/ when compiled. */
export const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), import.meta.url.includes('/dist/') ? '../../..' : '../..');

/** The running service and the demo admin it printed. */
export interface DemoService {
  readonly base: string;
  readonly username: string;
  readonly password: string;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return await new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

/** Starts dist/src/main.js with DEMO=true on `databaseUrl` and waits for it to be healthy and print the demo credentials. */
export async function startDemoService(databaseUrl: string): Promise<DemoService> {
  const port = await freePort();
  const child = spawn(process.execPath, [path.join(projectRoot, 'dist/src/main.js')], {
    cwd: projectRoot,
    env: { PATH: process.env.PATH ?? '', DATABASE_URL: databaseUrl, PORT: String(port), DEMO: 'true', LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const base = `http://localhost:${port}`;
  const started = Date.now();
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`the service exited:\n${output}`);
      if (Date.now() - started > 90_000) throw new Error(`the service did not start with the demo tenant in 90 s:\n${output}`);
      const healthy = await fetch(`${base}/healthz`).then((answer) => answer.ok, () => false);
      if (healthy && /password: \S+/.test(output)) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  } catch (error) {
    await stopChild(child);
    throw error;
  }
  return {
    base,
    username: /username: (\S+)/.exec(output)?.[1] ?? '',
    password: /password: (\S+)/.exec(output)?.[1] ?? '',
    stop: () => stopChild(child),
  };
}
