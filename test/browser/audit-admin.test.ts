import { expect, it, beforeAll } from '@jest/globals';
import type { Page } from 'playwright-core';
import { describeInBrowser, useDashboard } from '../support/dashboard.js';

/** The article and location this file moves, apart from the demo's own data. */
const sku = 'AUD-1';
const location = 'AUD-LOC';

describeInBrowser('Audit, Admin and live updates in Chromium, against the real service', () => {
  const dashboard = useDashboard();
  const { freshPage, signIn, shoot } = dashboard;
  let token = '';
  /** A moment between the first receipt (5) and the second (7): AUD-1 had 5 on hand then. */
  let between = '';

  async function call(method: string, path: string, body?: unknown, bearer = token): Promise<Response> {
    return fetch(`${dashboard.base}${path}`, {
      method,
      headers: { 'Content-Type': 'application/json', 'X-Tenant': 'demo', Authorization: `Bearer ${bearer}` },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  }

  async function created(response: Promise<Response>): Promise<void> {
    const answer = await response;
    if (answer.status >= 300) throw new Error(`${answer.status}: ${await answer.text()}`);
  }

  /** Signs in as the demo admin on a fresh page. */
  async function asAdmin(): Promise<Page> {
    const page = await freshPage();
    await page.reload();
    await signIn(page, dashboard.demo.username, dashboard.demo.password);
    return page;
  }

  /** Waits until the Stock table's line at `location` shows `expected` on hand (the 5th cell). */
  async function onHandBecomes(page: Page, expected: string, timeout = 10_000): Promise<void> {
    const started = Date.now();
    for (;;) {
      const line = page.locator('tr.stock-line', { hasText: location });
      const cells = (await line.count()) > 0 ? await line.first().locator('td').allInnerTexts() : [];
      if (cells[4] === expected) return;
      if (Date.now() - started > timeout) throw new Error(`on hand at ${location} stayed ${cells[4] ?? 'absent'}, not ${expected}`);
      await page.waitForTimeout(100);
    }
  }

  beforeAll(async () => {
    token = await dashboard.adminToken();
    await created(call('POST', '/api/locations', { code: location, type: 'warehouse' }));
    await created(call('POST', '/api/articles', { sku, name: 'Audit test article', unit: 'pcs', tracking: 'none' }));
    await created(call('POST', '/api/stock/receipts', { reference: 'PO-AUD-1', lines: [{ sku, quantity: 5, location }] }));
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    between = new Date().toISOString();
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    await created(call('POST', '/api/stock/receipts', { reference: 'PO-AUD-2', lines: [{ sku, quantity: 7, location }] }));
    await created(call('POST', '/api/users', { username: 'auditor1', email: 'auditor1@demo.example', password: 'auditor password 1', role: 'auditor' }));
  }, 60_000);

  it('shows an auditor Audit but no Admin, and the raw events with their metadata', async () => {
    const page = await freshPage();
    await page.reload();
    await signIn(page, 'auditor1', 'auditor password 1');
    const menu = page.getByRole('navigation', { name: 'Screens' });
    await menu.getByRole('link', { name: 'Audit', exact: true }).click();
    expect(await menu.getByRole('link', { name: 'Admin', exact: true }).count()).toBe(0);
    await page.getByRole('heading', { name: 'Audit', level: 1 }).waitFor();
    await page.getByRole('search', { name: 'Event filters' }).getByLabel('SKU').fill(sku);
    await page.getByRole('search', { name: 'Event filters' }).getByRole('button', { name: 'Filter' }).click();
    await page.locator('tr.audit-event').nth(2).waitFor();
    const rows = await page.locator('tr.audit-event').allInnerTexts();
    // The article's registration and its two receipts, oldest first, each with who and how.
    expect(rows).toHaveLength(3);
    expect(rows[0]).toContain('ArticleRegistered');
    expect(rows[1]).toContain(`stock-${sku}`);
    expect(rows[1]).toContain('StockReceived');
    expect(rows[1]).toMatch(/user:\s*admin/);
    expect(rows[1]).toMatch(/correlationId:\s*\S+/);
    expect(rows[1]).toContain('PO-AUD-1');
    expect(rows[2]).toContain('PO-AUD-2');
    await page.goto(`${dashboard.base}/admin`);
    await page.getByRole('heading', { name: 'Not found' }).waitFor();
    await page.close();
  }, 60_000);

  it('replays an article as of a past time, from the event store', async () => {
    const page = await asAdmin();
    await page.goto(`${dashboard.base}/audit`);
    const form = page.getByRole('form', { name: 'Article replay' });
    await form.getByLabel('SKU').fill(sku);
    // datetime-local takes the browser's local time, to the second (step 1): computed in the page.
    const local = await page.evaluate((iso) => {
      const date = new Date(iso);
      const pad = (value: number): string => String(value).padStart(2, '0');
      return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
    }, between);
    await form.getByLabel('As of').fill(local);
    await form.getByRole('button', { name: 'Replay' }).click();
    await page.locator('.replay-on-hand').waitFor();
    expect(await page.locator('.replay-on-hand').textContent()).toBe('5');
    expect(await page.locator('.replay-result').innerText()).toContain(location);
    // Blank "As of" is now: both receipts.
    await form.getByLabel('As of').fill('');
    await form.getByRole('button', { name: 'Replay' }).click();
    await page.locator('.replay-on-hand', { hasText: /^12$/ }).waitFor();
    await shoot(page, 'audit');
    await page.close();
  }, 60_000);

  it('shows on Stock, with ?at= (the time slider), the earlier figure and the changes since', async () => {
    const page = await asAdmin();
    await page.goto(`${dashboard.base}/stock?at=${encodeURIComponent(between)}`);
    await page.getByLabel('As of').waitFor();
    await page.getByRole('search', { name: 'Stock filters' }).getByLabel('SKU').fill(sku);
    await page.getByRole('button', { name: 'Filter' }).click();
    const line = page.locator('tr.stock-line', { hasText: location });
    await line.waitFor();
    expect((await line.locator('td').allInnerTexts())[4]).toBe('5');
    const changes = page.locator('tr.change-since', { hasText: 'PO-AUD-2' });
    await changes.waitFor();
    expect(await changes.innerText()).toContain('7');
    await shoot(page, 'stock-as-of');
    await page.getByRole('link', { name: 'Back to now' }).click();
    await page.getByRole('button', { name: 'Filter' }).click();
    await onHandBecomes(page, '12');
    await page.close();
  }, 60_000);

  it('lets an admin create a user, change their role and disable them, which ends their session', async () => {
    const page = await asAdmin();
    page.on('dialog', (dialog) => void dialog.accept());
    await page.getByRole('navigation', { name: 'Screens' }).getByRole('link', { name: 'Admin', exact: true }).click();
    const form = page.getByRole('form', { name: 'Create user' });
    await form.getByLabel('Username').fill('clerk1');
    await form.getByLabel('Email').fill('clerk1@demo.example');
    await form.getByLabel('Password').fill('clerk password 1');
    await form.getByLabel('Role').selectOption('operator');
    await form.getByRole('button', { name: 'Create' }).click();
    const row = page.locator('tr.user-row[data-username="clerk1"]');
    await row.waitFor();
    const login = await fetch(`${dashboard.base}/api/auth/login`, { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-Tenant': 'demo' }, body: JSON.stringify({ username: 'clerk1', password: 'clerk password 1' }) });
    expect(login.status).toBe(200);
    const session = ((await login.json()) as { token: string }).token;
    expect((await call('GET', '/api/me', undefined, session)).status).toBe(200);
    await row.getByLabel('Role of clerk1').selectOption('viewer');
    await row.getByText('Role changed to viewer').waitFor();
    const users = (await (await call('GET', '/api/users')).json()) as { items: { username: string; role: string; status: string }[] };
    expect(users.items.find((user) => user.username === 'clerk1')?.role).toBe('viewer');
    await row.getByRole('button', { name: 'Disable' }).click();
    await row.getByText('disabled', { exact: true }).waitFor();
    // The role change already ended that session; disabling leaves none and refuses a new one.
    expect((await call('GET', '/api/me', undefined, session)).status).toBe(401);
    const again = await fetch(`${dashboard.base}/api/auth/login`, { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-Tenant': 'demo' }, body: JSON.stringify({ username: 'clerk1', password: 'clerk password 1' }) });
    expect(again.status).toBe(401);
    await row.getByRole('button', { name: 'Enable' }).waitFor();
    await page.close();
  }, 60_000);

  it('creates an API token shown once, and revokes it', async () => {
    const page = await asAdmin();
    page.on('dialog', (dialog) => void dialog.accept());
    await page.goto(`${dashboard.base}/admin`);
    const form = page.getByRole('form', { name: 'Create API token' });
    await form.getByLabel('Token name').fill('rf-terminal-9');
    await form.getByLabel('Token role').selectOption('operator');
    await form.getByRole('button', { name: 'Create token' }).click();
    const secret = await page.getByLabel('Token', { exact: true }).inputValue();
    expect(secret.length).toBeGreaterThan(20);
    await page.getByRole('button', { name: 'Copy' }).waitFor();
    expect((await call('GET', '/api/me', undefined, secret)).status).toBe(200);
    await page.getByRole('button', { name: 'Done' }).click();
    expect(await page.getByLabel('Token', { exact: true }).count()).toBe(0);
    await page.getByRole('button', { name: 'Revoke rf-terminal-9' }).click();
    await page.locator('tr.token-row[data-token-name="rf-terminal-9"]').getByText(/revoked/).waitFor();
    expect((await call('GET', '/api/me', undefined, secret)).status).toBe(401);
    await page.close();
  }, 60_000);

  it('rebuilds the read model with a progress bar that reaches done while Stock keeps loading', async () => {
    const page = await asAdmin();
    await page.goto(`${dashboard.base}/admin`);
    await page.getByText('Live version').waitFor();
    await page.getByRole('button', { name: 'Rebuild' }).click();
    await page.locator('.rebuild-progress').waitFor();
    let reads = 0;
    const started = Date.now();
    while ((await page.locator('.rebuild-progress[data-state="done"]').count()) === 0) {
      if (Date.now() - started > 120_000) throw new Error('the rebuild did not finish in 2 minutes');
      const stock = await call('GET', `/api/stock?sku=${sku}`);
      expect(stock.status).toBe(200);
      reads += 1;
      await page.waitForTimeout(200);
    }
    expect(reads).toBeGreaterThan(0);
    expect(await page.getByRole('progressbar', { name: 'Rebuild progress' }).getAttribute('aria-valuenow')).toBe('100');
    // A rebuild started elsewhere (the page polls only while its own runs): "Rebuild" is refused plainly.
    expect((await call('POST', '/api/admin/projections/rebuild')).status).toBe(202);
    await page.getByRole('button', { name: 'Rebuild' }).click();
    await page.getByRole('alert').filter({ hasText: 'Already running' }).waitFor();
    await page.locator('.rebuild-progress[data-state="done"]').waitFor({ timeout: 120_000 });
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.getByText('Verified: the read model matches the events.').waitFor({ timeout: 60_000 });
    await shoot(page, 'admin');
    await page.close();
  }, 180_000);

  it('shows a receipt made through the API on an open Stock page without a reload', async () => {
    const page = await asAdmin();
    await page.goto(`${dashboard.base}/stock`);
    await page.getByRole('search', { name: 'Stock filters' }).getByLabel('SKU').fill(sku);
    await page.getByRole('button', { name: 'Filter' }).click();
    const onHand = async (): Promise<string | undefined> => (await page.locator('tr.stock-line', { hasText: location }).locator('td').allInnerTexts())[4];
    await page.locator('tr.stock-line', { hasText: location }).waitFor();
    const before = await onHand();
    await page.evaluate('window.__notReloaded = true');
    await created(call('POST', '/api/stock/receipts', { reference: 'PO-AUD-LIVE', lines: [{ sku, quantity: 3, location }] }));
    const answered = Date.now();
    await onHandBecomes(page, String(Number(before) + 3));
    console.info(`live update: the new figure on the open Stock page ${Date.now() - answered} ms after the receipt was answered`);
    expect(await page.evaluate('window.__notReloaded')).toBe(true);
    await page.close();
  }, 60_000);
});
