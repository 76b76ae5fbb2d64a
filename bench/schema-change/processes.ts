/**
 * The processes of the schema-change benchmark: services (`node dist/src/main.js` of one version
 * or the other) and stockctl commands, each on the benchmark database, each stopped by its own
 * handle (SIGTERM, or SIGINT for a command that waits for Ctrl-C).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { findFreePort } from '../../src/database/tcp-port.js';

/** A service process listening on a port of its own. */
export interface ServiceProcess {
  readonly base: string;
  readonly child: ChildProcess;
  /** SIGTERM, then waits for the exit (the service drains its requests first). */
  stop(): Promise<void>;
}

/** Waits for a child's exit, however it ends. */
function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/** Starts a service of `mainScript` on the database; resolves once /healthz answers. */
export async function startService(mainScript: string, databaseUrl: string): Promise<ServiceProcess> {
  const port = await findFreePort();
  const child = spawn(process.execPath, [mainScript], {
    // A small pool each: four services, a stockctl and the benchmark share the server.
    env: { PATH: process.env.PATH ?? '', DATABASE_URL: databaseUrl, PORT: String(port), DEMO: 'false', LOG_LEVEL: 'warn', DB_POOL_SIZE: '10' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const base = `http://127.0.0.1:${port}`;
  const stop = async (): Promise<void> => {
    child.kill('SIGTERM');
    await exited(child);
  };
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      if ((await fetch(`${base}/healthz`)).ok) return { base, child, stop };
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline || child.exitCode !== null) {
      await stop();
      throw new Error(`the service ${mainScript} did not start`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** A stockctl command of one build running on the database (operator mode); its output is kept. */
export interface CommandProcess {
  readonly child: ChildProcess;
  output(): string;
  /** Ctrl-C (SIGINT), then waits for the exit. */
  interrupt(): Promise<void>;
  /** Waits for the exit; the exit code. */
  done(): Promise<number | null>;
}

/** Starts `stockctl <args>` of `stockctlScript`. */
export function startCommand(stockctlScript: string, databaseUrl: string, args: readonly string[]): CommandProcess {
  const child = spawn(process.execPath, [stockctlScript, ...args], {
    env: { PATH: process.env.PATH ?? '', DATABASE_URL: databaseUrl, LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const done = exited(child).then(() => child.exitCode);
  return {
    child,
    output: () => output,
    interrupt: async () => {
      child.kill('SIGINT');
      await done;
    },
    done: () => done,
  };
}
