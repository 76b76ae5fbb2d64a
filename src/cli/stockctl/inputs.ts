import { z } from 'zod';
import { isTenantSlugShape } from '../../tenancy/slug.js';

/** The tenant a command works on (`--tenant`), as a slug; lookups accept any slug-shaped text. */
export const tenantOption = z.string({ error: 'is required: --tenant <slug>' }).refine(isTenantSlugShape, 'must be a tenant slug (a-z, 0-9 and -, starting with a letter, 3 to 40 characters)');

/** A position token (`--after`). */
export const positionOption = z.string().regex(/^\d{1,20}$/, 'must be a position (a whole number)');

/** A whole number given as text (`--limit 50`). */
export const countOption = (min: number, max: number) => z.coerce.number({ error: 'must be a number' }).int('must be a whole number').min(min).max(max);

/** An ISO 8601 time with an offset (`--since 2026-12-01T00:00:00Z`). */
export const timeOption = z.iso.datetime({ offset: true, error: 'must be an ISO 8601 time with offset, e.g. 2026-12-01T00:00:00Z' });

/** The global --json flag, which every command's input may read. */
export const jsonFlag = z.boolean().default(false);
