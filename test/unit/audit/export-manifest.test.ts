import { describe, expect, it } from '@jest/globals';
import { exportManifestSchema } from '../../../src/audit/export-format.js';

const manifest = {
  formatVersion: 1,
  tenant: 'acme',
  count: 0,
  headPosition: '0',
  firstPosition: '0',
  lastPosition: '0',
  sha256: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
  exportedAt: '2026-12-05T00:00:00.000Z',
};

describe('the export manifest', () => {
  it('takes a company name PostgreSQL can store, and refuses a NUL or a lone surrogate before anything is imported', () => {
    expect(exportManifestSchema.safeParse({ ...manifest, company: { name: 'Acme Ltd', allowNegativeStock: false } }).success).toBe(true);
    for (const name of ['Acme\u0000Ltd', 'Acme \ud800']) {
      const parsed = exportManifestSchema.safeParse({ ...manifest, company: { name, allowNegativeStock: false } });
      expect(parsed.success).toBe(false);
      expect(parsed.error?.issues[0]?.message).toBe('must be valid Unicode text without NUL or lone surrogates');
    }
  });
});
