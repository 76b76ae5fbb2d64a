import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { newUserSchema, passwordSchema, usernameSchema } from '../../../api/schemas/tenancy.js';
import { Credentials } from '../../../tenancy/credentials.js';
import { roles } from '../../../tenancy/roles.js';
import { UserAdministration } from '../../../tenancy/user-administration.js';
import { Users, type UserInfo } from '../../../tenancy/users.js';
import { operatorActor } from '../actor.js';
import { leaf, type CommandGroup } from '../command.js';
import { tenantOption } from '../inputs.js';
import { printListing, printRecord } from '../output.js';
import { requireTenant } from '../tenant-check.js';
import { allPages } from '../pages.js';

const list = leaf({
  name: 'list',
  summary: "the tenant's users: username, email, role, status, last login",
  modes: ['operator', 'auditor'],
  example: 'stockctl users list --tenant demo',
  input: z.object({ positionals: z.tuple([]), values: z.object({ tenant: tenantOption }) }).transform(({ values }) => values),
  run: async ({ tenant }, context) => {
    let users: UserInfo[];
    if (context.mode === 'auditor') {
      users = await allPages<UserInfo>(context.auditor(), '/api/users');
    } else {
      const { db } = await context.operator();
      users = await new Users(db).list(tenant);
    }
    printListing(context, users, [
      { heading: 'USERNAME', value: (user) => user.username },
      { heading: 'EMAIL', value: (user) => user.email },
      { heading: 'ROLE', value: (user) => user.role },
      { heading: 'STATUS', value: (user) => user.status },
      { heading: 'LAST LOGIN', value: (user) => user.lastLoginAt ?? '-' },
    ]);
    return 0;
  },
});

const create = leaf({
  name: 'create',
  summary: 'adds a user to the tenant (password: STOCKCTL_PASSWORD, or a random one printed once)',
  arguments: '<username>',
  options: { email: { type: 'string' }, role: { type: 'string' } },
  optionHelp: ['--email <address>   the user\'s email', `--role <role>       ${roles.join(' | ')}`],
  modes: ['operator'],
  example: 'stockctl users create ann --tenant demo --email ann@demo.example --role auditor',
  input: z
    .object({ positionals: z.tuple([usernameSchema]), values: z.object({ tenant: tenantOption, email: newUserSchema.shape.email, role: z.enum(roles) }) })
    .transform(({ positionals, values }) => ({ username: positionals[0], ...values })),
  run: async ({ username, tenant, email, role }, context) => {
    const given = process.env.STOCKCTL_PASSWORD;
    const password = given === undefined || given === '' ? randomBytes(12).toString('base64url') : passwordSchema.parse(given);
    const { db } = await context.operator();
    await requireTenant(db, tenant);
    const user = await new Users(db).create(tenant, { username, email, password, role });
    printRecord(context, { ...user, ...(given ? {} : { password }) });
    if (!given && !context.json) context.err('the password is shown once: keep it, or reset it later');
    return 0;
  },
});

const revoke = leaf({
  name: 'revoke',
  summary: "disables a user and ends their sessions at once (through the tenant's user administration, audited)",
  arguments: '<username>',
  modes: ['operator'],
  example: 'stockctl users revoke ann --tenant demo',
  input: z.object({ positionals: z.tuple([usernameSchema]), values: z.object({ tenant: tenantOption }) }).transform(({ positionals, values }) => ({ username: positionals[0], tenant: values.tenant })),
  run: async ({ username, tenant }, context) => {
    const { db, store } = await context.operator();
    const credentials = new Credentials(db);
    const administration = new UserAdministration(db, store, credentials);
    // Disabling ends every session of the user in the same transaction (and records UserDisabled).
    const user = await administration.setStatus(operatorActor(tenant), username, 'disabled');
    printRecord(context, { username: user.username, role: user.role, status: user.status });
    return 0;
  },
});

/** `stockctl users create|list|revoke`. */
export const usersCommand: CommandGroup = { name: 'users', summary: "a tenant's users: create, list, revoke", subcommands: [create, list, revoke] };
