import { expect, it } from '@jest/globals';
import type { Page } from 'playwright-core';
import { describeInBrowser, useDashboard } from '../support/dashboard.js';

/**
 * One new customer's whole first day, through the dashboard only (issue 12): the API is called
 * only to check what the screens say, never to do a step.
 */
describeInBrowser('the journey of a new customer in Chromium', () => {
  const dashboard = useDashboard();
  // A company of its own per run: the registration is the first step, and a re-run must not collide.
  const company = `journey-${Date.now().toString(36)}`;
  const admin = { username: 'owner', password: 'journey-pass-123' };

  const line = (page: Page, number: number) => page.getByRole('group', { name: `Line ${number}` });

  async function open(page: Page, title: string): Promise<void> {
    await page.getByRole('navigation', { name: 'Screens' }).getByRole('link', { name: title, exact: true }).click();
    await page.getByRole('heading', { name: title, level: 1 }).waitFor();
  }

  /**
   * Opens Stock from the menu (no reload: the last command's position is carried), filters on
   * `sku` and waits until the line at `location` shows [on hand, reserved, available].
   */
  async function expectStockLine(page: Page, sku: string, location: string, expected: readonly string[], timeout = 15_000): Promise<void> {
    await open(page, 'Stock');
    await filterStock(page, sku, location, expected, timeout);
  }

  async function filterStock(page: Page, sku: string, location: string, expected: readonly string[], timeout = 15_000): Promise<void> {
    await page.getByRole('search', { name: 'Stock filters' }).getByLabel('SKU').fill(sku);
    const started = Date.now();
    let cells: string[] = [];
    for (;;) {
      await page.getByRole('button', { name: 'Filter' }).click();
      const row = page.locator('tr.stock-line', { hasText: location });
      await row.first().waitFor({ timeout }).catch(() => undefined);
      cells = (await row.count()) > 0 ? await row.first().locator('td').allInnerTexts() : [];
      if (cells.slice(4, 7).join('|') === expected.join('|')) return;
      if (Date.now() - started > timeout) break;
      await page.waitForTimeout(250);
    }
    expect(cells.slice(4, 7)).toEqual(expected);
  }

  async function record(page: Page, title: string): Promise<void> {
    await page.getByRole('button', { name: `Record ${title.toLowerCase()}` }).click();
    await page.locator('.movement-id').waitFor();
  }

  it('registers, sets up, moves stock, counts, reverses, looks back in time and rebuilds', async () => {
    const page = await dashboard.freshPage();
    // 1. Registration.
    await page.goto(`${dashboard.base}/register`);
    await page.getByLabel('Company name').fill('Journey Trading');
    await page.getByLabel('Company ID').fill(company);
    await page.getByLabel('Email').fill('owner@journey.example');
    await page.getByLabel('Username').fill(admin.username);
    await page.getByLabel('Password', { exact: true }).fill(admin.password);
    await page.getByLabel('Confirm password').fill(admin.password);
    await page.getByRole('button', { name: 'Register' }).click();
    await page.getByRole('status').getByText('is registered').waitFor();

    // 2. Sign in to the new company.
    await page.getByRole('status').getByRole('link', { name: 'Sign in' }).click();
    await page.getByLabel('Company').fill(company);
    await page.getByLabel('Username').fill(admin.username);
    await page.getByLabel('Password').fill(admin.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('button', { name: 'Sign out' }).waitFor();

    // 3. Locations: a refused code is shown at its field and nothing typed is lost; then three locations.
    await open(page, 'Locations');
    const newLocation = page.getByRole('form', { name: 'New location' });
    await newLocation.getByLabel('Code').fill('wh 1');
    await newLocation.getByLabel('Type').selectOption('warehouse');
    await newLocation.getByRole('button', { name: 'Create location' }).click();
    await newLocation.locator('.invalid-feedback').waitFor();
    expect(await newLocation.getByLabel('Code').getAttribute('aria-invalid')).toBe('true');
    expect(await newLocation.getByLabel('Code').inputValue()).toBe('wh 1');
    await dashboard.shoot(page, 'new-location');
    for (const [code, type, parent] of [
      ['WH', 'warehouse', ''],
      ['RCV', 'receiving', 'WH'],
      ['BIN-1', 'storage', 'WH'],
    ] as const) {
      await newLocation.getByLabel('Code').fill(code);
      await newLocation.getByLabel('Parent').fill(parent);
      await newLocation.getByLabel('Type').selectOption(type);
      await newLocation.getByRole('button', { name: 'Create location' }).click();
      await newLocation.getByText(`Location ${code} created.`).waitFor();
      await page.getByRole('tree', { name: 'Location tree' }).getByText(code, { exact: true }).waitFor();
    }

    // 4. Two articles, one lot-tracked with a shelf life.
    await open(page, 'Articles');
    const newArticle = page.getByRole('form', { name: 'New article' });
    for (const [sku, name, tracking] of [
      ['BOLT', 'Bolt M8', 'none'],
      ['MILK', 'Milk 1 l', 'lot'],
    ] as const) {
      await newArticle.getByLabel('SKU').fill(sku);
      await newArticle.getByLabel('Name').fill(name);
      await newArticle.getByLabel('Tracking').selectOption(tracking);
      if (tracking === 'lot') await newArticle.getByLabel('Shelf life (days)').fill('30');
      if (tracking === 'lot') await dashboard.shoot(page, 'new-article');
      await newArticle.getByRole('button', { name: 'Create article' }).click();
      await newArticle.getByText(`Article ${sku} created.`).waitFor();
      await page.locator('tr.article-row', { hasText: sku }).waitFor();
    }

    // 5. Receive 10 bolts and 6 milk of lot L1 at the dock.
    const expiry = new Date(Date.now() + 20 * 86_400_000).toISOString().slice(0, 10);
    await open(page, 'Receive');
    await line(page, 1).getByLabel('SKU').fill('BOLT');
    await line(page, 1).getByLabel('Location').fill('RCV');
    await line(page, 1).getByLabel('Quantity').fill('10');
    await page.getByRole('button', { name: 'Add line' }).click();
    await line(page, 2).getByLabel('SKU').fill('MILK');
    await line(page, 2).getByLabel('Location').fill('RCV');
    await line(page, 2).getByLabel('Quantity').fill('6');
    await line(page, 2).getByLabel('Lot').fill('L1');
    await line(page, 2).getByLabel('Expiry').fill(expiry);
    await page.getByLabel('Reference').fill('PO-1');
    await record(page, 'Receive');
    await expectStockLine(page, 'BOLT', 'RCV', ['10', '0', '10']);
    await filterStock(page, 'MILK', 'RCV', ['6', '0', '6']);

    // 6. Put away: everything from the dock to BIN-1.
    await open(page, 'Transfer');
    await line(page, 1).getByLabel('SKU').fill('BOLT');
    await line(page, 1).getByLabel('From').fill('RCV');
    await line(page, 1).getByLabel('To').fill('BIN-1');
    await line(page, 1).getByLabel('Quantity').fill('10');
    await page.getByRole('button', { name: 'Add line' }).click();
    await line(page, 2).getByLabel('SKU').fill('MILK');
    await line(page, 2).getByLabel('From').fill('RCV');
    await line(page, 2).getByLabel('To').fill('BIN-1');
    await line(page, 2).getByLabel('Quantity').fill('6');
    await line(page, 2).getByLabel('Lot').fill('L1');
    await record(page, 'Transfer');
    await expectStockLine(page, 'BOLT', 'BIN-1', ['10', '0', '10']);
    await filterStock(page, 'MILK', 'BIN-1', ['6', '0', '6']);
    expect(await page.locator('tr.stock-line', { hasText: 'L1' }).first().innerText()).toContain('L1');

    // 7. Reserve 4 bolts for an order.
    await open(page, 'Reserve');
    await page.getByLabel('Reference').fill('SO-1');
    await line(page, 1).getByLabel('SKU').fill('BOLT');
    await line(page, 1).getByLabel('Location').fill('BIN-1');
    await line(page, 1).getByLabel('Quantity').fill('4');
    await record(page, 'Reserve');
    await expectStockLine(page, 'BOLT', 'BIN-1', ['10', '4', '6']);
    // The time the slider looks back to: after the reservation, before the shipment.
    const beforeShipment = new Date().toISOString();

    // 8. Ship the order.
    await open(page, 'Ship');
    await page.getByLabel('Reference').fill('SO-1');
    await line(page, 1).getByLabel('SKU').fill('BOLT');
    await line(page, 1).getByLabel('From').fill('BIN-1');
    await line(page, 1).getByLabel('Quantity').fill('4');
    await record(page, 'Ship');
    await expectStockLine(page, 'BOLT', 'BIN-1', ['6', '0', '6']);

    // 9. Count BIN-1: 5 bolts found where 6 are booked; the difference is shown before it is recorded.
    await open(page, 'Count');
    await page.getByLabel('Location', { exact: true }).fill('BIN-1');
    await line(page, 1).getByLabel('SKU').fill('BOLT');
    await line(page, 1).getByLabel('Counted').fill('5');
    await page.getByRole('button', { name: 'Review differences' }).click();
    const difference = page.locator('table.count-differences tbody tr', { hasText: 'BOLT' });
    await difference.waitFor();
    expect((await difference.innerText()).split('\t').map((cell) => cell.trim())).toEqual(['BOLT', '', '6', '5', '-1']);
    await record(page, 'Count');
    await expectStockLine(page, 'BOLT', 'BIN-1', ['5', '0', '5']);

    // 10. The count was wrong: reverse it from Movements, with a reason.
    await open(page, 'Movements');
    await page.getByRole('search', { name: 'Movement filters' }).getByLabel('SKU').fill('BOLT');
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.getByRole('button', { name: 'Reverse counted of BOLT' }).first().click();
    const dialog = page.getByRole('dialog', { name: 'Reverse this movement?' });
    await dialog.getByLabel('Reason').fill('Miscounted: the sixth bolt was behind the bin');
    await dialog.getByRole('button', { name: 'Reverse movement' }).click();
    await page.getByText('movement of BOLT was reversed').waitFor();
    await expectStockLine(page, 'BOLT', 'BIN-1', ['6', '0', '6']);

    // 11. The time slider: before the shipment the bin held 10 (as of a past time Stock shows on hand
    // only), and "changes since" lists the shipment, the count and its reversal.
    await page.goto(`${dashboard.base}/stock?at=${encodeURIComponent(beforeShipment)}`);
    await page.getByLabel('As of').waitFor();
    await filterStock(page, 'BOLT', 'BIN-1', ['10', '', '']);
    const shipped = page.locator('tr.change-since', { hasText: 'SO-1' });
    await shipped.first().waitFor();
    expect(await shipped.first().innerText()).toContain('4');
    await page.locator('tr.change-since', { hasText: 'reversed' }).first().waitFor();

    // 12. Rebuild the read model from Admin while a second tab keeps reading Stock.
    const reader = await dashboard.browser.newPage();
    await reader.goto(`${dashboard.base}/stock`);
    // The company is kept per tab on localhost: the second tab is asked for it and signs in.
    await reader.getByLabel('Company').fill(company);
    await reader.getByLabel('Username').fill(admin.username);
    await reader.getByLabel('Password').fill(admin.password);
    await reader.getByRole('button', { name: 'Sign in' }).click();
    await reader.getByRole('button', { name: 'Sign out' }).waitFor();
    await open(reader, 'Stock');
    await page.goto(`${dashboard.base}/admin`);
    await page.getByText('Live version').waitFor();
    await page.getByRole('button', { name: 'Rebuild' }).click();
    await page.locator('.rebuild-progress').waitFor();
    let reads = 0;
    const started = Date.now();
    while ((await page.locator('.rebuild-progress[data-state="done"]').count()) === 0) {
      if (Date.now() - started > 60_000) throw new Error('the rebuild did not finish in a minute');
      await filterStock(reader, 'BOLT', 'BIN-1', ['6', '0', '6']);
      reads += 1;
    }
    expect(reads).toBeGreaterThan(0);
    await filterStock(reader, 'BOLT', 'BIN-1', ['6', '0', '6']);
    await filterStock(reader, 'MILK', 'BIN-1', ['6', '0', '6']);

    // The API, only to check: the figures the screens showed are the service's.
    const login = await fetch(`${dashboard.base}/api/auth/login`, { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-Tenant': company }, body: JSON.stringify(admin) });
    const { token } = (await login.json()) as { token: string };
    const stock = await fetch(`${dashboard.base}/api/stock?location=BIN-1`, { headers: { 'X-Tenant': company, Authorization: `Bearer ${token}` } });
    const items = ((await stock.json()) as { items: Array<{ sku: string; onHand: number }> }).items;
    expect(items.map((item) => [item.sku, item.onHand]).sort()).toEqual([
      ['BOLT', 6],
      ['MILK', 6],
    ]);
    await reader.close();
    await page.close();
  }, 180_000);

  it('shows the New location and New article forms to managers and admins only, and a duplicate SKU at its field', async () => {
    // Set-up through the API (this is not the journey): an operator of the demo tenant.
    const token = await dashboard.adminToken();
    const headers = { 'Content-Type': 'application/json', 'X-Tenant': 'demo', Authorization: `Bearer ${token}` };
    const operator = { username: 'journey-operator', email: 'operator@demo.example', password: 'operator pass 1', role: 'operator' };
    expect((await fetch(`${dashboard.base}/api/users`, { method: 'POST', headers, body: JSON.stringify(operator) })).status).toBe(201);
    const taken = ((await (await fetch(`${dashboard.base}/api/articles?limit=1`, { headers })).json()) as { items: Array<{ sku: string }> }).items[0]?.sku ?? '';

    const page = await dashboard.freshPage();
    await page.reload();
    await dashboard.signIn(page, dashboard.demo.username, dashboard.demo.password);
    await open(page, 'Articles');
    const newArticle = page.getByRole('form', { name: 'New article' });
    await newArticle.getByLabel('SKU').fill(taken);
    await newArticle.getByLabel('Name').fill('A second one');
    await newArticle.getByRole('button', { name: 'Create article' }).click();
    // 409: the SKU is taken; the message is shown and what was typed stays.
    await newArticle.getByRole('alert').or(newArticle.locator('.invalid-feedback')).first().waitFor();
    expect(await newArticle.getByLabel('Name').inputValue()).toBe('A second one');
    await page.close();

    const page2 = await dashboard.freshPage();
    await page2.reload();
    await dashboard.signIn(page2, operator.username, operator.password);
    await open(page2, 'Articles');
    await page2.locator('tr.article-row').first().waitFor();
    expect(await page2.getByRole('form', { name: 'New article' }).count()).toBe(0);
    await open(page2, 'Locations');
    await page2.getByRole('tree', { name: 'Location tree' }).waitFor();
    expect(await page2.getByRole('form', { name: 'New location' }).count()).toBe(0);
    await page2.close();
  }, 90_000);
});
