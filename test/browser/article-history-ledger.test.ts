import { beforeAll, expect, it } from '@jest/globals';
import type { Page } from 'playwright-core';
import { describeInBrowser, useDashboard } from '../support/dashboard.js';

const dayMs = 86_400_000;

describeInBrowser('Article detail as of a time, its edit against a concurrent change, and the ledger filters in Chromium', () => {
  const dashboard = useDashboard();
  const { freshPage, signIn, shoot } = dashboard;
  let adminToken = '';
  let clerkToken = '';

  /** A call to the API with a bearer token (the demo admin's unless told), for set-up and checks. */
  async function call(method: string, url: string, body?: unknown, token = adminToken): Promise<{ status: number; json: unknown; headers: Headers }> {
    const response = await fetch(`${dashboard.base}${url}`, {
      method,
      headers: { 'Content-Type': 'application/json', 'X-Tenant': 'demo', Authorization: `Bearer ${token}` },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    return { status: response.status, json: text ? (JSON.parse(text) as unknown) : undefined, headers: response.headers };
  }

  async function signedIn(): Promise<Page> {
    const page = await freshPage();
    await page.reload();
    await signIn(page, dashboard.demo.username, dashboard.demo.password);
    return page;
  }

  /** The figure under "On hand as of …", once it is answered. */
  async function onHandThen(page: Page): Promise<string> {
    const figure = page.getByTestId('on-hand-then');
    await figure.filter({ hasNotText: '…' }).waitFor();
    return (await figure.innerText()).replace(/\s*pcs$/, '').trim();
  }

  beforeAll(async () => {
    adminToken = await dashboard.adminToken();
    for (const location of [
      { code: 'WH-H', type: 'warehouse' },
      { code: 'BIN-H1', type: 'storage', parent: 'WH-H' },
    ]) expect((await call('POST', '/api/locations', location)).status).toBe(201);
    for (const sku of ['HIST-1', 'LEDG-1']) expect((await call('POST', '/api/articles', { sku, name: `Article ${sku}`, unit: 'pcs', tracking: 'none' })).status).toBe(201);
    // Five received three days ago (back-dated: business time), seven received now.
    expect((await call('POST', '/api/stock/receipts', { reference: 'PO-H-OLD', occurredAt: new Date(Date.now() - 3 * dayMs).toISOString(), lines: [{ sku: 'HIST-1', quantity: 5, location: 'BIN-H1' }] })).status).toBe(201);
    expect((await call('POST', '/api/stock/receipts', { reference: 'PO-H-NEW', lines: [{ sku: 'HIST-1', quantity: 7, location: 'BIN-H1' }] })).status).toBe(201);
    const password = 'clerk password 1';
    expect((await call('POST', '/api/users', { username: 'clerk-h', email: 'clerk-h@demo.example', password, role: 'operator' })).status).toBe(201);
    const login = await fetch(`${dashboard.base}/api/auth/login`, { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-Tenant': 'demo' }, body: JSON.stringify({ username: 'clerk-h', password }) });
    clerkToken = ((await login.json()) as { token: string }).token;
  }, 60_000);

  it('shows an article as it stood then with ?at= and the time slider, with the changes since', async () => {
    const page = await signedIn();
    const twoDaysAgo = new Date(Date.now() - 2 * dayMs).toISOString();
    await page.goto(`${dashboard.base}/articles/HIST-1?at=${encodeURIComponent(twoDaysAgo)}`);
    await page.getByRole('heading', { name: /HIST-1/, level: 1 }).waitFor();
    expect(await onHandThen(page)).toBe('5');
    const lines = page.getByRole('table', { name: 'Stock lines' });
    await lines.getByRole('row', { name: /BIN-H1/ }).waitFor();
    expect(await lines.getByRole('row', { name: /BIN-H1/ }).innerText()).toContain('5');
    // What happened after that time: the receipt of seven, and no edit button in the past.
    await page.locator('tr.change-since', { hasText: 'PO-H-NEW' }).waitFor();
    expect(await page.getByRole('table', { name: 'Movements of this article' }).getByText('PO-H-NEW').count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Edit' }).count()).toBe(0);
    await page.getByRole('heading', { name: 'Stock lines then' }).waitFor();
    await shoot(page, 'article-as-of');
    await page.getByRole('link', { name: 'Back to now' }).click();
    await page.waitForURL(`${dashboard.base}/articles/HIST-1`);
    await page.getByRole('heading', { name: 'Stock lines', exact: true }).waitFor();
    expect(await page.getByTestId('on-hand-then').count()).toBe(0);
    // The slider by keyboard: one day back shows the article without the receipt of today.
    await page.getByLabel(/^Days back/).focus();
    await page.keyboard.press('ArrowRight');
    await page.waitForURL(/\/articles\/HIST-1\?at=/);
    expect(await onHandThen(page)).toBe('5');
    await page.close();
  }, 120_000);

  it('sends If-Match on edit: a change made meanwhile by someone else is said plainly, reloaded, and not undone', async () => {
    const page = await signedIn();
    await page.goto(`${dashboard.base}/articles/HIST-1`);
    await page.getByRole('button', { name: 'Edit' }).click();
    const form = page.getByRole('form', { name: 'Edit article' });
    await form.getByLabel('Name').fill('History bolt, mine');
    // Someone else changes the reorder point while the form is open.
    expect((await call('PATCH', '/api/articles/HIST-1', { reorderPoint: 42 })).status).toBe(200);
    await form.getByRole('button', { name: 'Save' }).click();
    const alert = form.getByRole('alert');
    await alert.getByText('changed by someone else').waitFor();
    await shoot(page, 'article-edit-conflict');
    // Nothing was recorded over their change.
    expect(((await call('GET', '/api/articles/HIST-1')).json as { name: string }).name).toBe('Article HIST-1');
    await alert.getByRole('button', { name: 'Reload' }).click();
    await form.getByText('Your changes are kept').waitFor();
    expect(await form.getByLabel('Name').inputValue()).toBe('History bolt, mine');
    expect(await form.getByLabel('Reorder point').inputValue()).toBe('42');
    await form.getByRole('button', { name: 'Save' }).click();
    await form.waitFor({ state: 'detached' });
    // The read model follows the save within moments; this read carries no position.
    let saved = (await call('GET', '/api/articles/HIST-1')).json as { name: string };
    for (const started = Date.now(); saved.name !== 'History bolt, mine' && Date.now() - started < 10_000; await new Promise((resolve) => setTimeout(resolve, 200))) {
      saved = (await call('GET', '/api/articles/HIST-1')).json as { name: string };
    }
    expect(saved).toMatchObject({ name: 'History bolt, mine', reorderPoint: 42 });
    await page.close();
  }, 120_000);

  it('filters Movements by user and kind through the API, however far back the rows lie', async () => {
    const returned = await call('POST', '/api/stock/receipts', { reference: 'PO-CLERK', lines: [{ sku: 'LEDG-1', quantity: 1, location: 'BIN-H1' }] }, clerkToken);
    expect(returned.status).toBe(201);
    // 150 newer rows by the admin: the clerk's row is not on the ledger's first page (100 rows).
    const lines = Array.from({ length: 150 }, () => ({ sku: 'LEDG-1', quantity: 1, location: 'BIN-H1' }));
    expect((await call('POST', '/api/stock/receipts', { reference: 'PO-MANY', lines })).status).toBe(201);
    const page = await signedIn();
    const asked: string[] = [];
    page.on('request', (request) => {
      if (request.url().includes('/api/movements')) asked.push(request.url());
    });
    await page.getByRole('navigation', { name: 'Screens' }).getByRole('link', { name: 'Movements', exact: true }).click();
    await page.getByRole('heading', { name: 'Movements', level: 1 }).waitFor();
    await page.getByLabel('User').fill('clerk-h');
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.locator('tr.ledger-row', { hasText: 'PO-CLERK' }).waitFor({ timeout: 15_000 });
    expect(await page.locator('tr.ledger-row').count()).toBe(1);
    expect(asked.some((url) => new URL(url).searchParams.get('user') === 'clerk-h')).toBe(true);
    await shoot(page, 'movements-filtered');
    await page.getByLabel('User').fill('');
    await page.getByLabel('Kind').selectOption('received');
    await page.getByLabel('SKU').fill('LEDG-1');
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.getByRole('button', { name: 'Load more' }).waitFor();
    expect(asked.some((url) => new URL(url).searchParams.get('kind') === 'received')).toBe(true);
    const kinds = await page.locator('tr.ledger-row td:nth-child(3)').allInnerTexts();
    expect(kinds.length).toBe(100);
    expect(new Set(kinds)).toEqual(new Set(['received']));
    await page.close();
  }, 120_000);
});
