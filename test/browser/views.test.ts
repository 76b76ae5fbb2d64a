import { expect, it } from '@jest/globals';
import type { Page } from 'playwright-core';
import { describeInBrowser, useDashboard } from '../support/dashboard.js';

describeInBrowser('the dashboard views (Overview, Articles, Locations, Movements, Reports) in Chromium', () => {
  const dashboard = useDashboard();
  const { freshPage, signIn, shoot } = dashboard;

  async function signedIn(): Promise<Page> {
    const page = await freshPage();
    await page.reload();
    await signIn(page, dashboard.demo.username, dashboard.demo.password);
    return page;
  }

  /** Opens a screen from the menu, as a user does. */
  async function open(page: Page, title: string): Promise<void> {
    await page.getByRole('navigation', { name: 'Screens' }).getByRole('link', { name: title, exact: true }).click();
    await page.getByRole('heading', { name: title, level: 1 }).waitFor();
  }

  /** The demo's movements are generated after the start: look again until `selector` shows rows. */
  async function waitForRows(page: Page, selector: string, title: string): Promise<void> {
    const started = Date.now();
    while ((await page.locator(selector).count()) === 0) {
      if (Date.now() - started > 60_000) throw new Error(`${title} stayed empty`);
      await page.waitForTimeout(1_000);
      await page.reload();
      await page.getByRole('heading', { name: title, level: 1 }).waitFor();
      await page.waitForTimeout(500);
    }
  }

  it('shows the ledger, and "Reverse" asks for a reason and a confirmation, then lists the reversal', async () => {
    const page = await signedIn();
    await open(page, 'Movements');
    await waitForRows(page, 'tr.ledger-row', 'Movements');
    await shoot(page, 'movements');
    // A receipt of its own, so that nothing else has taken its stock when it is reversed.
    const token = await dashboard.adminToken();
    const headers = { 'Content-Type': 'application/json', 'X-Tenant': 'demo', Authorization: `Bearer ${token}` };
    const articles = (await (await fetch(`${dashboard.base}/api/articles?limit=500`, { headers })).json()) as { items: Array<{ sku: string; tracking: string }> };
    const untracked = articles.items.find((article) => article.tracking === 'none');
    if (!untracked) throw new Error('the demo has no untracked article');
    const receipt = await fetch(`${dashboard.base}/api/stock/receipts`, { method: 'POST', headers, body: JSON.stringify({ reference: 'PO-REVERSE-1', lines: [{ sku: untracked.sku, quantity: 3, location: 'RCV-01' }] }) });
    expect(receipt.status).toBe(201);
    await page.getByLabel('Reference').fill('PO-REVERSE-1');
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.locator('tr.ledger-row', { hasText: 'received' }).first().waitFor();
    const first = page.locator('tr.ledger-row').filter({ has: page.getByRole('button', { name: /^Reverse / }) }).first();
    const sku = await first.locator('td').nth(3).innerText();
    await first.getByRole('button', { name: /^Reverse / }).click();
    const dialog = page.getByRole('dialog', { name: 'Reverse this movement?' });
    await dialog.waitFor();
    await dialog.getByRole('button', { name: 'Reverse movement' }).click();
    // An empty reason is refused at its field, before anything is recorded.
    expect(await dialog.getByLabel('Reason').evaluate((input) => (input as unknown as { validity: { valueMissing: boolean } }).validity.valueMissing)).toBe(true);
    await dialog.getByLabel('Reason').fill('Booked on the wrong day');
    await dialog.getByRole('button', { name: 'Reverse movement' }).click();
    await page.getByText(`movement of ${sku} was reversed`).or(dialog.locator('.invalid-feedback')).first().waitFor();
    expect(await dialog.locator('.invalid-feedback').count()).toBe(0);
    // The newest movement of that article is now the reversal, with the reason's user.
    await page.getByLabel('Reference').fill('');
    await page.getByLabel('SKU').fill(sku);
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.locator('tr.ledger-row', { hasText: 'reversed' }).first().waitFor();
    expect(await page.locator('tr.ledger-row', { hasText: 'reversed' }).first().locator('td').nth(3).innerText()).toBe(sku);
    await page.close();
  }, 120_000);

  it('shows the Overview and the Reports with the demo data', async () => {
    const page = await signedIn();
    await page.getByRole('heading', { name: 'Overview', level: 1 }).waitFor();
    // Every figure is answered (no "…" left), the admin also sees the read model's lag.
    await page.locator('.overview-figure').nth(4).waitFor();
    await page.locator('.overview-figure', { hasText: /^…$/ }).first().waitFor({ state: 'detached' });
    expect(await page.locator('.overview-figure').count()).toBe(5);
    expect(await page.getByText('Read model behind').count()).toBe(1);
    await shoot(page, 'overview');
    await open(page, 'Reports');
    await page.getByRole('heading', { name: 'Low stock / reorder' }).waitFor();
    await page.getByRole('heading', { name: 'Lots expiring within 30 days' }).waitFor();
    await page.locator('tr.low-stock-line').first().waitFor();
    await page.locator('main .spinner-border').first().waitFor({ state: 'detached' });
    await shoot(page, 'reports');
    await page.close();
  }, 120_000);

  it('finds a bin at depth 3 in Locations, shows its contents, blocks and unblocks it', async () => {
    const page = await signedIn();
    await open(page, 'Locations');
    await page.locator('.location-node').first().waitFor();
    await page.getByLabel('Search locations').fill('B-07-03');
    const tree = page.getByRole('tree', { name: 'Location tree' });
    // The bin is shown where it sits: WH1 > B > B-07-03, and nothing else.
    await tree.getByRole('treeitem', { name: /B-07-03/ }).waitFor();
    expect(await tree.locator('.location-node').allInnerTexts()).toEqual([expect.stringContaining('WH1'), expect.stringContaining('Aisle B'), expect.stringContaining('B-07-03')]);
    await tree.getByRole('button', { name: /B-07-03/ }).click();
    await page.getByRole('heading', { name: 'B-07-03', level: 2 }).waitFor();
    await shoot(page, 'locations');
    await page.getByRole('button', { name: 'Block', exact: true }).click();
    await page.getByRole('button', { name: 'Unblock', exact: true }).waitFor();
    expect(await tree.getByRole('treeitem', { name: /B-07-03/ }).getByText('Blocked').count()).toBe(1);
    await page.getByRole('button', { name: 'Unblock', exact: true }).click();
    await page.getByRole('button', { name: 'Block', exact: true }).waitFor();
    expect(await tree.getByText('Blocked').count()).toBe(0);
    await page.close();
  }, 120_000);

  it('lists Articles, opens a detail whose chart renders, and loads the chart code only there', async () => {
    const page = await signedIn();
    const requested: string[] = [];
    page.on('request', (request) => requested.push(request.url()));
    await open(page, 'Stock');
    // Not 'networkidle': the live stream (GET /api/live) keeps a request open while the page is
    // there. The Stock screen has loaded what it loads once its table shows its lines.
    await page.locator('tr.stock-line').first().waitFor();
    await page.waitForTimeout(300);
    expect(requested.filter((url) => /uplot/i.test(url))).toEqual([]);
    await open(page, 'Articles');
    await page.locator('tr.article-row').first().waitFor();
    await page.getByLabel('Search articles').fill('SIL');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.locator('tr.article-row', { hasText: 'SIL' }).first().waitFor();
    await shoot(page, 'articles');
    const sku = await page.locator('tr.article-row a').first().innerText();
    await page.locator('tr.article-row a').first().click();
    await page.waitForURL(`**/articles/${encodeURIComponent(sku)}`);
    await page.locator('.on-hand-chart canvas').waitFor();
    expect(requested.filter((url) => /uplot/i.test(url)).length).toBeGreaterThan(0);
    await page.getByText('On hand', { exact: true }).first().waitFor();
    await shoot(page, 'article-detail');
    await page.close();
  }, 120_000);
});
