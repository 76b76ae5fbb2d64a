import { z } from 'zod';
import { exportTenant } from '../../../audit/export.js';
import { tenantCompany } from '../../../tenancy/imported-tenant.js';
import { leaf } from '../command.js';
import { positionOption, tenantOption, timeOption } from '../inputs.js';
import { operatorFor, withProgress } from './audit-progress.js';

/** `stockctl export`: a tenant's events to NDJSON ending with a manifest (operator mode). */
export const exportCommand = leaf({
  name: 'export',
  summary: 'writes a tenant\'s events in position order to NDJSON (gzip when the file ends in .gz), ending with a manifest (count, head, SHA-256); operator mode only',
  arguments: '<file>',
  options: { 'to-position': { type: 'string' }, until: { type: 'string' } },
  optionHelp: ['--tenant <slug>         the tenant to export', '--to-position <p>       only events up to this position', '--until <ISO time>      only the history recorded up to this time', 'Ctrl-C removes the unfinished file'],
  modes: ['operator'],
  example: 'stockctl export --tenant demo demo.ndjson.gz',
  input: z
    .object({
      positionals: z.tuple([z.string({ error: 'give the file to write: <file>' }).min(1)]),
      values: z.object({ tenant: tenantOption, 'to-position': positionOption.optional(), until: timeOption.optional() }),
    })
    .refine(({ values }) => values['to-position'] === undefined || values.until === undefined, 'give --to-position or --until, not both')
    .transform(({ positionals, values }) => ({ file: positionals[0], tenant: values.tenant, upToPosition: values['to-position'], until: values.until })),
  run: async ({ file, tenant, upToPosition, until }, context) => {
    const operator = await operatorFor(context, tenant);
    const company = await tenantCompany(operator.db, tenant);
    const manifest = await withProgress(`${tenant} export`, async ({ onProgress }) =>
      exportTenant(operator.store, tenant, file, {
        onProgress,
        signal: context.signal,
        ...(company === undefined ? {} : { company }),
        ...(upToPosition === undefined ? {} : { upToPosition }),
        ...(until === undefined ? {} : { until: new Date(until) }),
      }),
    );
    if (context.json) context.out(JSON.stringify({ file, ...manifest }));
    else context.out(`${tenant}: ${manifest.count} events to ${file} (head ${manifest.headPosition}, sha256 ${manifest.sha256})`);
    return 0;
  },
});
