import { describe, expect, it } from '@jest/globals';
import { RegistrationLimit } from '../../src/tenancy/registration-limit.js';

describe('RegistrationLimit', () => {
  it('allows `limit` registrations per client in a sliding window, then says how long to wait', () => {
    let now = 0;
    const limit = new RegistrationLimit(3, 60_000, () => now);
    expect([limit.take('a'), limit.take('a'), limit.take('a')]).toEqual([0, 0, 0]);
    expect(limit.take('a')).toBe(60);
    expect(limit.take('b')).toBe(0);
    now = 30_000;
    expect(limit.take('a')).toBe(30);
    now = 60_001;
    expect(limit.take('a')).toBe(0);
  });
});
