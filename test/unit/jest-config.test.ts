import { describe, expect, it } from '@jest/globals';

describe('jest.config.js', () => {
  // testTimeout is one of jest's global options: set in a project (as it was, in `common`) it is
  // ignored, and a test without a timeout of its own failed after 5 s on a loaded machine.
  it('gives a test without a timeout of its own more than jest\'s default 5 s', async () => {
    const started = Date.now();
    await new Promise((resolve) => setTimeout(resolve, 5_200));
    expect(Date.now() - started).toBeGreaterThanOrEqual(5_200);
  });
});
