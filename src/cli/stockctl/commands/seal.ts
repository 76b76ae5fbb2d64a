import { z } from 'zod';
import { listSeals, seal } from '../../../audit/seals.js';
import { leaf, type CommandGroup } from '../command.js';
import { tenantOption } from '../inputs.js';
import { printListing } from '../output.js';
import { operatorFor, withProgress } from './audit-progress.js';

const tenantOnly = z.object({ positionals: z.tuple([]), values: z.object({ tenant: tenantOption }) }).transform(({ values }) => values);

/** `stockctl seal`: extends the tenant's SHA-256 hash chain and stores checkpoints (operator mode). */
export const sealCommand = leaf({
  name: 'seal',
  summary: 'extends a tenant\'s SHA-256 hash chain over the events recorded since the last seal and stores checkpoints; operator mode only',
  optionHelp: ['--tenant <slug>   the tenant to seal', 'Ctrl-C keeps the checkpoints written; the next seal continues from the last'],
  modes: ['operator'],
  example: 'stockctl seal --tenant demo',
  input: tenantOnly,
  run: async ({ tenant }, context) => {
    const operator = await operatorFor(context, tenant);
    const result = await withProgress(`${tenant} seal`, async ({ onProgress }) => seal(operator.db, operator.store, tenant, { onProgress, signal: context.signal }));
    if (context.json) context.out(JSON.stringify({ tenant, sealed: result.sealed, last: result.last ?? null }));
    else if (result.last === undefined) context.out(`${tenant}: no events to seal`);
    else context.out(`${tenant}: ${result.sealed} events sealed; chain at position ${result.last.position} (${result.last.count} events): ${result.last.hash}`);
    return 0;
  },
});

const list = leaf({
  name: 'list',
  summary: 'every stored checkpoint (position, events, SHA-256, sealed at), oldest first: the lines to print and notarise; operator mode only',
  modes: ['operator'],
  example: 'stockctl seals list --tenant demo',
  input: tenantOnly,
  run: async ({ tenant }, context) => {
    const operator = await operatorFor(context, tenant);
    const checkpoints = await listSeals(operator.db, tenant);
    printListing(
      context,
      checkpoints,
      [
        { heading: 'POSITION', value: (row) => row.position },
        { heading: 'EVENTS', value: (row) => String(row.count) },
        { heading: 'SEALED AT', value: (row) => row.sealedAt.toISOString() },
        { heading: 'SHA-256', value: (row) => row.hash },
      ],
      (row) => ({ tenant, position: row.position, count: row.count, sealedAt: row.sealedAt.toISOString(), hash: row.hash }),
    );
    return 0;
  },
});

/** `stockctl seals list`. */
export const sealsCommand: CommandGroup = { name: 'seals', summary: 'the stored seal checkpoints of a tenant', subcommands: [list] };
