import { describe, expect, it, jest } from '@jest/globals';
import { StoreCheckpoints } from '../../../src/projections/store-checkpoints.js';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('StoreCheckpoints', () => {
  it('wakes the projector at once, then at most once per interval, and records the latest checkpoint offered', async () => {
    const written: string[] = [];
    let wakes = 0;
    const checkpoints = new StoreCheckpoints(
      async (position) => {
        written.push(position);
      },
      80,
      () => {
        wakes += 1;
      },
    );
    checkpoints.offer('100');
    expect(wakes).toBe(1);
    expect(checkpoints.due()).toBe(true);
    await checkpoints.record();
    expect(written).toEqual(['100']);

    // Within the interval: nothing due, no wake-up yet; a lower checkpoint never replaces a higher one.
    checkpoints.offer('300');
    checkpoints.offer('200');
    expect(wakes).toBe(1);
    expect(checkpoints.due()).toBe(false);
    await sleep(120);
    expect(wakes).toBe(2);
    expect(checkpoints.due()).toBe(true);
    await checkpoints.record();
    expect(written).toEqual(['100', '300']);
    expect(checkpoints.due()).toBe(false);
  });

  it('records the last checkpoint of a quiet spell even when its timer was armed before a later record and fired late', async () => {
    jest.useFakeTimers({ now: 0 });
    try {
      const written: string[] = [];
      const checkpoints: StoreCheckpoints = new StoreCheckpoints(
        async (position) => {
          written.push(position);
        },
        50,
        // As the follower's drain loop: it records only what is due.
        () => {
          if (checkpoints.due()) void checkpoints.record();
        },
      );
      checkpoints.offer('10');
      await Promise.resolve();
      jest.advanceTimersByTime(20);
      checkpoints.offer('20'); // a timer for t=50
      // The event loop is busy: the clock passes 50 before that timer runs, and the drain loop
      // (applying events meanwhile) records what is due.
      jest.setSystemTime(60);
      expect(checkpoints.due()).toBe(true);
      await checkpoints.record();
      jest.setSystemTime(65);
      checkpoints.offer('30'); // the last one: nothing more comes
      jest.advanceTimersByTime(1000);
      await Promise.resolve();
      expect(written).toEqual(['10', '20', '30']);
    } finally {
      jest.useRealTimers();
    }
  });

  it('stops waking and recording once stopped', async () => {
    let wakes = 0;
    const checkpoints = new StoreCheckpoints(async () => undefined, 30, () => {
      wakes += 1;
    });
    checkpoints.offer('1');
    await checkpoints.record();
    checkpoints.offer('2');
    checkpoints.stop();
    await sleep(60);
    expect(wakes).toBe(1);
    expect(checkpoints.due()).toBe(false);
    checkpoints.offer('3');
    expect(wakes).toBe(1);
  });
});
