import { z } from 'zod';
import { Credentials, type ApiTokenInfo } from '../../../tenancy/credentials.js';
import { roles } from '../../../tenancy/roles.js';
import { leaf, type CommandGroup } from '../command.js';
import { NotFound } from '../failures.js';
import { tenantOption } from '../inputs.js';
import { printListing, printRecord } from '../output.js';
import { allPages } from '../pages.js';
import { requireTenant } from '../tenant-check.js';

const create = leaf({
  name: 'create',
  summary: 'issues an API token with its own role; the secret is printed once (bootstraps an installation without the API)',
  options: { name: { type: 'string' }, role: { type: 'string' } },
  optionHelp: ['--name <text>   what the token is for (1 to 100 characters)', `--role <role>   ${roles.join(' | ')}`],
  modes: ['operator'],
  example: 'STOCKCTL_TOKEN=$(stockctl tokens create --tenant demo --name audit-2026 --role auditor --json | jq -r .token)',
  input: z
    .object({ positionals: z.tuple([]), values: z.object({ tenant: tenantOption, name: z.string({ error: 'is required' }).trim().min(1).max(100), role: z.enum(roles) }) })
    .transform(({ values }) => values),
  run: async ({ tenant, name, role }, context) => {
    const { db } = await context.operator();
    await requireTenant(db, tenant);
    const issued = await new Credentials(db).issueToken(tenant, name, role, 'stockctl');
    printRecord(context, { id: issued.id, token: issued.secret, name, role });
    if (!context.json) context.err('the token is shown once: keep it');
    return 0;
  },
});

const list = leaf({
  name: 'list',
  summary: "the tenant's API tokens, newest first, revoked ones included (never their secrets)",
  modes: ['operator', 'auditor'],
  example: 'stockctl tokens list --tenant demo',
  input: z.object({ positionals: z.tuple([]), values: z.object({ tenant: tenantOption }) }).transform(({ values }) => values),
  run: async ({ tenant }, context) => {
    let tokens: ApiTokenInfo[];
    if (context.mode === 'auditor') {
      tokens = await allPages<ApiTokenInfo>(context.auditor(), '/api/tokens');
    } else {
      const { db } = await context.operator();
      tokens = await new Credentials(db).listTokens(tenant);
    }
    printListing(context, tokens, [
      { heading: 'ID', value: (token) => token.id },
      { heading: 'NAME', value: (token) => token.name },
      { heading: 'ROLE', value: (token) => token.role },
      { heading: 'CREATED BY', value: (token) => token.createdBy },
      { heading: 'CREATED', value: (token) => token.createdAt },
      { heading: 'REVOKED', value: (token) => token.revokedAt ?? '-' },
    ]);
    return 0;
  },
});

const revoke = leaf({
  name: 'revoke',
  summary: 'revokes an API token at once (exit 4 when the tenant has no such token)',
  arguments: '<token id>',
  modes: ['operator'],
  example: 'stockctl tokens revoke 0b6f3c1e-0000-4000-8000-000000000000 --tenant demo',
  input: z.object({ positionals: z.tuple([z.uuid('must be a token id (a uuid)')]), values: z.object({ tenant: tenantOption }) }).transform(({ positionals, values }) => ({ id: positionals[0], tenant: values.tenant })),
  run: async ({ id, tenant }, context) => {
    const { db } = await context.operator();
    if (!(await new Credentials(db).revokeToken(tenant, id))) throw new NotFound(`tenant ${tenant} has no token ${id}`);
    printRecord(context, { id, revoked: true });
    return 0;
  },
});

/** `stockctl tokens create|list|revoke`. */
export const tokensCommand: CommandGroup = { name: 'tokens', summary: "a tenant's API tokens: create, list, revoke", subcommands: [create, list, revoke] };
