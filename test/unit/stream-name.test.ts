import { describe, expect, it } from '@jest/globals';
import { parseStreamName, streamName, tenantStreamPrefix } from '../../src/eventstore/stream-name.js';

describe('stream names', () => {
  it('are <tenant>:<category>-<id>', () => {
    expect(streamName('isd', 'stock', 'BOLT-M8')).toBe('isd:stock-BOLT-M8');
    expect(streamName('isd', 'location', 'A-01-02')).toBe('isd:location-A-01-02');
  });

  it('parse back into their parts, ids with hyphens included', () => {
    expect(parseStreamName('acme-2:article-BOLT-M8')).toEqual({ tenant: 'acme-2', category: 'article', id: 'BOLT-M8' });
    expect(parseStreamName('nocolon')).toBeUndefined();
    expect(parseStreamName('isd:stock')).toBeUndefined();
    expect(parseStreamName('ISD:stock-X')).toBeUndefined();
  });

  it('refuse invalid tenants, categories and empty ids', () => {
    expect(() => streamName('Acme', 'stock', 'X')).toThrow(/tenant/);
    expect(() => streamName('a:b', 'stock', 'X')).toThrow(/tenant/);
    expect(() => streamName('acme', 'stock-x', 'X')).toThrow(/category/);
    expect(() => streamName('acme', 'stock', '')).toThrow(/empty/);
  });

  it("give each tenant a prefix that no other tenant's streams share", () => {
    expect(tenantStreamPrefix('acme')).toBe('acme:');
    expect(streamName('acme-2', 'stock', 'X').startsWith(tenantStreamPrefix('acme'))).toBe(false);
  });
});
