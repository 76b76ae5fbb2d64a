import { z } from 'zod';
import { compareStockAsOf, stockAsOfFromEvents, stockDiff } from '../../../audit/stock-as-of.js';
import { fromThousandths } from '../../../domain/quantity.js';
import { stockAsOf } from '../../../projections/queries.js';
import { leaf, type CommandGroup } from '../command.js';
import { NotFound, UsageError } from '../failures.js';
import { tenantOption, timeOption } from '../inputs.js';
import { printListing } from '../output.js';
import { allPages } from '../pages.js';
import { operatorFor, withProgress } from './audit-progress.js';
import { readSchemasOf } from './projection-scope.js';

interface Line {
  readonly sku: string;
  readonly location: string;
  readonly lot: string;
  readonly onHand: number;
}

const lineColumns = [
  { heading: 'SKU', value: (row: Line) => row.sku },
  { heading: 'LOCATION', value: (row: Line) => row.location },
  { heading: 'LOT', value: (row: Line) => row.lot || '-' },
  { heading: 'ON HAND', value: (row: Line) => String(row.onHand) },
];

const asOf = leaf({
  name: 'as-of',
  summary: 'on hand per article, location and lot at a time: from the read model (auditor mode: GET /api/stock/as-of), or straight from the events, or --check that both agree (exit 1 when not); --from-events and --check in operator mode only',
  options: { at: { type: 'string' }, sku: { type: 'string' }, 'from-events': { type: 'boolean', default: false }, check: { type: 'boolean', default: false } },
  optionHelp: ['--at <ISO time>   the business time', '--sku <sku>       one article', '--from-events     fold the events instead of asking the read model', '--check           both ways, printing where they disagree'],
  modes: ['operator', 'auditor'],
  example: 'stockctl stock as-of --tenant demo --at 2026-12-01T00:00:00Z --check',
  input: z
    .object({ positionals: z.tuple([]), values: z.object({ tenant: tenantOption, at: timeOption, sku: z.string().min(1).max(200).optional(), 'from-events': z.boolean(), check: z.boolean() }) })
    .transform(({ values }) => ({ tenant: values.tenant, at: new Date(values.at), sku: values.sku, fromEvents: values['from-events'], check: values.check })),
  run: async ({ tenant, at, sku, fromEvents, check }, context) => {
    if (context.mode === 'auditor') {
      // The API serves the read model's answer only; folding the events needs the event store.
      if (fromEvents || check) throw new UsageError('--from-events and --check need the operator mode (the event store)');
      const items = await allPages<{ sku: string; location: string; lot: string | null; onHand: number }>(context.auditor(), '/api/stock/as-of', { at: at.toISOString(), sku });
      printListing(context, items.map((line) => ({ sku: line.sku, location: line.location, lot: line.lot ?? '', onHand: line.onHand })), lineColumns);
      return 0;
    }
    const operator = await operatorFor(context, tenant);
    const scope = { signal: context.signal, ...(sku === undefined ? {} : { sku }) };
    const live = fromEvents && !check ? undefined : (await readSchemasOf(operator).live(tenant))?.schema;
    if (!fromEvents || check) {
      if (live === undefined) throw new NotFound(`tenant ${tenant} has no live read schema (stockctl projections rebuild --tenant ${tenant})`);
    }
    if (check && live !== undefined) {
      const comparison = await withProgress(`${tenant} as-of check`, async ({ onProgress }) => compareStockAsOf(operator.db, live, operator.store, tenant, at, { ...scope, onProgress }));
      for (const line of comparison.disagreements) {
        const text = { sku: line.sku, location: line.location, lot: line.lot, fromEvents: fromThousandths(line.fromEvents), fromReadModel: fromThousandths(line.fromReadModel) };
        context.out(context.json ? JSON.stringify(text) : `${text.sku}  ${text.location}  ${text.lot || '-'}  events ${text.fromEvents}  read model ${text.fromReadModel}`);
      }
      context.err(`${tenant} at ${at.toISOString()}: ${comparison.fromEvents.length} balances, ${comparison.disagreements.length === 0 ? 'read model and events agree' : `${comparison.disagreements.length} disagreements`}`);
      return comparison.disagreements.length === 0 ? 0 : 1;
    }
    const lines: Line[] =
      live === undefined
        ? (await withProgress(`${tenant} as-of`, async ({ onProgress }) => stockAsOfFromEvents(operator.store, tenant, at, { ...scope, onProgress }))).map((line) => ({ ...line, onHand: fromThousandths(line.onHand) }))
        : (await stockAsOf(operator.db, live, at.toISOString(), sku === undefined ? {} : { sku })).map((line) => ({ sku: line.sku, location: line.location, lot: line.lot ?? '', onHand: fromThousandths(line.onHand) }));
    printListing(context, lines, lineColumns);
    return 0;
  },
});

const diff = leaf({
  name: 'diff',
  summary: 'what changed in real locations between two business times, each change explained by the movements in between; operator mode only',
  options: { from: { type: 'string' }, to: { type: 'string' }, sku: { type: 'string' } },
  optionHelp: ['--from <ISO time>   the earlier time (excluded)', '--to <ISO time>     the later time (included)', '--sku <sku>         one article'],
  modes: ['operator'],
  example: 'stockctl stock diff --tenant demo --from 2026-11-01T00:00:00Z --to 2026-12-01T00:00:00Z',
  input: z
    .object({ positionals: z.tuple([]), values: z.object({ tenant: tenantOption, from: timeOption, to: timeOption, sku: z.string().min(1).max(200).optional() }) })
    .refine(({ values }) => Date.parse(values.from) <= Date.parse(values.to), '--from must not be after --to')
    .transform(({ values }) => ({ tenant: values.tenant, from: new Date(values.from), to: new Date(values.to), sku: values.sku })),
  run: async ({ tenant, from, to, sku }, context) => {
    const operator = await operatorFor(context, tenant);
    const changes = await withProgress(`${tenant} stock diff`, async ({ onProgress }) => stockDiff(operator.store, tenant, from, to, { onProgress, signal: context.signal, ...(sku === undefined ? {} : { sku }) }));
    for (const change of changes) {
      const before = fromThousandths(change.before);
      const after = fromThousandths(change.after);
      if (context.json) {
        context.out(JSON.stringify({ ...change, before, after, movements: change.movements.map((movement) => ({ ...movement, quantity: fromThousandths(movement.quantity) })) }));
        continue;
      }
      context.out(`${change.sku}  ${change.location}${change.lot ? `/${change.lot}` : ''}  ${before} -> ${after}`);
      for (const movement of change.movements) context.out(`  ${movement.occurredAt}  ${movement.type}  ${movement.movementId}  by ${movement.user}  ${movement.quantity >= 0 ? '+' : ''}${fromThousandths(movement.quantity)}`);
    }
    if (!context.json && changes.length === 0) context.err('(no change)');
    return 0;
  },
});

/** `stockctl stock as-of|diff`. */
export const stockCommand: CommandGroup = { name: 'stock', summary: 'stock through time: as of an instant, and what changed between two', subcommands: [asOf, diff] };
