import { z } from 'zod';
import { explainStep, replayArticle } from '../../../audit/article-replay.js';
import { fromThousandths } from '../../../domain/quantity.js';
import { leaf, type CommandGroup } from '../command.js';
import { UsageError } from '../failures.js';
import { tenantOption, timeOption } from '../inputs.js';
import { operatorFor, withProgress } from './audit-progress.js';

const article = leaf({
  name: 'article',
  summary: 'replays one article up to a business time: each event, who, why, and the running balance ("why is on hand 17?"); auditor mode: the balances of GET /api/audit/articles/:sku/replay?basis=occurred (the same business time), without --explain',
  arguments: '<sku>',
  options: { at: { type: 'string' }, explain: { type: 'boolean', default: false } },
  optionHelp: ['--at <ISO time>   the business time (default now)', '--explain         one line per event with who, why and the balance after it'],
  modes: ['operator', 'auditor'],
  example: 'stockctl replay article BOLT --tenant demo --at 2026-12-01T00:00:00Z --explain',
  input: z
    .object({ positionals: z.tuple([z.string({ error: 'give the article: <sku>' }).min(1).max(200)]), values: z.object({ tenant: tenantOption, at: timeOption.optional(), explain: z.boolean() }) })
    .transform(({ positionals, values }) => ({ sku: positionals[0], tenant: values.tenant, at: values.at === undefined ? new Date() : new Date(values.at), explain: values.explain })),
  run: async ({ sku, tenant, at, explain }, context) => {
    if (context.mode === 'auditor') {
      // The API answers the folded state, not the steps: --explain needs the event store.
      if (explain) throw new UsageError('--explain needs the operator mode (the event store)');
      const state = await context.auditor().get<{ sku: string; at: string; eventsFolded: number; onHand: number; balances: { location: string; lot: string | null; onHand: number }[] }>(
        `/api/audit/articles/${encodeURIComponent(sku)}/replay`,
        // basis=occurred: the business time, as the operator mode replays, so both modes answer alike.
        { at: at.toISOString(), basis: 'occurred' },
      );
      if (context.json) context.out(JSON.stringify(state));
      else {
        context.out(`${sku} at ${state.at}: ${state.eventsFolded} events`);
        for (const line of state.balances) context.out(`  ${line.location}${line.lot ? `/${line.lot}` : ''}: ${line.onHand} on hand`);
      }
      return 0;
    }
    const operator = await operatorFor(context, tenant);
    const replay = await withProgress(`${sku} replay`, async ({ onProgress }) => replayArticle(operator.store, tenant, sku, at, { onProgress, signal: context.signal }));
    if (context.json) {
      for (const step of replay.steps) context.out(JSON.stringify(step));
      context.out(JSON.stringify({ sku, at: replay.at, onHand: replay.onHand.map((line) => ({ ...line, onHand: fromThousandths(line.onHand) })) }));
      return 0;
    }
    if (explain) for (const step of replay.steps) context.out(explainStep(step));
    context.out(`${sku} at ${replay.at}: ${replay.steps.length} events`);
    for (const line of replay.onHand) context.out(`  ${line.location}${line.lot ? `/${line.lot}` : ''}: ${fromThousandths(line.onHand)} on hand`);
    return 0;
  },
});

/** `stockctl replay article`. */
export const replayCommand: CommandGroup = { name: 'replay', summary: 'replays history up to an instant', subcommands: [article] };
