import { describe, expect, it } from '@jest/globals';
import { createIdempotencyKeys, stableJson } from '../../web/src/lib/idempotency.js';

function holder() {
  let issued = 0;
  return createIdempotencyKeys(() => `key-${++issued}`);
}

const receipt = { reference: 'PO-1001', lines: [{ sku: 'BOLT-M8', quantity: 5, location: 'A-01-02' }] };

describe('Idempotency-Key per form submission', () => {
  it('keeps the key for a double click and for a retry after a network error', () => {
    const keys = holder();
    expect(keys.keyFor(receipt)).toBe('key-1');
    expect(keys.keyFor(receipt)).toBe('key-1'); // double click, first attempt still out
    keys.settle({ kind: 'network-error' });
    expect(keys.keyFor(receipt)).toBe('key-1');
  });

  it('takes a new key once the service has answered, so a deliberate second receipt is recorded', () => {
    const keys = holder();
    keys.keyFor(receipt);
    keys.settle({ kind: 'answer', status: 201 });
    expect(keys.keyFor(receipt)).toBe('key-2');
    keys.settle({ kind: 'answer', status: 409, code: 'insufficient-stock' });
    expect(keys.keyFor(receipt)).toBe('key-3');
    keys.settle({ kind: 'answer', status: 422, code: 'validation' });
    expect(keys.keyFor(receipt)).toBe('key-4');
  });

  it.each([
    [409, 'idempotency-in-progress'],
    [503, 'unavailable'],
    [502, undefined],
    [504, undefined],
    [429, 'rate-limited'],
  ])('keeps the key after %i %s: the first attempt may still be recorded', (status, code) => {
    const keys = holder();
    keys.keyFor(receipt);
    keys.settle({ kind: 'answer', status, ...(code ? { code } : {}) });
    expect(keys.keyFor(receipt)).toBe('key-1');
  });

  it('takes a new key when the body changed (the old key with another body is refused)', () => {
    const keys = holder();
    keys.keyFor(receipt);
    keys.settle({ kind: 'network-error' });
    expect(keys.keyFor({ ...receipt, reference: 'PO-1002' })).toBe('key-2');
    expect(keys.keyFor({ lines: receipt.lines, reference: 'PO-1002' })).toBe('key-2'); // same data, other field order
  });
});

describe('stableJson', () => {
  it('sorts object keys at every depth, keeps array order, drops undefined', () => {
    expect(stableJson({ b: 1, a: { d: [2, 1], c: undefined, b: null } })).toBe('{"a":{"b":null,"d":[2,1]},"b":1}');
    expect(stableJson([{ y: 1, x: 2 }])).toBe('[{"x":2,"y":1}]');
  });
});
