import { z } from 'zod';
import { fromThousandths } from '../../../domain/quantity.js';
import { leaf, type CommandGroup } from '../command.js';
import { NotFound } from '../failures.js';
import type { CommandContext } from '../context.js';
import { eventsAfter, type EventView } from '../event-source.js';
import { tenantOption } from '../inputs.js';

interface MovementLine {
  readonly line: number;
  readonly sku: string;
  readonly from?: string;
  readonly to?: string;
  readonly quantity: number;
  readonly lot?: string;
  readonly serials?: readonly string[];
}

/** One movement as its stream `movement-<id>` records it. */
interface Movement {
  readonly movementId: string;
  readonly kind: string;
  readonly reference: string | null;
  readonly reversalOf: string | null;
  readonly reversedBy: string | null;
  readonly user: unknown;
  readonly occurredAt: unknown;
  readonly recordedAt: string;
  readonly position: string;
  readonly lines: readonly { sku: string; from: string | null; to: string | null; quantity: number; lot: string | null; serials: readonly string[] }[];
}

/** Reads one movement's stream; undefined when it was never recorded. */
async function readMovement(context: CommandContext, tenant: string, id: string): Promise<Movement | undefined> {
  const events: EventView[] = [];
  for await (const event of eventsAfter(context, tenant, '0', [`movement-${id}`])) events.push(event);
  const recorded = events.find((event) => event.type === 'MovementRecorded');
  if (!recorded) return undefined;
  const data = recorded.data as { movementId: string; kind: string; reference?: string; reversalOf?: string; lines: MovementLine[] };
  const reversed = events.find((event) => event.type === 'MovementReversed')?.data as { reversedBy?: string } | undefined;
  return {
    movementId: data.movementId,
    kind: data.kind,
    reference: data.reference ?? null,
    reversalOf: data.reversalOf ?? null,
    reversedBy: reversed?.reversedBy ?? null,
    user: recorded.metadata.user,
    occurredAt: recorded.metadata.occurredAt,
    recordedAt: recorded.recordedAt,
    position: recorded.position,
    lines: data.lines.map((line) => ({ sku: line.sku, from: line.from ?? null, to: line.to ?? null, quantity: fromThousandths(line.quantity), lot: line.lot ?? null, serials: line.serials ?? [] })),
  };
}

/**
 * The movement and its reversal chain, oldest first: back through `reversalOf` to the movement
 * first recorded, then forward through `reversedBy` (a reversal can itself be reversed).
 */
async function reversalChain(context: CommandContext, tenant: string, start: Movement): Promise<Movement[]> {
  const chain = [start];
  const seen = new Set([start.movementId]);
  for (let current = start; current.reversalOf !== null && !seen.has(current.reversalOf); ) {
    seen.add(current.reversalOf);
    const earlier = await readMovement(context, tenant, current.reversalOf);
    if (!earlier) break;
    chain.unshift(earlier);
    current = earlier;
  }
  for (let current = start; current.reversedBy !== null && !seen.has(current.reversedBy); ) {
    seen.add(current.reversedBy);
    const later = await readMovement(context, tenant, current.reversedBy);
    if (!later) break;
    chain.push(later);
    current = later;
  }
  return chain;
}

const show = leaf({
  name: 'show',
  summary: 'one movement: kind, reference, who, when, its lines, and its reversal chain (exit 4 when there is none)',
  arguments: '<movement id>',
  modes: ['operator', 'auditor'],
  example: 'stockctl movements show 0b6f3c1e-0000-4000-8000-000000000000 --tenant demo',
  input: z
    .object({ positionals: z.tuple([z.string({ error: 'give the movement: <movement id>' }).min(1).max(200)]), values: z.object({ tenant: tenantOption }) })
    .transform(({ positionals, values }) => ({ id: positionals[0], tenant: values.tenant })),
  run: async ({ id, tenant }, context) => {
    const movement = await readMovement(context, tenant, id);
    if (!movement) throw new NotFound(`tenant ${tenant} has no movement ${id}`);
    const chain = await reversalChain(context, tenant, movement);
    if (context.json) {
      context.out(JSON.stringify({ ...movement, chain: chain.map((link) => ({ movementId: link.movementId, kind: link.kind, reversalOf: link.reversalOf, reversedBy: link.reversedBy, recordedAt: link.recordedAt })) }));
      return 0;
    }
    context.out(`movement   ${movement.movementId}`);
    context.out(`kind       ${movement.kind}${movement.reference ? ` (${movement.reference})` : ''}`);
    context.out(`by         ${String(movement.user ?? '-')}`);
    context.out(`occurred   ${String(movement.occurredAt ?? '-')}`);
    context.out(`recorded   ${movement.recordedAt} at position ${movement.position}`);
    context.out('lines');
    // Aligned columns: a receipt of twenty lines is read down its SKUs and quantities.
    const cells = movement.lines.map((line) => [
      line.sku,
      String(line.quantity),
      `${line.from ?? '?'} -> ${line.to ?? '?'}`,
      `${line.lot ? `lot ${line.lot}` : ''}${line.serials.length > 0 ? `${line.lot ? '  ' : ''}serials ${line.serials.join(',')}` : ''}`,
    ]);
    const widths = [0, 1, 2].map((column) => Math.max(...cells.map((cell) => (cell[column] ?? '').length)));
    for (const [sku = '', quantity = '', route = '', rest = ''] of cells) {
      context.out(`  ${sku.padEnd(widths[0] ?? 0)}  ${quantity.padStart(widths[1] ?? 0)}  ${route.padEnd(widths[2] ?? 0)}  ${rest}`.trimEnd());
    }
    if (chain.length === 1) {
      context.out('reversals  none');
      return 0;
    }
    context.out('reversal chain (oldest first)');
    for (const link of chain) {
      const marker = link.movementId === movement.movementId ? '*' : ' ';
      context.out(` ${marker} ${link.movementId}  ${link.kind.padEnd(12)}  ${link.recordedAt}${link.reversalOf ? `  reverses ${link.reversalOf}` : ''}`);
    }
    return 0;
  },
});

/** `stockctl movements show`. */
export const movementsCommand: CommandGroup = { name: 'movements', summary: 'stock movements: show one with its reversal chain', subcommands: [show] };
