import { describe, expect, it } from '@jest/globals';
import { comparePositions, createPositionTracker, isPositionToken, laterPosition } from '../../web/src/lib/positions.js';

describe('position tokens', () => {
  it('accepts what the API accepts in X-Min-Position: 1 to 20 digits', () => {
    expect(isPositionToken('0')).toBe(true);
    expect(isPositionToken('18446744073709551615')).toBe(true);
    expect(isPositionToken('123456789012345678901')).toBe(false);
    expect(isPositionToken('')).toBe(false);
    expect(isPositionToken('-1')).toBe(false);
    expect(isPositionToken('12a')).toBe(false);
  });

  it('compares as numbers, not text, beyond the safe integers', () => {
    expect(comparePositions('9', '10')).toBe(-1);
    expect(comparePositions('10', '9')).toBe(1);
    expect(comparePositions('9007199254740993', '9007199254740992')).toBe(1);
    expect(comparePositions('007', '7')).toBe(0);
    expect(laterPosition('99', '100')).toBe('100');
    expect(() => comparePositions('1', 'x')).toThrow('Not a position token: "x"');
  });
});

describe('createPositionTracker', () => {
  it('sends nothing before the first write, then the highest position seen', () => {
    const tracker = createPositionTracker();
    expect(tracker.headers()).toEqual({});
    expect(tracker.observe('42')).toBe('42');
    expect(tracker.headers()).toEqual({ 'X-Min-Position': '42' });
    tracker.observe('9'); // an older read answering late never lowers the mark
    tracker.observe('100');
    tracker.observe('99');
    expect(tracker.current).toBe('100');
    expect(tracker.headers()).toEqual({ 'X-Min-Position': '100' });
  });

  it('ignores missing and malformed headers, and starts from a kept token', () => {
    const tracker = createPositionTracker('7');
    tracker.observe(null);
    tracker.observe(undefined);
    tracker.observe('abc');
    tracker.observe('');
    expect(tracker.current).toBe('7');
    tracker.observe(' 8 ');
    expect(tracker.headers()).toEqual({ 'X-Min-Position': '8' });
    expect(createPositionTracker('bad').current).toBeUndefined();
  });
});
