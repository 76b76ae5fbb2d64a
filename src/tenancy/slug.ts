import { z } from 'zod';

/**
 * Slugs nobody may register. A slug is a subdomain, so these would name the product's own host
 * names (API.md's list), or pages and addresses a user would take for the product's own: a
 * tenant `login` or `sso` could host a sign-in page phishing for every tenant's passwords,
 * `status` or `billing` could pose as the service's notices. Anything starting with `pg` too.
 */
export const reservedSlugs: ReadonlySet<string> = new Set([
  // API.md
  'www',
  'api',
  'admin',
  'app',
  'public',
  'static',
  'assets',
  'mail',
  // signing in and accounts
  'login',
  'logout',
  'signin',
  'signup',
  'register',
  'auth',
  'oauth',
  'sso',
  'account',
  'accounts',
  'password',
  'id',
  'identity',
  // the service's own pages and notices
  'status',
  'health',
  'help',
  'support',
  'docs',
  'doc',
  'billing',
  'pay',
  'dashboard',
  'console',
  'portal',
  'blog',
  'news',
  'security',
  'abuse',
  'legal',
  'terms',
  'privacy',
  'about',
  'contact',
  'stockcontrol',
  // host and mail names
  'localhost',
  'smtp',
  'imap',
  'pop',
  'mx',
  'ns1',
  'ns2',
  'dns',
  'ftp',
  'cdn',
  'media',
  'files',
  'postmaster',
  'hostmaster',
  'webmaster',
  'noreply',
  'no-reply',
  // environments
  'dev',
  'test',
  'staging',
  'sandbox',
  'internal',
  'root',
]);

/** The fewest and most characters of a tenant slug. */
const minLength = 3;
const maxLength = 40;

/** `[a-z0-9-]`, starting with a letter, ending with a letter or digit, no two hyphens in a row. */
const slugShape = /^[a-z](?:[a-z0-9]|-(?!-))*[a-z0-9]$/;

/**
 * A tenant slug (API.md): 3 to 40 of `[a-z0-9-]`, starting with a letter, no leading, trailing or
 * double hyphen, not reserved: what a new tenant's slug must be, with an error per broken part.
 * {@link isTenantSlugShape} is the same rule without the reserved names, for slugs that exist.
 */
export const registrableSlugSchema = z
  .string()
  .min(minLength, `must be at least ${minLength} characters`)
  .max(maxLength, `must be at most ${maxLength} characters`)
  .regex(/^[a-z0-9-]*$/, 'may only contain a-z, 0-9 and -')
  .regex(/^[a-z]/, 'must start with a letter')
  .refine((slug) => !slug.endsWith('-') && !slug.includes('--'), 'may not end with a hyphen or contain two in a row')
  .refine((slug) => !isReservedSlug(slug), 'is reserved');

/** Whether nobody may register `slug`: listed in {@link reservedSlugs} or starting with `pg`. */
function isReservedSlug(slug: string): boolean {
  return reservedSlugs.has(slug) || slug.startsWith('pg');
}

/**
 * Whether a text has the shape of a tenant slug: what every existing tenant's slug has, so what
 * X-Tenant look-ups, stream names and read-schema names accept. Reserved slugs pass: the list only
 * stops new registrations, so a tenant registered before its slug was added stays reachable.
 * Two-character slugs fail: registration has always required three, so no tenant has one.
 */
export function isTenantSlugShape(text: string): boolean {
  return text.length >= minLength && text.length <= maxLength && slugShape.test(text);
}
