import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** The service started as its own process, as `npm start` starts it (from source, through tsx). */
export interface ServiceProcess {
  readonly child: ChildProcess;
  output(): string;
  /** Resolves with the exit code once the process has ended. */
  readonly exited: Promise<number | null>;
  /** Polls GET /healthz until it answers 200; rejects after timeoutMs or when the process exits. */
  waitUntilHealthy(port: number, timeoutMs?: number): Promise<number>;
}

/**
 * Starts `src/main.ts` (or another entry point of the project, such as `src/cli/migrate.ts`) with
 * the given environment (on top of this process's PATH), from this project or from `cwd`.
 */
export function startService(env: Record<string, string>, script = 'src/main.ts', args: readonly string[] = [], cwd = projectRoot): ServiceProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], {
    cwd,
    env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'info', DEMO: 'false', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let done = false;
  void exited.then(() => (done = true));
  return {
    child,
    output: () => output,
    exited,
    waitUntilHealthy: async (port, timeoutMs = 30_000) => {
      const started = Date.now();
      while (Date.now() - started < timeoutMs) {
        if (done) throw new Error(`the service exited before it was healthy:\n${output}`);
        const ok = await fetch(`http://127.0.0.1:${port}/healthz`).then(
          (response) => response.ok,
          () => false,
        );
        if (ok) return Date.now() - started;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      throw new Error(`the service did not answer /healthz within ${timeoutMs} ms:\n${output}`);
    },
  };
}
