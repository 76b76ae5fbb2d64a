import { z } from 'zod';
import { collectGarbage } from '../../../projections/gc.js';
import type { BuildProgress } from '../../../projections/read-schemas.js';
import { OlderVersionRefused } from '../../../projections/switch-refusals.js';
import { verifyReadSchema } from '../../../projections/verify.js';
import { createProgressBar } from '../../progress-bar.js';
import { leaf } from '../command.js';
import type { CommandContext } from '../context.js';
import { forceHelp, forceOption, OlderBuildRefused, readSchemasOf, scopeHelp, scopeOptions, scopeValues, servedByNewerVersion, tenantsOf } from './projection-scope.js';

/** --tenant or --all, one of them required. */
const requiredScope = z
  .object({ positionals: z.tuple([]), values: z.object(scopeValues) })
  .refine(({ values }) => (values.tenant === undefined) !== !values.all, 'give --tenant <slug> or --all (one of them)')
  .transform(({ values }) => values);

/** --tenant or --all as requiredScope, and --force. */
const requiredScopeWithForce = z
  .object({ positionals: z.tuple([]), values: z.object({ ...scopeValues, force: z.boolean() }) })
  .refine(({ values }) => (values.tenant === undefined) !== !values.all, 'give --tenant <slug> or --all (one of them)')
  .transform(({ values }) => values);

/** Prints a result line, or with --json the object. */
function report(context: CommandContext, json: Record<string, unknown>, text: string): void {
  context.out(context.json ? JSON.stringify(json) : text);
}

/** A progress bar of a tenant's build: on a terminal only, so a pipe carries only the answer. */
function bar(label: string): ReturnType<typeof createProgressBar> {
  return createProgressBar(label, process.stderr, undefined, { offTerminal: 'nothing' });
}

/** One build per tenant, as rebuild and verify run it. */
interface TenantBuild<Result> {
  /** What the progress bar calls the build (`rebuild`, `scratch rebuild`). */
  readonly label: string;
  /** What a failure line calls the command (`rebuild failed: ...`). */
  readonly command: string;
  run(tenant: string, onProgress: (progress: BuildProgress) => void): Promise<Result>;
  /** Prints the tenant's result once its bar has finished; false when it is a failed check (exit 1). */
  report(tenant: string, result: Result): boolean;
}

/**
 * Runs `build` for each tenant of the scope in turn, each with its progress bar. A tenant that
 * fails is reported on stderr and the next one still runs: an operator running `--all` learns
 * about every tenant, and the exit code (1) says that something failed. Ctrl-C stops before the
 * next tenant (130); the one being built is left as its command leaves it (README: stockctl).
 */
async function forEachTenant<Result>(context: CommandContext, tenant: string | undefined, build: TenantBuild<Result>): Promise<number> {
  const operator = await context.operator();
  let exitCode = 0;
  for (const name of await tenantsOf(operator, tenant)) {
    if (context.signal.aborted) return 130;
    const progress = bar(`${name} ${build.label}`);
    let result: Result;
    try {
      result = await build.run(name, ({ events, total }) => progress.update(events, total));
    } catch (error) {
      progress.finish();
      context.err(`${name}: ${build.command} ${error instanceof OlderBuildRefused ? 'refused' : 'failed'}: ${(error as Error).message}`);
      exitCode = 1;
      continue;
    }
    progress.finish();
    if (!build.report(name, result)) exitCode = 1;
  }
  return exitCode;
}

export const rebuildCommand = leaf({
  name: 'rebuild',
  summary: 'builds a new read schema beside the live one, then switches to it (reads go on meanwhile); Ctrl-C leaves the old one live',
  options: { ...scopeOptions, ...forceOption },
  optionHelp: [...scopeHelp, forceHelp],
  modes: ['operator'],
  example: 'stockctl projections rebuild --tenant demo',
  input: requiredScopeWithForce,
  run: async ({ tenant, force }, context) => {
    const operator = await context.operator();
    const schemas = readSchemasOf(operator);
    return await forEachTenant(context, tenant, {
      label: 'rebuild',
      command: 'rebuild',
      run: async (name, onProgress) => {
        const previous = (await schemas.live(name))?.schema;
        try {
          // Refused before the build and again inside the switch (a deploy may switch the tenant
          // meanwhile), unless --force: ReadSchemas.rebuild decides it.
          return { previous, rebuilt: await schemas.rebuild(name, { onProgress, force }) };
        } catch (error) {
          if (!(error instanceof OlderVersionRefused)) throw error;
          throw new OlderBuildRefused([name], [error.liveVersion], schemas.version, 'a rebuild here would switch it back to the older read model', { cause: error });
        }
      },
      report: (name, { previous, rebuilt }) => {
        report(context, { tenant: name, schema: rebuilt.schema, position: rebuilt.position, previous: previous ?? null }, `${name}: live schema is now ${rebuilt.schema} at position ${rebuilt.position}${previous ? ` (was ${previous}, retired)` : ''}`);
        return true;
      },
    });
  },
});

export const verifyCommand = leaf({
  name: 'verify',
  summary: 'rebuilds into a scratch schema and compares every table with the live one (exit 1 on differences)',
  options: scopeOptions,
  optionHelp: scopeHelp,
  modes: ['operator'],
  example: 'stockctl projections verify --all --json',
  input: requiredScope,
  run: async ({ tenant }, context) => {
    const operator = await context.operator();
    const schemas = readSchemasOf(operator);
    return await forEachTenant(context, tenant, {
      label: 'scratch rebuild',
      command: 'verify',
      run: async (name, onProgress) => await verifyReadSchema(operator.db, schemas, operator.store, name, { onProgress }),
      report: (name, result) => {
        if (context.json) {
          context.out(JSON.stringify({ tenant: name, ok: result.ok, schema: result.schema, position: result.position, differingRows: result.differingRows, differences: result.differences }));
          return result.ok;
        }
        context.out(`${name}: ${result.schema} ${result.ok ? 'matches' : 'differs from'} a rebuild at position ${result.position}`);
        for (const [table, count] of Object.entries(result.differingRows)) {
          const rows = result.differences.filter((difference) => difference.table === table);
          context.out(`  ${table}: ${count} differing rows${rows.length < count ? ` (${rows.length} shown)` : ''}`);
          for (const { row, only } of rows) context.out(`    only in ${only === 'live' ? 'live   ' : 'rebuild'} ${JSON.stringify(row)}`);
        }
        return result.ok;
      },
    });
  },
});

export const gcCommand = leaf({
  name: 'gc',
  summary: 'drops retired, failed and abandoned read schemas untouched for the grace period',
  options: { 'grace-minutes': { type: 'string' } },
  optionHelp: ['--tenant <slug>         one tenant (default: every tenant)', '--grace-minutes <n>     the grace period (default 60)'],
  modes: ['operator'],
  example: 'stockctl projections gc --grace-minutes 0',
  input: z
    .object({ positionals: z.tuple([]), values: z.object({ tenant: scopeValues.tenant, 'grace-minutes': z.coerce.number({ error: 'must be a number of minutes' }).min(0, 'must not be negative').optional() }) })
    .transform(({ values }) => ({ tenant: values.tenant, graceMinutes: values['grace-minutes'] })),
  run: async ({ tenant, graceMinutes }, context) => {
    const operator = await context.operator();
    const result = await collectGarbage(operator.db, {
      ...(graceMinutes === undefined ? {} : { graceMs: graceMinutes * 60_000 }),
      ...(tenant === undefined ? {} : { tenant }),
      logger: operator.logger,
    });
    if (context.json) context.out(JSON.stringify(result));
    else {
      for (const schema of result.dropped) context.out(`dropped ${schema}`);
      for (const { schema, reason } of result.kept) context.out(`kept ${schema}: ${reason}`);
      if (result.dropped.length === 0 && result.kept.length === 0) context.out('nothing to drop');
    }
    for (const { schema, error } of result.failed) context.err(`could not drop ${schema}: ${error}`);
    return result.failed.length > 0 ? 1 : 0;
  },
});

export const prepareCommand = leaf({
  name: 'prepare',
  summary: "builds this version's read schemas of every tenant and keeps them current while another version serves, until Ctrl-C (exit 0)",
  // --all (and --tenant) are taken as `npm run projections -- prepare --all` always took them: it covers every tenant.
  options: { ...scopeOptions, ...forceOption },
  optionHelp: ['--all     every tenant (what prepare always does)', "--force   even when a newer build's read model serves some tenant"],
  modes: ['operator'],
  example: 'stockctl projections prepare',
  input: z.object({ positionals: z.tuple([]), values: z.object({ ...scopeValues, force: z.boolean() }) }),
  run: async ({ values }, context) => {
    const operator = await context.operator();
    const schemas = readSchemasOf(operator);
    // Schemas of an older version than a live one never go live again (the daemon refuses that
    // switch): preparing them is work for nothing, and most likely the wrong build at hand.
    const newer = values.force ? undefined : await servedByNewerVersion(operator, undefined);
    if (newer && newer.tenants.length > 0) {
      context.err(`prepare refused: ${new OlderBuildRefused(newer.tenants, newer.versions, schemas.version, 'schemas prepared here would never go live').message}`);
      return 1;
    }
    const daemon = operator.preparer();
    await daemon.start();
    context.err(`preparing read schemas of version ${schemas.version}; stop with Ctrl-C`);
    const print = (): void => {
      for (const state of daemon.status()) {
        if (context.json) context.out(JSON.stringify(state));
        else context.err(`${state.tenant}: ${state.state}${state.schema ? ` ${state.schema}` : ''}${state.error ? ` (${state.error})` : ''}`);
      }
    };
    const timer = setInterval(print, 5000);
    await new Promise<void>((resolve) => (context.signal.aborted ? resolve() : context.signal.addEventListener('abort', () => resolve(), { once: true })));
    clearInterval(timer);
    print();
    await daemon.stop();
    // Stopped on request: the builds are checkpointed batch by batch and resume at the next start.
    return 0;
  },
});
