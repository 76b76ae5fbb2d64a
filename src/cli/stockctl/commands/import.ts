import { z } from 'zod';
import { importTenant } from '../../../audit/import.js';
import { registerImportedTenant } from '../../../tenancy/imported-tenant.js';
import { leaf } from '../command.js';
import { tenantOption } from '../inputs.js';
import { auditBar, withProgress } from './audit-progress.js';
import { readSchemasOf } from './projection-scope.js';

/** `stockctl import`: an export file into a new tenant, or into the configured store (operator mode). */
export const importCommand = leaf({
  name: 'import',
  summary: 'records an export file\'s events into a new tenant (or, without --tenant, the exported tenant of the configured store), keeping event ids, revisions and recording times, registers the tenant (no users: add them with `users create`) and builds its read model; operator mode only',
  arguments: '<file>',
  options: { 'dry-run': { type: 'boolean', default: false } },
  optionHelp: [
    '--tenant <slug>   the tenant to import into (default: the exported tenant, into the configured store: EVENT_STORE, DATABASE_URL)',
    '--dry-run         check the file (every line, the manifest\'s count and SHA-256) and write nothing',
    'Each batch of 5,000 events is one transaction: Ctrl-C keeps the batches recorded; rerun the same command to resume (nothing is recorded twice)',
  ],
  modes: ['operator'],
  example: 'stockctl import demo.ndjson.gz --tenant demo-copy --dry-run',
  input: z
    .object({ positionals: z.tuple([z.string({ error: 'give the export file: <file>' }).min(1)]), values: z.object({ tenant: tenantOption.optional(), 'dry-run': z.boolean() }) })
    .transform(({ positionals, values }) => ({ file: positionals[0], tenant: values.tenant, dryRun: values['dry-run'] })),
  run: async ({ file, tenant, dryRun }, context) => {
    const operator = await context.operator();
    const result = await withProgress(dryRun ? 'import check' : 'import', async ({ onProgress }) =>
      importTenant(operator.store, file, { onProgress, signal: context.signal, dryRun, ...(tenant === undefined ? {} : { tenant }) }),
    );
    let schema: string | undefined;
    if (!dryRun) {
      // Registered as exported (company name, negative-stock setting, subdomain), so the API serves it once it has users.
      await registerImportedTenant(operator.db, result.tenant, result.company, operator.baseDomain);
      // The imported history gets its read model at once, so the tenant reads (and verifies) like any other.
      const bar = auditBar(`${result.tenant} read model`);
      try {
        schema = (await readSchemasOf(operator).rebuild(result.tenant, { onProgress: ({ events, total }) => bar.update(events, total) })).schema;
      } finally {
        bar.finish();
      }
    }
    if (context.json) context.out(JSON.stringify({ ...result, ...(schema === undefined ? {} : { schema }) }));
    else if (dryRun) context.out(`${file}: ${result.events} events of ${result.sourceTenant}, sound; nothing written (dry run)`);
    else context.out(`${result.tenant}: ${result.appended} events recorded, ${result.alreadyStored} already stored (of ${result.events} from ${result.sourceTenant}); read schema ${schema ?? '-'}`);
    return 0;
  },
});
