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

/**
 * A tenant slug (API.md): 3 to 40 of `[a-z0-9-]`, starting with a letter, no leading, trailing or
 * double hyphen, not reserved. The slug is also the tenant's subdomain and part of its read
 * schema names, so it is checked here and nowhere else.
 */
export const tenantSlugSchema = z
  .string()
  .min(3, 'must be at least 3 characters')
  .max(40, 'must be at most 40 characters')
  .regex(/^[a-z0-9-]*$/, 'may only contain a-z, 0-9 and -')
  .regex(/^[a-z]/, 'must start with a letter')
  .refine((slug) => !slug.endsWith('-') && !slug.includes('--'), 'may not end with a hyphen or contain two in a row')
  .refine((slug) => !reservedSlugs.has(slug) && !slug.startsWith('pg'), 'is reserved');

const slugShape = /^[a-z](?:[a-z0-9]|-(?!-))*[a-z0-9]$/;

/**
 * Whether a text has the shape of a slug, to look a tenant up by (no error details). Reserved
 * slugs pass: the list only stops new registrations, so a tenant registered before a slug was
 * added to it stays reachable.
 */
export function isTenantSlug(text: string): boolean {
  return text.length >= 3 && text.length <= 40 && slugShape.test(text);
}
