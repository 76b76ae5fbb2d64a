import { describe, expect, it } from '@jest/globals';
import { streamName, tenantStreamPrefix } from '../../src/eventstore/stream-name.js';
import { readSchemaName } from '../../src/projections/schema-name.js';
import { isTenantSlugShape, registrableSlugSchema } from '../../src/tenancy/slug.js';

/** Whether `build` accepts `slug` (it throws on what it refuses). */
const accepts = (build: (slug: string) => unknown, slug: string): boolean => {
  try {
    build(slug);
    return true;
  } catch {
    return false;
  }
};

const samples = ['ab', 'abc', 'acme-2', 'a'.repeat(40), 'a'.repeat(41), 'acme-', 'ac--me', '2acme', 'Acme', 'a_b', 'login', 'pgsql', 'x', ''];

describe('tenant slugs: one rule', () => {
  it('stream names, tenant prefixes and read-schema names accept exactly the slugs of slug.ts shape', () => {
    for (const slug of samples) {
      const shape = isTenantSlugShape(slug);
      expect([slug, accepts((s) => streamName(s, 'stock', 'X'), slug)]).toEqual([slug, shape]);
      expect([slug, accepts(tenantStreamPrefix, slug)]).toEqual([slug, shape]);
      expect([slug, accepts((s) => readSchemaName(s, 'v1'), slug)]).toEqual([slug, shape]);
    }
  });

  it('refuses two characters everywhere: registration always required three, so no tenant has two', () => {
    expect(isTenantSlugShape('ab')).toBe(false);
    expect(() => streamName('ab', 'stock', 'X')).toThrow(/tenant/);
    expect(() => readSchemaName('ab', 'v1')).toThrow(/tenant slug/);
    expect(registrableSlugSchema.safeParse('ab').success).toBe(false);
  });

  it('registers only shaped slugs that are not reserved, and still reaches reserved ones by shape', () => {
    for (const slug of samples) {
      const registrable = isTenantSlugShape(slug) && slug !== 'login' && !slug.startsWith('pg');
      expect([slug, registrableSlugSchema.safeParse(slug).success]).toEqual([slug, registrable]);
    }
    expect(isTenantSlugShape('login')).toBe(true);
    expect(isTenantSlugShape('pgsql')).toBe(true);
  });
});
