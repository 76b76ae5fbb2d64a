import type { Subscription } from 'rxjs';
import { z } from 'zod';
import { leaf, type CommandGroup } from '../command.js';
import { NotFound } from '../failures.js';
import type { CommandContext } from '../context.js';
import { eventById, eventsAfter, eventView, passes, tenantStream, type EventFilter, type EventView } from '../event-source.js';
import { countOption, positionOption, tenantOption, timeOption } from '../inputs.js';
import { printRecord } from '../output.js';

/** One event a line: NDJSON with --json, else position, time, type, stream and who. */
function printEvent(context: CommandContext, event: EventView): void {
  if (context.json) {
    context.out(JSON.stringify(event));
    return;
  }
  const user = typeof event.metadata.user === 'string' ? event.metadata.user : '-';
  const type = context.color ? `\x1b[36m${event.type.padEnd(26)}\x1b[0m` : event.type.padEnd(26);
  context.out(`${event.position.padStart(10)}  ${event.recordedAt}  ${type}  ${event.stream}  ${user}`);
}

/** Resolves when the signal aborts (Ctrl-C). */
function aborted(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => (signal.aborted ? resolve() : signal.addEventListener('abort', () => resolve(), { once: true })));
}

/** Prints new events as they are committed until Ctrl-C: a live subscription, or polling the API each second. */
async function follow(context: CommandContext, tenant: string, after: string, streams: readonly string[] | undefined, filter: EventFilter): Promise<void> {
  const wanted = streams?.map((name) => tenantStream(tenant, name));
  const show = (event: EventView): void => {
    if ((!wanted || wanted.includes(event.stream)) && passes(filter, event)) printEvent(context, event);
  };
  if (context.mode === 'operator') {
    const { store } = await context.operator();
    let subscription: Subscription | undefined;
    const failed = new Promise<never>((_, reject) => {
      subscription = store.subscribeTenant(tenant, { after }).subscribe({ next: (event) => show(eventView(event)), error: reject });
    });
    try {
      await Promise.race([aborted(context.signal), failed]);
    } finally {
      subscription?.unsubscribe();
    }
    return;
  }
  let last = after;
  while (!context.signal.aborted) {
    for await (const event of eventsAfter(context, tenant, last, streams)) {
      last = event.position;
      show(event);
    }
    await Promise.race([aborted(context.signal), new Promise((resolve) => setTimeout(resolve, 1000).unref())]);
  }
}

const list = (text: string | undefined): string[] | undefined => text?.split(',').map((part) => part.trim()).filter(Boolean);

const tail = leaf({
  name: 'tail',
  summary: "the tenant's latest events (or all after --after/--since), oldest first; --follow keeps printing new ones until Ctrl-C",
  options: {
    follow: { type: 'boolean', short: 'f', default: false },
    stream: { type: 'string' },
    sku: { type: 'string' },
    type: { type: 'string' },
    since: { type: 'string' },
    after: { type: 'string' },
    limit: { type: 'string' },
  },
  optionHelp: [
    '-f, --follow          keep printing events as they are committed, until Ctrl-C',
    '--stream <name>       only this stream (stock-BOLT-M8); several separated by commas',
    '--sku <sku>           only the article\'s streams (stock-<sku>, article-<sku>)',
    '--type <type>         only these event types (StockReceived,StockShipped)',
    '--since <ISO time>    only events recorded at or after that time',
    '--after <position>    only events after that position',
    '--limit <n>           at most the last n events (default 20 unless --since or --after is given)',
  ],
  modes: ['operator', 'auditor'],
  example: 'stockctl events tail --tenant demo --sku BOLT-M8 --type StockReceived --json',
  input: z
    .object({
      positionals: z.tuple([]),
      values: z.object({
        tenant: tenantOption,
        follow: z.boolean(),
        stream: z.string().min(1).optional(),
        sku: z.string().min(1).max(64).optional(),
        type: z.string().min(1).optional(),
        since: timeOption.optional(),
        after: positionOption.optional(),
        limit: countOption(1, 1_000_000).optional(),
      }),
    })
    .transform(({ values }) => ({
      ...values,
      streams: values.stream === undefined && values.sku === undefined ? undefined : [...(list(values.stream) ?? []), ...(values.sku === undefined ? [] : [`stock-${values.sku}`, `article-${values.sku}`])],
      filter: { ...(values.type === undefined ? {} : { types: list(values.type) ?? [] }), ...(values.since === undefined ? {} : { since: new Date(values.since) }) },
    })),
  run: async (input, context) => {
    const { tenant, streams, filter } = input;
    const bounded = input.after !== undefined || input.since !== undefined;
    const limit = input.limit ?? (bounded ? Number.POSITIVE_INFINITY : 20);
    // The last `limit` matches: kept in a ring while the range is read, printed oldest first.
    const kept: EventView[] = [];
    let last = input.after ?? '0';
    for await (const event of eventsAfter(context, tenant, input.after ?? '0', streams)) {
      if (context.signal.aborted) return 130;
      if (passes(filter, event)) {
        if (bounded && kept.length >= limit) break;
        kept.push(event);
        if (!bounded && kept.length > limit) kept.shift();
      }
      last = event.position;
    }
    for (const event of kept) printEvent(context, event);
    if (!input.follow) return 0;
    context.err('following new events; stop with Ctrl-C');
    await follow(context, tenant, last, streams, filter);
    return 130;
  },
});

const stream = leaf({
  name: 'stream',
  summary: 'every event of one stream in revision order (exit 4 when it has none)',
  arguments: '<name>',
  modes: ['operator', 'auditor'],
  example: 'stockctl events stream stock-BOLT-M8 --tenant demo',
  input: z
    .object({ positionals: z.tuple([z.string({ error: 'give the stream: <name>, e.g. stock-BOLT-M8' }).min(1)]), values: z.object({ tenant: tenantOption }) })
    .transform(({ positionals, values }) => ({ name: positionals[0], tenant: values.tenant })),
  run: async ({ name, tenant }, context) => {
    if (tenantStream(tenant, name) === undefined) throw new NotFound(`${name} is not a stream name (<category>-<id>, e.g. stock-BOLT-M8)`);
    let count = 0;
    for await (const event of eventsAfter(context, tenant, '0', [name])) {
      printEvent(context, event);
      count += 1;
    }
    if (count === 0) throw new NotFound(`tenant ${tenant} has no stream ${name}`);
    return 0;
  },
});

const show = leaf({
  name: 'show',
  summary: 'one event by its id, with its data and metadata (exit 4 when the tenant has none)',
  arguments: '<event id>',
  modes: ['operator', 'auditor'],
  example: 'stockctl events show 0b6f3c1e-0000-4000-8000-000000000000 --tenant demo',
  input: z.object({ positionals: z.tuple([z.uuid('must be an event id (a uuid)')]), values: z.object({ tenant: tenantOption }) }).transform(({ positionals, values }) => ({ id: positionals[0], tenant: values.tenant })),
  run: async ({ id, tenant }, context) => {
    const event = await eventById(context, tenant, id);
    if (!event) throw new NotFound(`tenant ${tenant} has no event ${id}`);
    printRecord(context, { ...event });
    return 0;
  },
});

/** `stockctl events tail|stream|show`. */
export const eventsCommand: CommandGroup = { name: 'events', summary: "a tenant's events: tail (and follow), one stream, one event", subcommands: [tail, stream, show] };
