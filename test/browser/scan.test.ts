import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect, it } from '@jest/globals';
import { chromium, type Page } from 'playwright-core';
import { describeInBrowser, useDashboard } from '../support/dashboard.js';
import { writeEan13Y4m } from '../support/ean13-video.js';

interface Article {
  readonly sku: string;
  readonly barcode: string | null;
}

describeInBrowser('the Scan screen in Chromium', () => {
  const dashboard = useDashboard();
  const { freshPage, signIn, shoot } = dashboard;

  /** A demo article with an EAN-13 (the demo data is generated after the start: wait for it). */
  async function articleWithBarcode(): Promise<Article & { barcode: string }> {
    const token = await dashboard.adminToken();
    const started = Date.now();
    for (;;) {
      const answer = await fetch(`${dashboard.base}/api/articles?limit=50`, { headers: { Authorization: `Bearer ${token}`, 'X-Tenant': 'demo' } });
      const { items } = (await answer.json()) as { items: Article[] };
      const found = items.find((article) => article.barcode !== null && /^\d{13}$/.test(article.barcode));
      if (found) return { ...found, barcode: found.barcode ?? '' };
      if (Date.now() - started > 60_000) throw new Error('no demo article with a barcode');
      await new Promise((resolve) => setTimeout(resolve, 1_000));
    }
  }

  it('jumps to the article a keyboard-wedge scan names', async () => {
    const article = await articleWithBarcode();
    const page = await freshPage();
    await page.reload();
    await signIn(page, dashboard.demo.username, dashboard.demo.password);
    await page.getByRole('navigation', { name: 'Screens' }).getByRole('link', { name: 'Scan', exact: true }).click();
    await page.getByRole('heading', { name: 'Scan', level: 1 }).waitFor();
    await shoot(page, 'scan');
    // The field has the focus on arrival: a scanner's burst (a few ms a key, then Enter) lands there.
    expect(await page.evaluate('document.activeElement?.id')).toBe('scan-code');
    await page.keyboard.type(article.barcode, { delay: 5 });
    await page.keyboard.press('Enter');
    await page.waitForURL(`${dashboard.base}/articles/${encodeURIComponent(article.sku)}`, { timeout: 10_000 });
    await page.close();
  }, 120_000);

  it('says so at the field when nothing carries the code', async () => {
    const page = await freshPage();
    await page.reload();
    await signIn(page, dashboard.demo.username, dashboard.demo.password);
    await page.goto(`${dashboard.base}/scan`);
    await page.getByLabel('Code').fill('NO-SUCH-CODE-1');
    await page.getByRole('button', { name: 'Look up' }).click();
    await page.getByText('No article or location carries the code NO-SUCH-CODE-1.').waitFor();
    expect(new URL(page.url()).pathname).toBe('/scan');
    await page.close();
  }, 60_000);

  /** Looks again every 100 ms until `condition` holds (30 s at most; the page's CSP forbids waitForFunction's eval). */
  async function until(condition: () => Promise<boolean>, failure: string): Promise<void> {
    for (const started = Date.now(); !(await condition()); await new Promise((resolve) => setTimeout(resolve, 100))) {
      if (Date.now() - started > 30_000) throw new Error(failure);
    }
  }

  /**
   * A Chromium of its own whose fake camera films the EAN-13 of `barcode` (a generated Y4M
   * video), signed in to the demo tenant, with every request URL it made; closed after `use`.
   */
  async function withFakeCamera(barcode: string, use: (page: Page, requests: readonly string[]) => Promise<void>): Promise<void> {
    const folder = await mkdtemp(path.join(tmpdir(), 'fake-camera-'));
    const video = path.join(folder, 'ean13.y4m');
    await writeEan13Y4m(video, barcode);
    const browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream', `--use-file-for-fake-video-capture=${video}`],
    });
    try {
      const context = await browser.newContext({ viewport: { width: 1366, height: 768 } });
      await context.grantPermissions(['camera'], { origin: dashboard.base });
      const page = await context.newPage();
      const requests: string[] = [];
      page.on('request', (request) => requests.push(request.url()));
      await page.goto(`${dashboard.base}/`);
      await signIn(page, dashboard.demo.username, dashboard.demo.password);
      await use(page, requests);
    } finally {
      await browser.close();
      await rm(folder, { recursive: true, force: true });
    }
  }

  it('finds the article a camera scan of its EAN-13 names (Chromium fake camera, ZXing wasm from our origin)', async () => {
    const article = await articleWithBarcode();
    await withFakeCamera(article.barcode, async (page, requests) => {
      await page.goto(`${dashboard.base}/scan`);
      await page.getByRole('heading', { name: 'Scan', level: 1 }).waitFor();
      // The scanner's code is not part of what the first screen loads.
      expect(requests.some((url) => url.endsWith('.wasm'))).toBe(false);
      await page.getByRole('button', { name: 'Scan with the camera' }).click();
      await page.waitForURL(`${dashboard.base}/articles/${encodeURIComponent(article.sku)}`, { timeout: 30_000 });
      const wasm = requests.filter((url) => url.endsWith('.wasm'));
      expect(wasm.length).toBeGreaterThan(0);
      expect(wasm.every((url) => url.startsWith(dashboard.base))).toBe(true);
    });
  }, 120_000);

  it('fills a Receive line from the camera, one more each time the label is seen again, and records it', async () => {
    const token = await dashboard.adminToken();
    const call = async (method: string, url: string, body?: unknown): Promise<Response> =>
      await fetch(`${dashboard.base}${url}`, { method, headers: { 'Content-Type': 'application/json', 'X-Tenant': 'demo', Authorization: `Bearer ${token}` }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
    expect((await call('POST', '/api/locations', { code: 'WH-CAM', type: 'warehouse' })).status).toBe(201);
    expect((await call('POST', '/api/locations', { code: 'CAM-BIN', type: 'storage', parent: 'WH-CAM' })).status).toBe(201);
    // 5901234123457: the EAN-13 of GS1's own examples, not one the demo data gives out.
    expect((await call('POST', '/api/articles', { sku: 'CAM-1', name: 'Camera-scanned box', unit: 'pcs', tracking: 'none', barcode: '5901234123457' })).status).toBe(201);
    await withFakeCamera('5901234123457', async (page, requests) => {
      await page.getByRole('navigation', { name: 'Screens' }).getByRole('link', { name: 'Receive', exact: true }).click();
      await page.getByRole('heading', { name: 'Receive', level: 1 }).waitFor();
      // The location by the keyboard-wedge scanner, as on the floor; then the items by camera.
      await page.getByLabel('Scan', { exact: true }).fill('CAM-BIN');
      await page.getByLabel('Scan', { exact: true }).press('Enter');
      await page.getByText('Location CAM-BIN').waitFor();
      expect(requests.some((url) => url.endsWith('.wasm'))).toBe(false);
      await page.getByRole('button', { name: 'Scan with the camera' }).click();
      const line = page.getByRole('group', { name: 'Line 1' });
      await until(async () => (await line.getByLabel('SKU').inputValue()) === 'CAM-1', 'the camera filled no SKU');
      expect(await line.getByLabel('Location').inputValue()).toBe('CAM-BIN');
      // The label stays in view: the camera counts it again after its repeat pause (2 s).
      await until(async () => Number(await page.locator('#scan-code').getAttribute('data-scans')) >= 3, 'the camera saw the label only once');
      await shoot(page, 'movement-receive-camera');
      await page.getByRole('button', { name: 'Stop the camera' }).click();
      const counted = await line.getByLabel('Quantity').inputValue();
      expect(Number(counted)).toBeGreaterThanOrEqual(2);
      const wasm = requests.filter((url) => url.endsWith('.wasm'));
      expect(wasm.length).toBeGreaterThan(0);
      expect(wasm.every((url) => url.startsWith(dashboard.base))).toBe(true);
      await page.getByRole('button', { name: 'Record receive' }).click();
      await page.locator('.movement-id').waitFor();
      // The read model follows the receipt within moments; these reads carry no position.
      let onHand: number[] = [];
      for (const started = Date.now(); Date.now() - started < 10_000 && onHand.length === 0; await new Promise((resolve) => setTimeout(resolve, 200))) {
        onHand = ((await (await call('GET', '/api/stock?sku=CAM-1&location=CAM-BIN')).json()) as { items: { onHand: number }[] }).items.map((item) => item.onHand);
      }
      expect(onHand).toEqual([Number(counted)]);
    });
  }, 120_000);
});
