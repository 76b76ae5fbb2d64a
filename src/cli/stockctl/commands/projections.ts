import { z } from 'zod';
import type { ReadSchema } from '../../../projections/read-schema-registry.js';
import { leaf, type CommandGroup } from '../command.js';
import type { CommandContext } from '../context.js';
import { gcCommand, prepareCommand, rebuildCommand, verifyCommand } from './projection-jobs.js';
import { readSchemasOf, scopeHelp, scopeOptions, scopeValues, tenantsOf } from './projection-scope.js';

/** Why a schema stopped: its error names the event already, unless it was recorded without one. */
function failure(schema: ReadSchema): string {
  const event = schema.failedEventId ?? 'unknown';
  return schema.error?.includes(event) ? schema.error : `stopped at event ${event}: ${schema.error ?? 'no error recorded'}`;
}

interface TenantStatus {
  readonly tenant: string;
  readonly live: (ReadSchema & { readonly headPosition: string; readonly lagEvents: number; readonly thisBuild: boolean }) | null;
  readonly headPosition: string;
  readonly others: readonly ReadSchema[];
  readonly retired: number;
}

/** Prints one tenant's status as `npm run projections -- status` always has. */
function printStatus(context: CommandContext, status: TenantStatus): void {
  const { live } = status;
  context.out(`tenant ${status.tenant}`);
  if (live) {
    const other = live.thisBuild ? '' : ', not this build';
    context.out(`  live      ${live.schema} (version ${live.version}${other}, ${live.status}) position ${live.position}, head ${live.headPosition}, lag ${live.lagEvents} events`);
    if (live.status === 'failed') context.out(`            ${failure(live)}`);
  } else {
    context.out(`  live      none (head ${status.headPosition})`);
  }
  for (const schema of status.others) {
    context.out(`  ${schema.status.padEnd(9)} ${schema.schema} (version ${schema.version}) position ${schema.position}`);
    if (schema.status === 'failed') context.out(`            ${failure(schema)}`);
  }
  if (status.retired > 0) context.out(`  retired   ${status.retired} schema${status.retired === 1 ? '' : 's'} (gc drops them after the grace period)`);
}

const status = leaf({
  name: 'status',
  summary: "each tenant's live read schema: version, status, position, head, lag; schemas being built or failed",
  options: scopeOptions,
  optionHelp: [...scopeHelp, '(every tenant when neither is given; auditor mode: GET /api/admin/projections, admin tokens only)'],
  modes: ['operator', 'auditor'],
  example: 'stockctl projections status --tenant demo --json',
  input: z.object({ positionals: z.tuple([]), values: z.object(scopeValues) }).transform(({ values }) => values),
  run: async ({ tenant }, context) => {
    if (context.mode === 'auditor') {
      const answer = await context.auditor().get<unknown>('/api/admin/projections');
      context.out(context.json ? JSON.stringify(answer) : JSON.stringify(answer, null, 2));
      return 0;
    }
    const operator = await context.operator();
    const schemas = readSchemasOf(operator);
    const tenants = await tenantsOf(operator, tenant);
    if (!context.json) context.out(`projection version of this build: ${schemas.version}`);
    if (tenants.length === 0 && !context.json) context.out('no tenants yet');
    for (const name of tenants) {
      const live = await schemas.live(name);
      const headPosition = await operator.store.headPosition(name);
      const registered = await schemas.list(name);
      const result: TenantStatus = {
        tenant: name,
        headPosition,
        live: live ? { ...live, headPosition, lagEvents: await operator.store.countEvents(name, { after: live.position }), thisBuild: live.version === schemas.version } : null,
        others: registered.filter((schema) => schema.schema !== live?.schema && (schema.status === 'building' || schema.status === 'failed')),
        retired: registered.filter((schema) => schema.status === 'retired' && schema.schema !== live?.schema).length,
      };
      if (context.json) context.out(JSON.stringify({ ...result, version: schemas.version }));
      else printStatus(context, result);
    }
    return 0;
  },
});

/** `stockctl projections status|rebuild|prepare|verify|gc` (what `npm run projections` runs). */
export const projectionsCommand: CommandGroup = {
  name: 'projections',
  summary: 'the read models: status, rebuild, prepare, verify, gc',
  subcommands: [status, rebuildCommand, prepareCommand, verifyCommand, gcCommand],
};
