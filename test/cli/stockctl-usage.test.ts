import { describe, expect, it, jest } from '@jest/globals';
import { createProgressBar } from '../../src/cli/progress-bar.js';
import { isGroup, type AnyCommand } from '../../src/cli/stockctl/command.js';
import { stockctlCommands } from '../../src/cli/stockctl/registry.js';
import { runStockctl } from '../../src/cli/stockctl/run.js';
import { closest, editDistance } from '../../src/cli/stockctl/suggestion.js';
import { stockctl } from './stockctl-process.js';

/** Every command path of the registry: `tenants`, `tenants list`, ..., `demo`. */
function paths(command: AnyCommand, prefix: string[] = []): string[][] {
  if (!isGroup(command)) return [prefix];
  return [prefix, ...command.subcommands.flatMap((sub) => paths(sub, [...prefix, sub.name]))];
}

// No database is needed for any of these: usage is checked before anything is opened.
const noDatabase = { DATABASE_URL: 'postgres://nobody:wrong@127.0.0.1:1/none' };

describe('stockctl usage', () => {
  it('answers --help for every command and subcommand with its usage, exit 0', async () => {
    // Every path through runStockctl, the function the binary runs, in this process: one spawn per
    // path (about fifty, each loading TypeScript afresh) took over two minutes on a loaded machine.
    // The real process is checked below for the root and one leaf.
    const printed: string[] = [];
    const write = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      printed.push(String(chunk));
      return true;
    });
    const runs: Array<{ path: string[]; code: number; stdout: string }> = [];
    try {
      for (const path of paths(stockctlCommands)) {
        printed.length = 0;
        const code = await runStockctl(stockctlCommands, [...path, '--help'], noDatabase);
        runs.push({ path, code, stdout: printed.join('') });
      }
    } finally {
      write.mockRestore();
    }
    expect(runs.length).toBeGreaterThan(20);
    for (const { path, code, stdout } of runs) {
      expect({ path, code }).toEqual({ path, code: 0 });
      expect(stdout).toContain(`usage: stockctl${path.map((word) => ` ${word}`).join('')}`);
      expect(stdout).toContain('exit codes: 0 ok, 1 a check failed, 2 usage, 3 unreachable or not allowed, 4 not found');
    }
    for (const path of [[], ['projections', 'status']]) {
      const run = await stockctl([...path, '--help'], noDatabase);
      expect({ path, code: run.code }).toEqual({ path, code: 0 });
      expect(run.stdout).toContain(`usage: stockctl${path.map((word) => ` ${word}`).join('')}`);
    }
  }, 120_000);

  it('suggests the closest command, subcommand and option for a typo, exit 2', async () => {
    const command = await stockctl(['tenats', 'list'], noDatabase);
    expect(command).toMatchObject({ code: 2, stdout: '' });
    expect(command.stderr).toContain('unknown command "tenats"; did you mean `stockctl tenants`?');
    const subcommand = await stockctl(['events', 'tial'], noDatabase);
    expect(subcommand.code).toBe(2);
    expect(subcommand.stderr).toContain('did you mean `stockctl events tail`?');
    const option = await stockctl(['events', 'tail', '--tenant', 'acme', '--folow'], noDatabase);
    expect(option.code).toBe(2);
    expect(option.stderr).toContain('unknown option --folow; did you mean --follow?');
    const nothingClose = await stockctl(['frobnicate'], noDatabase);
    expect(nothingClose.code).toBe(2);
    expect(nothingClose.stderr).not.toContain('did you mean');
  }, 120_000);

  it('refuses bad input and a mode the command lacks with exit 2, naming the option', async () => {
    const badInput = await stockctl(['events', 'tail', '--tenant', 'Not A Slug', '--since', 'yesterday'], noDatabase);
    expect(badInput.code).toBe(2);
    expect(badInput.stderr).toContain('--tenant must be a tenant slug');
    expect(badInput.stderr).toContain('--since must be an ISO 8601 time');
    const auditorCreate = await stockctl(['tenants', 'create', 'acme', '--company', 'Acme', '--admin-email', 'a@acme.example', '--url', 'http://127.0.0.1:1'], noDatabase);
    expect(auditorCreate.code).toBe(2);
    expect(auditorCreate.stderr).toContain('stockctl tenants create works in operator mode only');
    const noToken = await stockctl(['events', 'tail', '--tenant', 'acme', '--url', 'http://127.0.0.1:1'], noDatabase);
    expect(noToken.code).toBe(2);
    expect(noToken.stderr).toContain('STOCKCTL_TOKEN');
  }, 120_000);

  it('exits 3 when the database or the service cannot be reached', async () => {
    const database = await stockctl(['tenants', 'list'], noDatabase);
    expect(database.code).toBe(3);
    expect(database.stderr).toContain("the installation's database");
    const service = await stockctl(['events', 'tail', '--tenant', 'acme', '--url', 'http://127.0.0.1:1'], { ...noDatabase, STOCKCTL_TOKEN: 'sct_x' });
    expect(service.code).toBe(3);
    expect(service.stderr).toContain('cannot reach http://127.0.0.1:1');
  }, 120_000);
});

describe('typo suggestions', () => {
  it('counts edits and keeps only close words', () => {
    expect(editDistance('tenats', 'tenants')).toBe(1);
    expect(editDistance('', 'abc')).toBe(3);
    expect(editDistance('tial', 'tail')).toBe(1);
    expect(closest('tokns', ['tenants', 'tokens', 'users'])).toBe('tokens');
    expect(closest('proj', ['projections', 'demo'])).toBe('projections');
    expect(closest('xyz', ['tenants', 'tokens'])).toBeUndefined();
  });
});

describe('the progress bar off a terminal', () => {
  it("prints nothing on a pipe with offTerminal 'nothing', and counts in its unit on a terminal", () => {
    const pipe: string[] = [];
    const quiet = createProgressBar('demo', { isTTY: false, write: (text: string) => pipe.push(text) }, () => 0, { offTerminal: 'nothing' });
    quiet.update(5, 10);
    quiet.finish();
    expect(pipe).toEqual([]);
    const terminal: string[] = [];
    let now = 0;
    const drawn = createProgressBar('demo', { isTTY: true, write: (text: string) => terminal.push(text) }, () => now, { unit: 'days', offTerminal: 'nothing' });
    now = 1000;
    drawn.update(5, 10);
    drawn.finish();
    expect(terminal.join('')).toContain('5/10 days 5 days/s ETA 1s');
  });
});
