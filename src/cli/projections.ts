import { parseArgs } from 'node:util';
import { destination } from 'pino';
import { z } from 'zod';
import { composeProjectionTools, openDatabase } from '../composition-root.js';
import { ConfigError, loadConfig } from '../config.js';
import type { Database } from '../database/connection.js';
import type { EventStore } from '../eventstore/event-store.js';
import { createLogger, type Logger } from '../logger.js';
import { collectGarbage } from '../projections/gc.js';
import type { ProjectorDaemon } from '../projections/daemon.js';
import type { ReadSchema, ReadSchemas } from '../projections/read-schemas.js';
import { isTenantSlugShape } from '../tenancy/slug.js';
import { verifyReadSchema } from '../projections/verify.js';
import { createProgressBar } from './progress-bar.js';
import { definedFields } from '../domain/defined-fields.js';

const usage = `usage: npm run projections -- <command> [--tenant <slug> | --all] [--grace-minutes <n>]

commands:
  status   each tenant's live read schema: version, status, position, head, lag; schemas being built or failed
  rebuild  build a new read schema beside the live one, then switch to it (reads go on meanwhile)
  verify   rebuild into a scratch schema and compare every table with the live one (exit 1 on differences)
  gc       drop retired, failed and abandoned schemas untouched for the grace period (default 60 minutes)
  prepare  build this version's schemas and keep them current while another version serves (until Ctrl-C)

status and gc cover every tenant unless --tenant is given; rebuild and verify need --tenant or --all.`;

/** The command line could not be understood (exit code 2, with the usage). */
class UsageError extends Error {
  readonly code = 'usage';
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

const argumentsSchema = z
  .object({
    command: z.enum(['status', 'rebuild', 'prepare', 'verify', 'gc'], { error: (issue) => `unknown command ${JSON.stringify(issue.input ?? '')}` }),
    tenant: z.string().refine(isTenantSlugShape, 'must be a tenant slug (a-z, 0-9 and -, starting with a letter, 3 to 40 characters)').optional(),
    all: z.boolean(),
    graceMinutes: z.coerce.number({ error: 'must be a number of minutes' }).min(0, 'must not be negative').optional(),
  })
  .superRefine((args, context) => {
    const problem = (message: string): void => context.addIssue({ code: 'custom', message });
    if (args.tenant !== undefined && args.all) problem('give --tenant or --all, not both');
    if (args.graceMinutes !== undefined && args.command !== 'gc') problem('--grace-minutes applies to gc only');
    if ((args.command === 'rebuild' || args.command === 'verify') && args.tenant === undefined && !args.all) problem(`${args.command} needs --tenant <slug> or --all`);
  });

/** What the command line asks for. */
type ProjectionsArguments = z.infer<typeof argumentsSchema>;

/** Parses `npm run projections -- ...`; throws UsageError. Undefined for --help. */
function parseProjectionsArguments(argv: readonly string[]): ProjectionsArguments | undefined {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: { tenant: { type: 'string' }, all: { type: 'boolean', default: false }, 'grace-minutes': { type: 'string' }, help: { type: 'boolean', short: 'h', default: false } },
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (parsed.values.help) return undefined;
  if (parsed.positionals.length !== 1) throw new UsageError(parsed.positionals.length === 0 ? 'no command given' : `one command at a time, not ${parsed.positionals.join(' ')}`);
  const result = argumentsSchema.safeParse({ command: parsed.positionals[0], tenant: parsed.values.tenant, all: parsed.values.all, graceMinutes: parsed.values['grace-minutes'] });
  if (!result.success) {
    const names: Record<string, string> = { tenant: '--tenant', graceMinutes: '--grace-minutes' };
    throw new UsageError(result.error.issues.map((issue) => [names[String(issue.path[0])], issue.message].filter(Boolean).join(' ')).join('; '));
  }
  return result.data;
}

interface Tools {
  readonly db: Database;
  readonly store: EventStore;
  readonly schemas: ReadSchemas;
  readonly logger: Logger;
  preparer(): ProjectorDaemon;
  out(line: string): void;
  err(line: string): void;
}

/** The tenants a command covers: the one named, or every tenant with events or a live schema. */
async function tenantsOf(db: Database, args: ProjectionsArguments): Promise<string[]> {
  if (args.tenant !== undefined) return [args.tenant];
  return await db.map('select distinct tenant from es_streams union select tenant from read_schema_live order by 1', [], (row: { tenant: string }) => row.tenant);
}

/** Why a schema stopped: its error names the event already, unless it was recorded without one. */
function failure(schema: ReadSchema): string {
  const event = schema.failedEventId ?? 'unknown';
  return schema.error?.includes(event) ? schema.error : `stopped at event ${event}: ${schema.error ?? 'no error recorded'}`;
}

async function status(tools: Tools, tenants: readonly string[]): Promise<number> {
  const { schemas, store, out } = tools;
  out(`projection version of this build: ${schemas.version}`);
  if (tenants.length === 0) out('no tenants yet');
  for (const tenant of tenants) {
    const live = await schemas.live(tenant);
    const head = await store.headPosition(tenant);
    out(`tenant ${tenant}`);
    if (live) {
      const lag = await store.countEvents(tenant, { after: live.position });
      const other = live.version === schemas.version ? '' : ', not this build';
      out(`  live      ${live.schema} (version ${live.version}${other}, ${live.status}) position ${live.position}, head ${head}, lag ${lag} events`);
      if (live.status === 'failed') out(`            ${failure(live)}`);
    } else {
      out(`  live      none (head ${head})`);
    }
    const registered = await schemas.list(tenant);
    for (const schema of registered) {
      if (schema.schema === live?.schema || (schema.status !== 'building' && schema.status !== 'failed')) continue;
      out(`  ${schema.status.padEnd(9)} ${schema.schema} (version ${schema.version}) position ${schema.position}`);
      if (schema.status === 'failed') out(`            ${failure(schema)}`);
    }
    const retired = registered.filter((schema) => schema.status === 'retired' && schema.schema !== live?.schema).length;
    if (retired > 0) out(`  retired   ${retired} schema${retired === 1 ? '' : 's'} (gc drops them after the grace period)`);
  }
  return 0;
}

async function rebuild(tools: Tools, tenants: readonly string[]): Promise<number> {
  let exitCode = 0;
  if (tenants.length === 0) tools.out('no tenants yet');
  for (const tenant of tenants) {
    const previous = (await tools.schemas.live(tenant))?.schema;
    const bar = createProgressBar(`${tenant} rebuild`);
    try {
      const rebuilt = await tools.schemas.rebuild(tenant, {
        onProgress: ({ events, total }) => {
          bar.update(events, total);
          // Ends the bar's line before the switch logs anything.
          if (events >= total) bar.finish();
        },
      });
      bar.finish();
      tools.out(`${tenant}: live schema is now ${rebuilt.schema} at position ${rebuilt.position}${previous ? ` (was ${previous}, retired)` : ''}`);
    } catch (error) {
      bar.finish();
      tools.err(`${tenant}: rebuild failed: ${(error as Error).message}`);
      exitCode = 1;
    }
  }
  return exitCode;
}

async function verify(tools: Tools, tenants: readonly string[]): Promise<number> {
  let exitCode = 0;
  if (tenants.length === 0) tools.out('no tenants yet');
  for (const tenant of tenants) {
    const bar = createProgressBar(`${tenant} scratch rebuild`);
    try {
      const result = await verifyReadSchema(tools.db, tools.schemas, tools.store, tenant, { onProgress: ({ events, total }) => bar.update(events, total) });
      bar.finish();
      if (result.ok) {
        tools.out(`${tenant}: ${result.schema} matches a rebuild at position ${result.position}`);
        continue;
      }
      exitCode = 1;
      tools.out(`${tenant}: ${result.schema} differs from a rebuild at position ${result.position}`);
      for (const [table, count] of Object.entries(result.differingRows)) {
        const rows = result.differences.filter((difference) => difference.table === table);
        tools.out(`  ${table}: ${count} differing rows${rows.length < count ? ` (${rows.length} shown)` : ''}`);
        for (const { row, only } of rows) tools.out(`    only in ${only === 'live' ? 'live   ' : 'rebuild'} ${JSON.stringify(row)}`);
      }
    } catch (error) {
      bar.finish();
      tools.err(`${tenant}: verify failed: ${(error as Error).message}`);
      exitCode = 1;
    }
  }
  return exitCode;
}

async function gc(tools: Tools, args: ProjectionsArguments): Promise<number> {
  const result = await collectGarbage(
    tools.db,
    definedFields({ graceMs: args.graceMinutes === undefined ? undefined : args.graceMinutes * 60_000, tenant: args.tenant, logger: tools.logger }),
  );
  for (const schema of result.dropped) tools.out(`dropped ${schema}`);
  if (result.dropped.length === 0) tools.out('nothing to drop');
  for (const { schema, error } of result.failed) tools.err(`could not drop ${schema}: ${error}`);
  return result.failed.length > 0 ? 1 : 0;
}

/**
 * prepare: runs the projector daemon in prepare mode (every tenant) until SIGINT or SIGTERM,
 * printing what it does for each tenant every few seconds.
 */
async function prepare(tools: Tools): Promise<number> {
  const daemon = tools.preparer();
  await daemon.start();
  tools.err(`preparing read schemas of version ${tools.schemas.version}; stop with Ctrl-C`);
  const report = (): void => {
    for (const tenant of daemon.status()) tools.err(`${tenant.tenant}: ${tenant.state}${tenant.schema ? ` ${tenant.schema}` : ''}${tenant.error ? ` (${tenant.error})` : ''}`);
  };
  await new Promise<void>((resolve) => {
    const timer = setInterval(report, 5000);
    const stop = (): void => {
      clearInterval(timer);
      resolve();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  report();
  await daemon.stop();
  return 0;
}

/** `npm run projections -- ...`: 0 done, 1 failed or differences found, 2 usage or configuration. */
async function run(argv: readonly string[]): Promise<number> {
  let args;
  let config;
  try {
    args = parseProjectionsArguments(argv);
    config = loadConfig();
  } catch (error) {
    if (error instanceof UsageError) process.stderr.write(`projections: ${error.message}\n\n${usage}\n`);
    else process.stderr.write(`${error instanceof ConfigError ? error.message : String(error)}\n`);
    return 2;
  }
  if (!args) {
    process.stdout.write(`${usage}\n`);
    return 0;
  }
  // Logs go to stderr, beside the progress bars: stdout carries only the answer.
  const logger = createLogger(config.LOG_LEVEL, 'projections', destination({ dest: 2, sync: true }));
  let database;
  try {
    ({ database } = await openDatabase(config, logger, 'stockcontrol-projections'));
  } catch (error) {
    // A DATA_DIR in use, a port taken, an embedded server that cannot run: the message says it all.
    process.stderr.write(`projections ${args.command}: ${(error as Error).message}\n`);
    return 1;
  }
  let store: EventStore | undefined;
  // Ctrl-C needs nothing here: the embedded server's own signal handler (installed when nobody
  // else handles SIGINT) stops it and exits with 130; a build cut short stays registered
  // as 'building' and gc drops it after the grace period.
  try {
    const parts = composeProjectionTools(config, logger, database.db);
    store = parts.store;
    const tools: Tools = {
      db: database.db,
      store,
      schemas: parts.schemas,
      preparer: parts.preparer,
      logger,
      out: (line) => process.stdout.write(`${line}\n`),
      err: (line) => process.stderr.write(`${line}\n`),
    };
    switch (args.command) {
      case 'status':
        return await status(tools, await tenantsOf(database.db, args));
      case 'rebuild':
        return await rebuild(tools, await tenantsOf(database.db, args));
      case 'verify':
        return await verify(tools, await tenantsOf(database.db, args));
      case 'gc':
        return await gc(tools, args);
      case 'prepare':
        return await prepare(tools);
      default: {
        const unknown: never = args.command;
        throw new Error(`no handler for ${String(unknown)}`);
      }
    }
  } catch (error) {
    process.stderr.write(`projections ${args.command}: ${(error as Error).message}\n`);
    return 1;
  } finally {
    try {
      await store?.close();
    } finally {
      await database.close();
    }
  }
}

// process.exit, not exitCode: a pool or timer left open would otherwise keep the process alive.
process.exit(await run(process.argv.slice(2)));
