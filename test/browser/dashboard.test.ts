import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { findFreePort } from '../../src/database/port.js';
import { startService, type ServiceProcess } from '../support/service-process.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

const executablePath = '/usr/bin/chromium';
const root = path.resolve(import.meta.dirname, '../..');
const screenshots = path.join(root, 'docs/screenshots');
const viewports = { laptop: { width: 1366, height: 768 }, tablet: { width: 820, height: 1180 } } as const;
// Without the background-networking flags Chromium keeps calling out of this closed network.
const chromiumFlags = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

const hasChromium = existsSync(executablePath);
if (!hasChromium) console.warn(`test/browser skipped: ${executablePath} is absent (apt-get install chromium; .ci/run installs it)`);
const describeInBrowser = hasChromium ? describe : describe.skip;

describeInBrowser('the dashboard in Chromium, against the real service', () => {
  let database: TestDatabase;
  let service: ServiceProcess | undefined;
  let profile: string;
  let browser: BrowserContext;
  let base: string;
  const demo = { username: '', password: '' };

  beforeAll(async () => {
    // The dashboard as `npm run build` builds it, served by the service from dist/web.
    await promisify(execFile)(process.execPath, ['node_modules/vite/bin/vite.js', 'build', '--config', 'web/vite.config.ts', '--logLevel', 'error'], { cwd: root });
    database = await createTestDatabase();
    const port = await findFreePort();
    service = startService({ DATABASE_URL: database.url, PORT: String(port), DEMO: 'true', LOG_LEVEL: 'warn' });
    await service.waitUntilHealthy(port, 60_000);
    const started = Date.now();
    while (!/password: \S+/.test(service.output())) {
      if (Date.now() - started > 30_000) throw new Error(`no demo credentials:\n${service.output()}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    demo.username = /username: (\S+)/.exec(service.output())?.[1] ?? '';
    demo.password = /password: (\S+)/.exec(service.output())?.[1] ?? '';
    base = `http://localhost:${port}`;
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

  /** A fresh page with no session (each test signs in as whom it needs). */
  async function freshPage(): Promise<Page> {
    await browser.clearCookies();
    const page = await browser.newPage();
    await page.goto(`${base}/`);
    // The company chosen on the sign-in page is kept per tab; a fresh page starts without one.
    await page.evaluate('sessionStorage.clear()');
    return page;
  }

  /** Saves the screen at laptop and tablet size, then restores the laptop size. */
  async function shoot(page: Page, screen: string): Promise<void> {
    for (const [device, size] of Object.entries(viewports)) {
      await page.setViewportSize(size);
      // The top of the screen (its heading), wherever the last click left the scroll.
      await page.evaluate('window.scrollTo(0, 0)');
      await page.waitForTimeout(150);
      await page.screenshot({ path: path.join(screenshots, `${screen}-${device}.png`) });
    }
    await page.setViewportSize(viewports.laptop);
  }

  async function signIn(page: Page, username: string, password: string): Promise<void> {
    await page.getByLabel('Company').fill('demo');
    await page.getByLabel('Username').fill(username);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('button', { name: 'Sign out' }).waitFor();
  }

  it('signs in to the demo tenant, asking for the company on localhost', async () => {
    const page = await freshPage();
    await page.reload();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await shoot(page, 'sign-in');
    await page.getByLabel('Company').fill('demo');
    await page.getByLabel('Username').fill(demo.username);
    await page.getByLabel('Password').fill('not the password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText('Wrong username or password.').waitFor();
    await page.getByLabel('Password').fill(demo.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('button', { name: 'Sign out' }).waitFor();
    expect(await page.locator('header').innerText()).toContain('demo');
    await page.close();
  }, 60_000);

  it('shows every rule of the registration at its field', async () => {
    const page = await freshPage();
    await page.goto(`${base}/register`);
    await page.getByLabel('Company ID').fill('pg-Bad');
    await page.getByLabel('Password', { exact: true }).fill('short');
    await page.getByRole('button', { name: 'Register' }).click();
    await page.locator('.invalid-feedback').first().waitFor();
    expect(await page.locator('.invalid-feedback').count()).toBeGreaterThanOrEqual(5);
    await shoot(page, 'register');
    await page.close();
  }, 60_000);

  it('fills the Stock table with the demo data, first expiring first', async () => {
    const page = await freshPage();
    await page.reload();
    await signIn(page, demo.username, demo.password);
    await page.getByRole('navigation', { name: 'Screens' }).getByRole('link', { name: 'Stock', exact: true }).click();
    // The demo's data is generated after the start: look again until it is there.
    const started = Date.now();
    while ((await page.locator('tr.stock-line').count()) === 0) {
      if (Date.now() - started > 60_000) throw new Error('the Stock table stayed empty');
      await page.waitForTimeout(1_000);
      await page.reload();
      await page.getByRole('heading', { name: 'Stock', level: 1 }).waitFor();
      await page.waitForTimeout(500);
    }
    const first = await page.locator('tr.stock-line').first().locator('td').allInnerTexts();
    expect(first).toHaveLength(7);
    expect(first[4]).toMatch(/^-?\d+(\.\d{1,3})?$/);
    await shoot(page, 'stock');
    await page.close();
  }, 120_000);

  it('shows a viewer no movement forms', async () => {
    const login = await fetch(`${base}/api/auth/login`, { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-Tenant': 'demo' }, body: JSON.stringify(demo) });
    const { token } = (await login.json()) as { token: string };
    const created = await fetch(`${base}/api/users`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Tenant': 'demo', Authorization: `Bearer ${token}` },
      body: JSON.stringify({ username: 'viewer1', email: 'viewer1@demo.example', password: 'viewer password 1', role: 'viewer' }),
    });
    expect(created.status).toBe(201);
    const page = await freshPage();
    await page.reload();
    await signIn(page, 'viewer1', 'viewer password 1');
    const menu = page.getByRole('navigation', { name: 'Screens' });
    await menu.getByRole('link', { name: 'Stock', exact: true }).waitFor();
    for (const form of ['Receive', 'Transfer', 'Reserve', 'Ship', 'Return', 'Adjust', 'Count', 'Admin']) expect(await menu.getByRole('link', { name: form, exact: true }).count()).toBe(0);
    await page.goto(`${base}/receive`);
    await page.getByRole('heading', { name: 'Not found' }).waitFor();
    await page.close();
  }, 60_000);

  it('signs in with the keyboard alone', async () => {
    const page = await freshPage();
    await page.reload();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await page.keyboard.press('Tab');
    await page.keyboard.type('demo');
    await page.keyboard.press('Tab');
    // Past the company's help text, which is not focusable: the next stop is Username.
    await page.keyboard.type(demo.username);
    await page.keyboard.press('Tab');
    await page.keyboard.type(demo.password);
    await page.keyboard.press('Enter');
    await page.getByRole('button', { name: 'Sign out' }).waitFor();
    await page.close();
  }, 60_000);
});
