import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { buildDashboardOnce, type OnceBuild } from '../support/dashboard-build.js';

describe('the dashboard is built once per test run, whichever worker asks first', () => {
  let folder = '';
  let builds = 0;
  let running = 0;
  let overlapped = false;
  const options = (build: () => Promise<void>): OnceBuild => ({ lockFile: path.join(folder, 'build.lock'), builtFor: path.join(folder, 'built-for'), build, timeoutMs: 20_000 });
  const slowBuild = async (): Promise<void> => {
    builds += 1;
    running += 1;
    if (running > 1) overlapped = true;
    await new Promise((resolve) => setTimeout(resolve, 300));
    running -= 1;
  };

  beforeEach(async () => {
    folder = await mkdtemp(path.join(os.tmpdir(), 'dashboard-build-'));
    builds = 0;
    running = 0;
    overlapped = false;
  });
  afterEach(async () => await rm(folder, { recursive: true, force: true }));

  it('builds once for callers side by side, who wait for that build; later callers do not build again', async () => {
    await Promise.all([buildDashboardOnce(options(slowBuild)), buildDashboardOnce(options(slowBuild)), buildDashboardOnce(options(slowBuild))]);
    expect(builds).toBe(1);
    expect(overlapped).toBe(false);
    await buildDashboardOnce(options(slowBuild));
    expect(builds).toBe(1);
  });

  it('builds again after a failed build, and takes over a lock whose holder is gone', async () => {
    await expect(buildDashboardOnce(options(async () => await Promise.reject(new Error('vite failed'))))).rejects.toThrow('vite failed');
    // A worker killed while building: its lock names a pid that no longer runs.
    await writeFile(path.join(folder, 'build.lock'), '2147483646');
    await buildDashboardOnce(options(slowBuild));
    expect(builds).toBe(1);
  });
});
