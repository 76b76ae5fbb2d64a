import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect, it } from '@jest/globals';
import { chromium } from 'playwright-core';
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

  it('finds the article a camera scan of its EAN-13 names (Chromium fake camera, ZXing wasm from our origin)', async () => {
    const article = await articleWithBarcode();
    const folder = await mkdtemp(path.join(tmpdir(), 'fake-camera-'));
    const video = path.join(folder, 'ean13.y4m');
    await writeEan13Y4m(video, article.barcode);
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
      await page.goto(`${dashboard.base}/scan`);
      await page.getByRole('heading', { name: 'Scan', level: 1 }).waitFor();
      // The scanner's code is not part of what the first screen loads.
      expect(requests.some((url) => url.endsWith('.wasm'))).toBe(false);
      await page.getByRole('button', { name: 'Scan with the camera' }).click();
      await page.waitForURL(`${dashboard.base}/articles/${encodeURIComponent(article.sku)}`, { timeout: 30_000 });
      const wasm = requests.filter((url) => url.endsWith('.wasm'));
      expect(wasm.length).toBeGreaterThan(0);
      expect(wasm.every((url) => url.startsWith(dashboard.base))).toBe(true);
    } finally {
      await browser.close();
      await rm(folder, { recursive: true, force: true });
    }
  }, 120_000);
});
