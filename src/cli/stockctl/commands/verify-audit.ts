import { z } from 'zod';
import { verifyEvents } from '../../../audit/verify-events.js';
import { verifySeals } from '../../../audit/seals.js';
import { leaf, type CommandGroup } from '../command.js';
import { tenantOption } from '../inputs.js';
import { operatorFor, withProgress } from './audit-progress.js';

const tenantOnly = z.object({ positionals: z.tuple([]), values: z.object({ tenant: tenantOption }) }).transform(({ values }) => values);

const events = leaf({
  name: 'events',
  summary: 'checks a tenant\'s history: no revision gaps, positions increasing, every event decodes and upcasts, moves sum to zero, serials unique (exit 1 with findings); operator mode only',
  modes: ['operator'],
  example: 'stockctl verify events --tenant demo',
  input: tenantOnly,
  run: async ({ tenant }, context) => {
    const operator = await operatorFor(context, tenant);
    const result = await withProgress(`${tenant} verify events`, async ({ onProgress }) => verifyEvents(operator.store, tenant, { onProgress, signal: context.signal }));
    if (context.json) for (const finding of result.findings) context.out(JSON.stringify(finding));
    else for (const finding of result.findings) context.out(`${finding.kind}  ${JSON.stringify(finding)}`);
    context.err(`${tenant}: ${result.events} events, ${result.findings.length} findings`);
    return result.findings.length > 0 ? 1 : 0;
  },
});

const seals = leaf({
  name: 'seals',
  summary: 'recomputes the seal hash chain from the events as they are now and names the first event that differs (exit 1); operator mode only',
  modes: ['operator'],
  example: 'stockctl verify seals --tenant demo',
  input: tenantOnly,
  run: async ({ tenant }, context) => {
    const operator = await operatorFor(context, tenant);
    const result = await withProgress(`${tenant} verify seals`, async ({ onProgress }) => verifySeals(operator.db, operator.store, tenant, { onProgress, signal: context.signal }));
    if (context.json) {
      context.out(JSON.stringify(result));
    } else if (result.ok) {
      context.out(`${tenant}: ${result.checkpointsConfirmed} of ${result.checkpoints} checkpoints confirmed over ${result.events} events, sealed up to position ${result.sealedUpTo}`);
    } else {
      const difference = result.difference;
      const what =
        difference === undefined
          ? 'a difference'
          : difference.kind === 'checkpoint'
            ? `the stored checkpoint at position ${difference.checkpoint} was changed`
            : difference.kind === 'missing'
              ? `the event at position ${difference.position} is missing (checkpoint ${difference.checkpoint})`
              : `event ${difference.eventId} at position ${difference.position} is ${difference.kind} (checkpoint ${difference.checkpoint})`;
      context.out(`${tenant}: SEAL BROKEN: ${what}; ${result.checkpointsConfirmed} of ${result.checkpoints} checkpoints confirmed before it`);
    }
    return result.ok ? 0 : 1;
  },
});

/** `stockctl verify events|seals`. */
export const verifyAuditCommand: CommandGroup = { name: 'verify', summary: 'checks of a tenant\'s history: events, seals', subcommands: [events, seals] };
