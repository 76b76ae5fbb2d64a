import { describe, expect, it } from '@jest/globals';
import { BuildSlots } from '../../../src/projections/build-slots.js';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The daemon's bound on builds at once: a deploy's daemon that started every tenant's build
 * together held the whole pool, and its process answered requests 503 unavailable meanwhile.
 */
describe('build slots', () => {
  it('runs every piece of work, never more than the number of slots at once, in the order asked', async () => {
    const slots = new BuildSlots(3);
    let running = 0;
    let most = 0;
    const started: number[] = [];
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, index) =>
        slots.run(async () => {
          started.push(index);
          running += 1;
          most = Math.max(most, running);
          await sleep(5 + (index % 4));
          running -= 1;
          return index * 2;
        }),
      ),
    );
    expect(results).toEqual(Array.from({ length: 20 }, (_, index) => index * 2));
    expect(most).toBe(3);
    expect(started).toEqual(Array.from({ length: 20 }, (_, index) => index));
  });

  it('frees the slot of work that fails', async () => {
    const slots = new BuildSlots(1);
    await expect(slots.run(() => Promise.reject(new Error('poison')))).rejects.toThrow('poison');
    expect(await Promise.race([slots.run(async () => 'next'), sleep(500).then(() => 'stuck')])).toBe('next');
  });

  it('refuses a number of slots that is not a positive whole number', () => {
    expect(() => new BuildSlots(0)).toThrow();
    expect(() => new BuildSlots(1.5)).toThrow();
  });
});
