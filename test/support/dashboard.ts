import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe } from '@jest/globals';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { findFreePort } from '../../src/database/tcp-port.js';
import { buildDashboardOnce } from './dashboard-build.js';
import { startService, type ServiceProcess } from './service-process.js';
import { createTestDatabase, type TestDatabase } from './test-database.js';

const executablePath = '/usr/bin/chromium';
const root = path.resolve(import.meta.dirname, '../..');
const screenshots = path.join(root, 'docs/screenshots');
/** The two sizes every screen is looked at in: a laptop and a tablet held upright. */
export const viewports = { laptop: { width: 1366, height: 768 }, tablet: { width: 820, height: 1180 } } as const;
// Without the background-networking flags Chromium keeps calling out of this closed network.
const chromiumFlags = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** Whether Debian's Chromium is installed (`.ci/run` installs it); browser tests are skipped without it. */
export const hasChromium = existsSync(executablePath);

/** `describe` when Chromium is there, else `describe.skip` with one line saying why. */
export function describeInBrowser(name: string, body: () => void): void {
  if (!hasChromium) console.warn(`${name}: skipped, ${executablePath} is absent (apt-get install chromium; .ci/run installs it)`);
  (hasChromium ? describe : describe.skip)(name, body);
}

/** The dashboard served by the real service on a test database, with the demo tenant, and a Chromium to look at it. */
export interface Dashboard {
  /** `http://localhost:<port>` */
  readonly base: string;
  /** The demo tenant's admin, as the service printed it. */
  readonly demo: { readonly username: string; readonly password: string };
  readonly browser: BrowserContext;
  /** A fresh page with no session (each test signs in as whom it needs). */
  freshPage(): Promise<Page>;
  /** Signs in on the sign-in page (the company asked for on localhost). */
  signIn(page: Page, username: string, password: string): Promise<void>;
  /** Saves the screen at laptop and tablet size to docs/screenshots/<screen>-<device>.png. */
  shoot(page: Page, screen: string): Promise<void>;
  /** A bearer token of the demo admin, for set-up through the API. */
  adminToken(): Promise<string>;
}

/**
 * Builds the dashboard as `npm run build` does (once per run), starts the real service (DEMO=true) on a fresh
 * test database and Chromium with a fresh profile, for the test file that calls it; everything
 * is stopped after the file. Call it inside `describeInBrowser`.
 */
export function useDashboard(): Dashboard {
  let database: TestDatabase | undefined;
  let service: ServiceProcess | undefined;
  let profile: string | undefined;
  let browser: BrowserContext | undefined;
  const state = { base: '', username: '', password: '' };

  beforeAll(async () => {
    await buildDashboardOnce();
    database = await createTestDatabase();
    const port = await findFreePort();
    service = startService({ DATABASE_URL: database.url, PORT: String(port), DEMO: 'true', LOG_LEVEL: 'warn' });
    await service.waitUntilHealthy(port, 60_000);
    const started = Date.now();
    while (!/password: \S+/.test(service.output())) {
      if (Date.now() - started > 30_000) throw new Error(`no demo credentials:\n${service.output()}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    state.username = /username: (\S+)/.exec(service.output())?.[1] ?? '';
    state.password = /password: (\S+)/.exec(service.output())?.[1] ?? '';
    state.base = `http://localhost:${port}`;
    profile = await mkdtemp(path.join(tmpdir(), 'chromium-profile-'));
    browser = await chromium.launchPersistentContext(profile, { executablePath, headless: true, args: chromiumFlags, viewport: viewports.laptop });
    await mkdir(screenshots, { recursive: true });
  }, 180_000);

  afterAll(async () => {
    try {
      await browser?.close();
      if (service && service.child.exitCode === null) {
        service.child.kill('SIGTERM');
        await service.exited;
      }
    } finally {
      await database?.drop();
      if (profile) await rm(profile, { recursive: true, force: true });
    }
  }, 60_000);

  const context = (): BrowserContext => {
    if (!browser) throw new Error('the dashboard is not started (useDashboard() runs in beforeAll)');
    return browser;
  };

  return {
    get base() {
      return state.base;
    },
    get demo() {
      return { username: state.username, password: state.password };
    },
    get browser() {
      return context();
    },
    async freshPage() {
      await context().clearCookies();
      const page = await context().newPage();
      await page.goto(`${state.base}/`);
      // The company chosen on the sign-in page is kept per tab; a fresh page starts without one.
      await page.evaluate('sessionStorage.clear()');
      return page;
    },
    async signIn(page, username, password) {
      await page.getByLabel('Company').fill('demo');
      await page.getByLabel('Username').fill(username);
      await page.getByLabel('Password').fill(password);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('button', { name: 'Sign out' }).waitFor();
    },
    async shoot(page, screen) {
      for (const [device, size] of Object.entries(viewports)) {
        await page.setViewportSize(size);
        // The top of the screen (its heading), wherever the last click left the scroll.
        await page.evaluate('window.scrollTo(0, 0)');
        await page.waitForTimeout(150);
        await page.screenshot({ path: path.join(screenshots, `${screen}-${device}.png`) });
      }
      await page.setViewportSize(viewports.laptop);
    },
    async adminToken() {
      const login = await fetch(`${state.base}/api/auth/login`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'X-Tenant': 'demo' },
        body: JSON.stringify({ username: state.username, password: state.password }),
      });
      return ((await login.json()) as { token: string }).token;
    },
  };
}
