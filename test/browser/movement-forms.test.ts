import { beforeAll, expect, it } from '@jest/globals';
import type { Locator, Page } from 'playwright-core';
import { describeInBrowser, useDashboard } from '../support/dashboard.js';

/** A GS1 element string as a scanner sends it: GTIN 09506000134352, expiry 2027-12-31, lot LOT7 (last, so no separator). */
const gs1Scan = '01095060001343521727123110LOT7';

describeInBrowser('the movement forms in Chromium', () => {
  const dashboard = useDashboard();
  let token = '';

  /** A call to the API as the demo admin, for set-up and for checking what was recorded. */
  async function call(method: string, path: string, body?: unknown): Promise<{ status: number; json: unknown }> {
    const response = await fetch(`${dashboard.base}${path}`, {
      method,
      headers: { 'Content-Type': 'application/json', 'X-Tenant': 'demo', Authorization: `Bearer ${token}` },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    return { status: response.status, json: text ? (JSON.parse(text) as unknown) : undefined };
  }

  /** On hand of an article at a location, as the API reads it. */
  async function onHand(sku: string, location: string): Promise<number> {
    const { json } = await call('GET', `/api/stock?sku=${sku}&location=${location}`);
    return (json as { items: { onHand: number }[] }).items.reduce((sum, item) => sum + item.onHand, 0);
  }

  /** Waits (up to 10 s) for the read model to show `expected` on hand: these reads carry no position. */
  async function expectOnHand(sku: string, location: string, expected: number): Promise<void> {
    const started = Date.now();
    while ((await onHand(sku, location)) !== expected && Date.now() - started < 10_000) await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await onHand(sku, location)).toBe(expected);
  }

  /** Types a code as a keyboard-wedge scanner does (a key every 5 ms, then Enter) into the focused scan field. */
  async function scan(page: Page, code: string): Promise<void> {
    const field = page.getByLabel('Scan', { exact: true });
    const before = Number(await field.getAttribute('data-scans'));
    await field.focus();
    await page.keyboard.type(code, { delay: 5 });
    await page.keyboard.press('Enter');
    await page.locator(`#scan-code[data-scans="${before + 1}"]`).waitFor();
  }

  /**
   * Types `code` and Enter into `field` as a scanner's burst: keys 5 ms apart by their own time
   * stamps. Playwright's keyboard sends each key over the DevTools protocol as it goes, and on a
   * loaded machine two keys arrived further apart than the dashboard's 35 ms (web/src/lib/scanner.ts):
   * Chromium then rightly saw a person typing, and Enter sent the form. The protocol's
   * Input.dispatchKeyEvent takes the time stamp a key event carries, as a scanner's keys would
   * have them, so the burst is the same whatever the machine's load.
   */
  async function burstInto(page: Page, field: Locator, code: string): Promise<void> {
    await field.focus();
    const devtools = await page.context().newCDPSession(page);
    try {
      const start = Date.now() / 1000;
      const keys = [...code].map((key) => ({ key, text: key, code: /\d/.test(key) ? `Digit${key}` : `Key${key.toUpperCase()}`, keyCode: key.toUpperCase().charCodeAt(0) }));
      keys.push({ key: 'Enter', text: '\r', code: 'Enter', keyCode: 13 });
      for (const [index, { key, text, code: keyCode, keyCode: virtual }] of keys.entries()) {
        const timestamp = start + index * 0.005;
        await devtools.send('Input.dispatchKeyEvent', { type: 'keyDown', key, code: keyCode, text, unmodifiedText: text, windowsVirtualKeyCode: virtual, timestamp });
        await devtools.send('Input.dispatchKeyEvent', { type: 'keyUp', key, code: keyCode, windowsVirtualKeyCode: virtual, timestamp: timestamp + 0.001 });
      }
    } finally {
      await devtools.detach();
    }
  }

  async function open(title: string): Promise<Page> {
    const page = await dashboard.freshPage();
    await page.reload();
    await dashboard.signIn(page, dashboard.demo.username, dashboard.demo.password);
    await page.getByRole('navigation', { name: 'Screens' }).getByRole('link', { name: title, exact: true }).click();
    await page.getByRole('heading', { name: title, level: 1 }).waitFor();
    return page;
  }

  const line = (page: Page, number: number) => page.getByRole('group', { name: `Line ${number}` });

  beforeAll(async () => {
    token = await dashboard.adminToken();
    for (const location of [
      { code: 'WH-F', type: 'warehouse' },
      { code: 'BIN-F1', type: 'storage', parent: 'WH-F' },
      { code: 'BIN-F2', type: 'storage', parent: 'WH-F' },
    ]) expect((await call('POST', '/api/locations', location)).status).toBe(201);
    expect((await call('POST', '/api/articles', { sku: 'FORM-A', name: 'Form test bolt', unit: 'pcs', tracking: 'none', barcode: '4006381333931' })).status).toBe(201);
    expect((await call('POST', '/api/articles', { sku: 'FORM-LOT', name: 'Form test milk', unit: 'pcs', tracking: 'lot', barcode: '09506000134352' })).status).toBe(201);
  }, 60_000);

  it('receives two lines and shows the new figures, then Stock without a reload', async () => {
    const page = await open('Receive');
    await line(page, 1).getByLabel('SKU').fill('FORM-A');
    await line(page, 1).getByLabel('Location').fill('BIN-F1');
    await line(page, 1).getByLabel('Quantity').fill('5');
    await page.getByRole('button', { name: 'Add line' }).click();
    await line(page, 2).getByLabel('SKU').fill('FORM-A');
    await line(page, 2).getByLabel('Location').fill('BIN-F2');
    await line(page, 2).getByLabel('Quantity').fill('3');
    await page.getByLabel('Reference').fill('PO-FORMS');
    await shoot(page, 'receive');
    await page.getByRole('button', { name: 'Record receive' }).click();
    await page.locator('.movement-id').waitFor();
    await page.locator('.new-figure', { hasText: 'on hand' }).first().waitFor();
    expect(await page.locator('.new-figure').allInnerTexts()).toEqual(['5 on hand', '3 on hand']);
    // No reload: the dashboard's own link, with the movement's position carried.
    await page.getByRole('link', { name: 'See Stock' }).click();
    await page.getByRole('heading', { name: 'Stock', level: 1 }).waitFor();
    await page.getByRole('search').getByLabel('SKU').fill('FORM-A');
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.locator('tr.stock-line').nth(1).waitFor();
    const rows = await page.locator('tr.stock-line').allInnerTexts();
    expect(rows.map((row) => row.split('\t').filter(Boolean).slice(0, 2).concat(row.split('\t').at(-3) ?? ''))).toEqual(expect.arrayContaining([['FORM-A', 'BIN-F1', '5'], ['FORM-A', 'BIN-F2', '3']]));
    await page.close();
  }, 120_000);

  it('shows insufficient stock at its line with what is available, and keeps what was typed', async () => {
    const page = await open('Ship');
    await page.getByLabel('Reference').fill('SO-SHORT');
    await line(page, 1).getByLabel('SKU').fill('FORM-A');
    await line(page, 1).getByLabel('From').fill('BIN-F1');
    await line(page, 1).getByLabel('Quantity').fill('50');
    await page.getByRole('button', { name: 'Record ship' }).click();
    const quantity = line(page, 1).getByLabel('Quantity');
    await line(page, 1).locator('.invalid-feedback').waitFor();
    expect(await line(page, 1).locator('.invalid-feedback').innerText()).toContain('Available: 5');
    expect(await quantity.getAttribute('aria-invalid')).toBe('true');
    expect(await quantity.inputValue()).toBe('50');
    expect(await line(page, 1).getByLabel('SKU').inputValue()).toBe('FORM-A');
    expect(await page.getByLabel('Reference').inputValue()).toBe('SO-SHORT');
    await shoot(page, 'ship');
    await page.close();
  }, 120_000);

  it('fills SKU, lot and expiry from a GS1 scanner burst on Receive', async () => {
    const page = await open('Receive');
    expect(await page.evaluate('document.activeElement?.id')).toBe('scan-code');
    await scan(page, 'BIN-F1');
    await scan(page, gs1Scan);
    expect(await line(page, 1).getByLabel('SKU').inputValue()).toBe('FORM-LOT');
    expect(await line(page, 1).getByLabel('Lot').inputValue()).toBe('LOT7');
    expect(await line(page, 1).getByLabel('Expiry').inputValue()).toBe('2027-12-31');
    expect(await line(page, 1).getByLabel('Location').inputValue()).toBe('BIN-F1');
    expect(await line(page, 1).getByLabel('Quantity').inputValue()).toBe('1');
    await scan(page, gs1Scan);
    expect(await line(page, 1).getByLabel('Quantity').inputValue()).toBe('2');
    // A burst while the focus is in another field is a scan as well: the field keeps its text, the form is not sent.
    const scans = Number(await page.getByLabel('Scan', { exact: true }).getAttribute('data-scans'));
    await burstInto(page, line(page, 1).getByLabel('Quantity'), gs1Scan);
    await page.locator(`#scan-code[data-scans="${scans + 1}"]`).waitFor();
    expect(await line(page, 1).getByLabel('Quantity').inputValue()).toBe('3');
    expect(await page.locator('.movement-id').count()).toBe(0);
    await page.getByRole('button', { name: 'Record receive' }).click();
    await page.locator('.movement-id').waitFor();
    await expectOnHand('FORM-LOT', 'BIN-F1', 3);
    await page.close();
  }, 120_000);

  it('puts away scan after scan on Transfer and stays open for more', async () => {
    const page = await open('Transfer');
    await line(page, 1).getByLabel('From').fill('BIN-F1');
    await scan(page, 'BIN-F2');
    for (let time = 0; time < 3; time += 1) await scan(page, '4006381333931');
    await scan(page, gs1Scan);
    expect(await line(page, 1).getByLabel('Quantity').inputValue()).toBe('3');
    expect(await line(page, 2).getByLabel('SKU').inputValue()).toBe('FORM-LOT');
    expect(await line(page, 2).getByLabel('From').inputValue()).toBe('BIN-F1');
    expect(await line(page, 2).getByLabel('To').inputValue()).toBe('BIN-F2');
    await shoot(page, 'transfer');
    await page.getByRole('button', { name: 'Record transfer' }).click();
    await page.locator('.movement-id').waitFor();
    // Still open: the next scans go to the same bins.
    await scan(page, '4006381333931');
    expect(await line(page, 1).getByLabel('SKU').inputValue()).toBe('FORM-A');
    expect(await line(page, 1).getByLabel('From').inputValue()).toBe('BIN-F1');
    expect(await line(page, 1).getByLabel('To').inputValue()).toBe('BIN-F2');
    await page.getByRole('button', { name: 'Record transfer' }).click();
    await page.locator('.movement-id').waitFor();
    await expectOnHand('FORM-A', 'BIN-F2', 7);
    await expectOnHand('FORM-A', 'BIN-F1', 1);
    await page.close();
  }, 120_000);

  it('counts an item scanned twice as 2, shows the difference, then records it', async () => {
    const page = await open('Count');
    await scan(page, 'BIN-F1');
    expect(await page.getByLabel('Location', { exact: true }).inputValue()).toBe('BIN-F1');
    await scan(page, '4006381333931');
    await scan(page, '4006381333931');
    expect(await line(page, 1).getByLabel('Counted').inputValue()).toBe('2');
    await page.getByRole('button', { name: 'Review differences' }).click();
    const differences = page.locator('table.count-differences tbody tr');
    await differences.first().waitFor();
    expect((await differences.filter({ hasText: 'FORM-A' }).innerText()).split('\t').map((cell) => cell.trim())).toEqual(['FORM-A', '', '1', '2', '+1']);
    await shoot(page, 'count');
    await expectOnHand('FORM-A', 'BIN-F1', 1);
    await page.getByRole('button', { name: 'Record count' }).click();
    await page.locator('.movement-id').waitFor();
    await expectOnHand('FORM-A', 'BIN-F1', 2);
    await page.close();
  }, 120_000);

  it('records one movement for a double click on submit', async () => {
    const page = await open('Ship');
    await page.getByLabel('Reference').fill('SO-DOUBLE');
    await line(page, 1).getByLabel('SKU').fill('FORM-A');
    await line(page, 1).getByLabel('From').fill('BIN-F2');
    await line(page, 1).getByLabel('Quantity').fill('1');
    await page.getByRole('button', { name: 'Record ship' }).dblclick();
    await page.locator('.movement-id').waitFor();
    // Give a second request, had one gone, the time to be recorded; then both reads are up to date.
    await page.waitForTimeout(1_000);
    await expectOnHand('FORM-A', 'BIN-F2', 6);
    const { json } = await call('GET', '/api/movements?reference=SO-DOUBLE');
    const rows = (json as { items: { movementId: string }[] }).items;
    expect(rows.length).toBeGreaterThan(0);
    expect(new Set(rows.map((row) => row.movementId)).size).toBe(1);
    await page.close();
  }, 120_000);

  it('shows an unknown SKU at its line and field', async () => {
    const page = await open('Receive');
    await line(page, 1).getByLabel('SKU').fill('FORM-A');
    await line(page, 1).getByLabel('Location').fill('BIN-F1');
    await line(page, 1).getByLabel('Quantity').fill('1');
    await page.getByRole('button', { name: 'Add line' }).click();
    await line(page, 2).getByLabel('SKU').fill('NO-SUCH-SKU');
    await line(page, 2).getByLabel('Quantity').fill('1');
    await page.getByRole('button', { name: 'Record receive' }).click();
    await line(page, 2).locator('.invalid-feedback').waitFor();
    expect(await line(page, 2).getByLabel('SKU').getAttribute('aria-invalid')).toBe('true');
    expect(await line(page, 2).getByLabel('Location').inputValue()).toBe('BIN-F1');
    expect(await line(page, 1).locator('.invalid-feedback').count()).toBe(0);
    await page.close();
  }, 120_000);

  it('sends the same Idempotency-Key again after a network error, and records once', async () => {
    const page = await open('Adjust');
    const keys: string[] = [];
    let attempts = 0;
    await page.route('**/api/stock/adjustments', async (route) => {
      keys.push((await route.request().allHeaders())['idempotency-key'] ?? '');
      attempts += 1;
      // The first attempt reaches the service and its answer is lost on the way back.
      if (attempts === 1) {
        await route.fetch();
        await route.abort('connectionreset');
      } else await route.continue();
    });
    await page.getByLabel('Reason').selectOption('found');
    await line(page, 1).getByLabel('SKU').fill('FORM-A');
    await line(page, 1).getByLabel('Location').fill('BIN-F1');
    await line(page, 1).getByLabel('Quantity').fill('4');
    await page.getByRole('button', { name: 'Record adjust' }).click();
    await page.getByText('Submitting again will not record it twice.').waitFor();
    expect(await line(page, 1).getByLabel('Quantity').inputValue()).toBe('4');
    await page.getByRole('button', { name: 'Record adjust' }).click();
    await page.locator('.movement-id').waitFor();
    expect(keys).toHaveLength(2);
    expect(keys[0]).not.toBe('');
    expect(keys[1]).toBe(keys[0]);
    await expectOnHand('FORM-A', 'BIN-F1', 6);
    await page.close();
  }, 120_000);

  it('shows Reserve, Return and Adjust with their fields', async () => {
    for (const [title, shot] of [
      ['Reserve', 'reserve'],
      ['Return', 'return'],
      ['Adjust', 'adjust'],
    ] as const) {
      const page = await open(title);
      await line(page, 1).getByLabel('SKU').waitFor();
      if (title !== 'Reserve') await page.getByLabel('Reason').waitFor();
      await shoot(page, shot);
      await page.close();
    }
  }, 120_000);

  const shoot = (page: Page, screen: string) => dashboard.shoot(page, `movement-${screen}`);
});
