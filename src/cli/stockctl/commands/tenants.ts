import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { newUserSchema, passwordSchema, usernameSchema } from '../../../api/schemas/tenancy.js';
import { ReadSchemas } from '../../../projections/read-schemas.js';
import { registerTenant } from '../../../tenancy/registration.js';
import { isTenantSlugShape, registrableSlugSchema } from '../../../tenancy/slug.js';
import { Users } from '../../../tenancy/users.js';
import { leaf, type CommandGroup } from '../command.js';
import { NotFound } from '../failures.js';
import type { CommandContext } from '../context.js';
import { printListing, printRecord } from '../output.js';
import * as sql from '../tenants.sql.js';

interface TenantRow {
  readonly slug: string;
  readonly company_name: string;
  readonly created_at: Date;
  readonly users: number;
  readonly head_position: string;
  readonly live_schema: string | null;
}

/** A tenant as stockctl shows it (and --json prints it). */
function tenantView(row: TenantRow): Record<string, unknown> {
  return { tenant: row.slug, companyName: row.company_name, createdAt: row.created_at.toISOString(), users: row.users, headPosition: row.head_position, liveSchema: row.live_schema };
}

const list = leaf({
  name: 'list',
  summary: 'every tenant of the installation: slug, company, users, event head, live read schema',
  modes: ['operator'],
  example: 'stockctl tenants list --json',
  input: z.object({ positionals: z.tuple([]) }),
  run: async (_input, context) => {
    const { db } = await context.operator();
    const rows = await db.any<TenantRow>(sql.selectTenants());
    printListing(
      context,
      rows.map(tenantView),
      [
        { heading: 'TENANT', value: (row) => String(row.tenant) },
        { heading: 'COMPANY', value: (row) => String(row.companyName) },
        { heading: 'USERS', value: (row) => String(row.users) },
        { heading: 'HEAD', value: (row) => String(row.headPosition) },
        { heading: 'LIVE SCHEMA', value: (row) => String(row.liveSchema ?? '-') },
      ],
    );
    return 0;
  },
});

const show = leaf({
  name: 'show',
  summary: "one tenant: company, domains, users, events, head position, live read schema (exit 4 when there is none)",
  arguments: '<slug>',
  modes: ['operator'],
  example: 'stockctl tenants show demo',
  input: z.object({ positionals: z.tuple([z.string({ error: 'give the tenant: <slug>' })]) }).transform(({ positionals }) => ({ tenant: positionals[0] })),
  run: async ({ tenant }, context: CommandContext) => {
    if (!isTenantSlugShape(tenant)) throw new NotFound(`no tenant ${tenant}`);
    const { db } = await context.operator();
    const row = await db.oneOrNone<TenantRow & { domains: string[]; events: number }>(sql.selectTenant(), [tenant]);
    if (!row) throw new NotFound(`no tenant ${tenant}`);
    printRecord(context, { ...tenantView(row), domains: row.domains, events: row.events });
    return 0;
  },
});

const create = leaf({
  name: 'create',
  summary: 'registers a tenant with its domain, its first admin user and an empty live read schema (as POST /api/tenants does)',
  arguments: '<slug>',
  options: { company: { type: 'string' }, 'admin-email': { type: 'string' }, 'admin-username': { type: 'string', default: 'admin' } },
  optionHelp: [
    '--company <name>          the company name (2 to 100 characters)',
    '--admin-email <address>   the first admin\'s email',
    '--admin-username <name>   the first admin\'s username (default admin)',
    '                          password: STOCKCTL_ADMIN_PASSWORD, or a random one printed once',
  ],
  modes: ['operator'],
  example: 'stockctl tenants create acme --company "Acme Ltd" --admin-email admin@acme.example',
  input: z
    .object({
      positionals: z.tuple([registrableSlugSchema]),
      values: z.object({ company: z.string({ error: 'is required' }).trim().min(2).max(100), 'admin-email': newUserSchema.shape.email, 'admin-username': usernameSchema }),
    })
    .transform(({ positionals, values }) => ({ tenant: positionals[0], companyName: values.company, email: values['admin-email'], username: values['admin-username'] })),
  run: async (input, context) => {
    const given = process.env.STOCKCTL_ADMIN_PASSWORD;
    const password = given === undefined || given === '' ? randomBytes(12).toString('base64url') : passwordSchema.parse(given);
    const { db, store, logger, baseDomain } = await context.operator();
    const registered = await registerTenant({ db, users: new Users(db), readSchemas: new ReadSchemas(db, store, logger), logger, baseDomain }, { ...input, password });
    const answer = { tenant: registered.tenant, domain: registered.domain, username: input.username, ...(given ? {} : { password }) };
    printRecord(context, answer);
    if (!given && !context.json) context.err('the password is shown once: keep it, or reset it later');
    return 0;
  },
});

/** `stockctl tenants list|show|create`. */
export const tenantsCommand: CommandGroup = { name: 'tenants', summary: 'the tenants of the installation: list, show, create', subcommands: [list, show, create] };
