import { parseArgs } from 'node:util';
import { exitCodes, isGroup, type AnyCommand, type CommandGroup, type LeafCommand, type OptionDeclarations } from './command.js';
import { NotFound, Unreachable, UsageError } from './failures.js';
import { createCommandContext, type CommandContext } from './context.js';
import { closest } from './suggestion.js';

const globalOptions: OptionDeclarations = {
  json: { type: 'boolean', default: false },
  url: { type: 'string' },
  tenant: { type: 'string' },
  help: { type: 'boolean', short: 'h', default: false },
};

const globalHelp = [
  '--json             machine-readable output: one JSON document, or NDJSON (a JSON object a line) for listings and streams',
  '--url <base URL>   auditor mode: read through the REST API of that service (token in STOCKCTL_TOKEN)',
  '--tenant <slug>    the tenant (sent as X-Tenant in auditor mode)',
  '-h, --help         this help',
];

const exitCodeHelp = 'exit codes: 0 ok, 1 a check failed, 2 usage, 3 unreachable or not allowed, 4 not found, 130 interrupted';

/** The help of a group (the root is the group of every command). */
function groupHelp(path: readonly string[], group: CommandGroup): string {
  const width = Math.max(...group.subcommands.map((command) => command.name.length));
  const lines = group.subcommands.map((command) => `  ${command.name.padEnd(width)}  ${command.summary}`);
  const where = ['stockctl', ...path].join(' ');
  return [
    `usage: ${where} <${path.length === 0 ? 'command' : 'subcommand'}> [options]`,
    ...(path.length === 0 ? [] : ['', group.summary]),
    '',
    `${path.length === 0 ? 'commands' : 'subcommands'}:`,
    ...lines,
    '',
    'global options:',
    ...globalHelp.map((line) => `  ${line}`),
    '',
    `\`${where} <${path.length === 0 ? 'command' : 'subcommand'}> --help\` tells more.`,
    exitCodeHelp,
  ].join('\n');
}

/** The help of a command that runs. */
function leafHelp(path: readonly string[], command: LeafCommand<never>): string {
  return [
    `usage: stockctl ${path.join(' ')}${command.arguments ? ` ${command.arguments}` : ''} [options]`,
    '',
    command.summary,
    '',
    `modes: ${command.modes.join(', ')}${command.modes.length === 1 ? ' only' : ''}`,
    '',
    'options:',
    ...(command.optionHelp ?? []).map((line) => `  ${line}`),
    ...globalHelp.map((line) => `  ${line}`),
    '',
    'example:',
    `  ${command.example}`,
    '',
    exitCodeHelp,
  ].join('\n');
}

/** Where a usage error sends the user: the help of the command they were typing. */
function helpHint(path: readonly string[]): string {
  return `see \`${['stockctl', ...path].join(' ')} --help\``;
}

/** The unknown word's error, with the closest known word when it looks like a typo. */
function unknownCommand(path: readonly string[], typed: string, group: CommandGroup): UsageError {
  const suggestion = closest(
    typed,
    group.subcommands.map((command) => command.name),
  );
  const where = ['stockctl', ...path].join(' ');
  return new UsageError(`unknown ${path.length === 0 ? 'command' : `subcommand of ${path.join(' ')}`} "${typed}"${suggestion ? `; did you mean \`${where} ${suggestion}\`?` : ''}`, helpHint(path));
}

/** Parses a leaf's options and arguments; throws UsageError naming what was wrong. */
function parseLeaf(path: readonly string[], command: LeafCommand<never>, args: readonly string[]): { values: Record<string, unknown>; positionals: string[] } {
  const options = { ...globalOptions, ...command.options };
  try {
    const parsed = parseArgs({ args: [...args], options, allowPositionals: true, strict: true });
    return { values: parsed.values as Record<string, unknown>, positionals: parsed.positionals };
  } catch (error) {
    const message = (error as Error).message;
    const unknown = /^Unknown option '(-{1,2}[^' ]+)'/.exec(message)?.[1];
    if (unknown === undefined) throw new UsageError(message, helpHint(path));
    const suggestion = unknown.startsWith('--') ? closest(unknown.slice(2), Object.keys(options)) : undefined;
    throw new UsageError(`unknown option ${unknown}${suggestion ? `; did you mean --${suggestion}?` : ''}`, helpHint(path));
  }
}

interface Resolved {
  readonly path: string[];
  readonly command: AnyCommand;
  readonly rest: string[];
}

/** Follows the leading words of the command line down the registry. */
function resolve(root: CommandGroup, argv: readonly string[]): Resolved {
  const path: string[] = [];
  let command: AnyCommand = root;
  let index = 0;
  while (isGroup(command)) {
    const word = argv[index];
    if (word === undefined || word.startsWith('-')) break;
    const next: AnyCommand | undefined = command.subcommands.find((candidate) => candidate.name === word);
    if (!next) throw unknownCommand(path, word, command);
    path.push(word);
    command = next;
    index += 1;
  }
  return { path, command, rest: argv.slice(index) };
}

/** An input issue as the command line shows it: `--sku must be ...`, `<slug> must be ...`. */
function describeIssue(issue: { readonly path: readonly PropertyKey[]; readonly message: string }): string {
  const [where, name] = issue.path;
  if (where === 'values' && name !== undefined) return `--${String(name).replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`)} ${issue.message}`;
  if (where === 'positionals') return `${name === undefined ? 'arguments' : `argument ${Number(name) + 1}`}: ${issue.message}`;
  return issue.message;
}

/** The exit code and message of a failure. */
function failure(error: unknown): { code: number; message: string } {
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof UsageError) return { code: exitCodes.usage, message };
  if (error instanceof Unreachable) return { code: exitCodes.unreachable, message };
  if (error instanceof NotFound) return { code: exitCodes.notFound, message };
  // Typed errors of src/tenancy and src/commands: an unknown thing is "not found" (exit 4).
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && /^unknown-/.test(code)) return { code: exitCodes.notFound, message };
  return { code: exitCodes.checkFailed, message };
}

/** Runs the command of `argv` against `root`: 0 ok, 1 failed, 2 usage, 3 unreachable or refused, 4 not found, 130 interrupted. */
export async function runStockctl(root: CommandGroup, argv: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  let resolved: Resolved;
  let input: unknown;
  let values: Record<string, unknown>;
  try {
    resolved = resolve(root, argv);
    const { path, command, rest } = resolved;
    if (isGroup(command)) {
      const help = groupHelp(path, command);
      const asked = rest.includes('--help') || rest.includes('-h');
      if (asked) {
        process.stdout.write(`${help}\n`);
        return exitCodes.ok;
      }
      throw new UsageError(rest.length === 0 ? `${path.length === 0 ? 'no command' : 'no subcommand'} given` : `unknown option ${rest[0] ?? ''}`, help);
    }
    const parsed = parseLeaf(path, command, rest);
    values = parsed.values;
    if (values.help === true) {
      process.stdout.write(`${leafHelp(path, command)}\n`);
      return exitCodes.ok;
    }
    const mode = values.url === undefined ? 'operator' : 'auditor';
    if (!command.modes.includes(mode)) throw new UsageError(`stockctl ${path.join(' ')} works in ${command.modes.join(' and ')} mode only${mode === 'auditor' ? ' (drop --url)' : ''}`, helpHint(path));
    const checked = command.input.safeParse(parsed);
    if (!checked.success) {
      throw new UsageError(checked.error.issues.map(describeIssue).join('; '), helpHint(path));
    }
    input = checked.data;
  } catch (error) {
    const { code, message } = failure(error);
    process.stderr.write(`stockctl: ${message}\n${error instanceof UsageError && error.usage ? `${error.usage}\n` : ''}`);
    return code;
  }
  const command = resolved.command as LeafCommand<unknown>;
  const controller = new AbortController();
  const context = createCommandContext({ json: values.json === true, url: values.url as string | undefined, tenant: values.tenant as string | undefined }, controller.signal, env);
  return await runInterruptibly(context, controller, () => command.run(input, context), resolved.path);
}

/** The command whose stdout a closed reader stops, if one runs. */
let watched: { controller: AbortController; closed: boolean } | undefined;
let watchingStdout = false;

/**
 * Stops the command when its reader goes away (`stockctl events tail | head`): writing on would
 * fail with EPIPE, which Node raises as an unhandled 'error' event with a stack trace. The command
 * is aborted as by Ctrl-C and exits 141 quietly, as a Unix tool ended by SIGPIPE. One listener for
 * the process, whichever command runs (tests run many in one process).
 */
function watchOutput(controller: AbortController): { readonly closed: boolean } {
  const state = { controller, closed: false };
  watched = state;
  if (!watchingStdout) {
    watchingStdout = true;
    process.stdout.on('error', () => {
      if (!watched) return;
      watched.closed = true;
      watched.controller.abort();
    });
  }
  return state;
}

/**
 * Runs a command with Ctrl-C (SIGINT) and SIGTERM turned into an abort of its signal: the command
 * stops at its next safe point (a transaction is committed or rolled back, never left half-done),
 * whatever was opened is closed, and the exit code is 130. A second Ctrl-C, or a command that has
 * not stopped within 5 s, ends the process at once (the open transaction is rolled back by
 * PostgreSQL when its connection goes).
 */
async function runInterruptibly(context: CommandContext, controller: AbortController, work: () => Promise<number>, path: readonly string[]): Promise<number> {
  let interrupted = false;
  const output = watchOutput(controller);
  const onSignal = (): void => {
    if (interrupted) process.exit(exitCodes.interrupted);
    interrupted = true;
    controller.abort();
    setTimeout(() => {
      void context.close().finally(() => process.exit(exitCodes.interrupted));
    }, 5_000).unref();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    // A command that stopped on the abort says how it ended: 130 when cut short, 0 when Ctrl-C
    // is its ordinary end (projections prepare, as it always has).
    const code = await work();
    return output.closed ? exitCodes.outputClosed : code;
  } catch (error) {
    if (output.closed) return exitCodes.outputClosed;
    if (interrupted) return exitCodes.interrupted;
    const { code, message } = failure(error);
    context.err(`stockctl ${path.join(' ')}: ${message}`);
    return code;
  } finally {
    await context.close();
  }
}
