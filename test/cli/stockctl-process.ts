import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** What a finished stockctl run left. */
export interface StockctlRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** A stockctl process still running (events tail --follow), with what it printed so far. */
export interface RunningStockctl {
  readonly child: ChildProcessWithoutNullStreams;
  stdout(): string;
  stderr(): string;
  readonly exited: Promise<StockctlRun>;
  /** Resolves once stdout or stderr contains `text`; rejects after timeoutMs. */
  waitFor(text: string, timeoutMs?: number): Promise<void>;
}

/** Starts `stockctl ...args` from source, as its own process, with `env` on top of PATH only. */
export function startStockctl(args: readonly string[], env: Record<string, string>): RunningStockctl {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/stockctl.ts', ...args], {
    cwd: projectRoot,
    env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'warn', ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<StockctlRun>((resolve) => child.once('close', (code) => resolve({ code, stdout, stderr })));
  return {
    child,
    stdout: () => stdout,
    stderr: () => stderr,
    exited,
    waitFor: async (text, timeoutMs = 20_000) => {
      const deadline = Date.now() + timeoutMs;
      while (!stdout.includes(text) && !stderr.includes(text)) {
        if (Date.now() > deadline) throw new Error(`stockctl did not print ${JSON.stringify(text)} within ${timeoutMs} ms:\n${stdout}\n${stderr}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
  };
}

/** Runs `stockctl ...args` to its end. */
export async function stockctl(args: readonly string[], env: Record<string, string> = {}): Promise<StockctlRun> {
  const running = startStockctl(args, env);
  running.child.stdin.end();
  return await running.exited;
}

/** The NDJSON lines of a run's stdout, parsed. */
export function ndjson(run: StockctlRun): Record<string, unknown>[] {
  return run.stdout
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}
