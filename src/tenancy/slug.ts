import { z } from 'zod';

/** Slugs nobody may register: they name the product's own host names. Anything starting with `pg` too. */
export const reservedSlugs: ReadonlySet<string> = new Set(['www', 'api', 'admin', 'app', 'public', 'static', 'assets', 'mail']);

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

/** Whether a text is a valid slug (no error details). */
export function isTenantSlug(text: string): boolean {
  return tenantSlugSchema.safeParse(text).success;
}
