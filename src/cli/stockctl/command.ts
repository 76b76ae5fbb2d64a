/**
 * What a stockctl command is, and the typed failures that decide its exit code.
 *
 * Glossary
 * - command: a word of the command line (`tenants`, `list`); a group holds subcommands, a leaf runs.
 * - mode: how the data is reached. `operator`: the installation's database (DATABASE_URL, or the
 *   embedded cluster of DATA_DIR). `auditor`: the REST API of a running service (`--url`, a bearer
 *   token in STOCKCTL_TOKEN, `--tenant` sent as X-Tenant), limited to what the token's role reads.
 */
import type { ParseArgsConfig } from 'node:util';
import type { z } from 'zod';
import type { CommandContext, Mode } from './context.js';

/** The exit codes of stockctl (README: stockctl, exit codes). */
/** 141 is 128 + SIGPIPE: what a Unix tool's shell reports when its reader closed the pipe early. */
export const exitCodes = { ok: 0, checkFailed: 1, usage: 2, unreachable: 3, notFound: 4, interrupted: 130, outputClosed: 141 } as const;

/** Options as node:util parseArgs declares them. */
export type OptionDeclarations = NonNullable<ParseArgsConfig['options']>;

/** A command that runs: its options (besides the global ones), zod-checked, and what it does. */
export interface LeafCommand<Input = unknown> {
  readonly name: string;
  readonly summary: string;
  /** The positional arguments, as shown in its usage (`<slug>`). */
  readonly arguments?: string;
  readonly options?: OptionDeclarations;
  /** One line per option for --help. */
  readonly optionHelp?: readonly string[];
  readonly modes: readonly Mode[];
  /** An example shown by --help. */
  readonly example: string;
  /** Turns the parsed values and positionals into the command's input (zod); its issues are usage errors. */
  readonly input: z.ZodType<Input>;
  run(input: Input, context: CommandContext): Promise<number>;
}

/** A command word that only holds others (`tenants` holds `list`, `show`, `create`). */
export interface CommandGroup {
  readonly name: string;
  readonly summary: string;
  readonly subcommands: readonly AnyCommand[];
}

/** A command of the registry: a group or a leaf. */
export type AnyCommand = CommandGroup | LeafCommand<never>;

/** Declares a leaf command with its input type checked against its schema. */
export function leaf<Input>(command: LeafCommand<Input>): LeafCommand<never> {
  return command as unknown as LeafCommand<never>;
}

/** Whether a command holds subcommands. */
export function isGroup(command: AnyCommand): command is CommandGroup {
  return 'subcommands' in command;
}

