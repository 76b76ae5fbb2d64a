import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { createCommandHandlers } from '../../../commands/command-handlers.js';
import { generateDemoData } from '../../../demo/demo-data.js';
import { ReadSchemas } from '../../../projections/read-schemas.js';
import { registerTenant } from '../../../tenancy/registration.js';
import { registrableSlugSchema } from '../../../tenancy/slug.js';
import { TenantDirectory } from '../../../tenancy/tenant-directory.js';
import { Users } from '../../../tenancy/users.js';
import { createProgressBar } from '../../progress-bar.js';
import { leaf } from '../command.js';
import { countOption } from '../inputs.js';
import { printRecord } from '../output.js';
import { selectTenantExists } from '../tenants.sql.js';

/** Ctrl-C during the fill: thrown from the progress callback, between commands. */
class DemoInterrupted extends Error {
  constructor() {
    super('interrupted');
    this.name = 'DemoInterrupted';
  }
}

/** `stockctl demo --tenant <slug>`: a tenant filled with the demo generator's warehouse and history. */
export const demoCommand = leaf({
  name: 'demo',
  summary: 'fills a tenant (created when missing, with an admin whose password is printed once) with a demo warehouse, catalog and months of movements',
  options: { articles: { type: 'string', default: '500' }, days: { type: 'string', default: '90' }, seed: { type: 'string', default: '1' } },
  optionHelp: [
    '--articles <n>   how many articles (default 500)',
    '--days <n>       how many days of history up to now (default 90)',
    '--seed <n>       the same seed gives the same demo (default 1)',
    '                 Ctrl-C stops between movements: each one recorded is whole; the tenant stays partly filled',
  ],
  modes: ['operator'],
  example: 'stockctl demo --tenant trial --articles 50 --days 30 --seed 7',
  input: z
    .object({ positionals: z.tuple([]), values: z.object({ tenant: registrableSlugSchema, articles: countOption(1, 100_000), days: countOption(1, 3650), seed: countOption(0, 2 ** 31) }) })
    .transform(({ values }) => values),
  run: async ({ tenant, articles, days, seed }, context) => {
    const { db, store, logger, baseDomain } = await context.operator();
    let password: string | undefined;
    if (!(await db.oneOrNone(selectTenantExists(), [tenant]))) {
      password = randomBytes(9).toString('base64url');
      await registerTenant(
        { db, users: new Users(db), readSchemas: new ReadSchemas(db, store, logger), logger, baseDomain },
        { companyName: `${tenant} demo warehouse`, tenant, email: `admin@${tenant}.example`, username: 'admin', password },
      );
    } else {
      const events = await store.countEvents(tenant);
      if (events > 0) {
        context.err(`stockctl demo: tenant ${tenant} has ${events} events already; the demo goes into a tenant without stock data`);
        return 1;
      }
    }
    // One bar per phase of the fill: locations, articles, then days of business.
    let phase = '';
    let bar = createProgressBar('', process.stderr, undefined, { offTerminal: 'nothing' });
    let summary;
    try {
      summary = await generateDemoData(createCommandHandlers(store, { policy: new TenantDirectory(db) }), {
        tenant,
        user: 'stockctl',
        seed,
        articles,
        days,
        onProgress: (done, total, what) => {
          if (context.signal.aborted) throw new DemoInterrupted();
          if (what !== phase) {
            bar.finish();
            phase = what;
            bar = createProgressBar(`demo ${tenant} ${what}`, process.stderr, undefined, { unit: what, offTerminal: 'nothing' });
          }
          bar.update(done, total);
        },
      });
    } catch (error) {
      bar.finish();
      if (error instanceof DemoInterrupted) {
        context.err(`stockctl demo: interrupted; tenant ${tenant} keeps the movements recorded so far (each one whole)`);
        return 130;
      }
      throw error;
    }
    bar.finish();
    printRecord(context, { tenant, ...summary, ...(password === undefined ? {} : { username: 'admin', password }) });
    return 0;
  },
});
