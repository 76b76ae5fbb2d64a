import { describe, expect, it } from '@jest/globals';
import { definedFields } from '../../src/domain/defined-fields.js';

describe('definedFields', () => {
  it('leaves out undefined fields only, so a value strictly equals its JSON round trip', () => {
    const value = definedFields({ sku: 'A', lot: undefined, quantity: 0, note: '', serials: [], expiresOn: null });
    expect(value).toStrictEqual({ sku: 'A', quantity: 0, note: '', serials: [], expiresOn: null });
    expect(Object.keys(value)).not.toContain('lot');
    expect(JSON.parse(JSON.stringify(value))).toStrictEqual(value);
  });
});
