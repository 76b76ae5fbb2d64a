import AxeBuilder from '@axe-core/playwright';
import { expect, it } from '@jest/globals';
import type { Page } from 'playwright-core';
import { screens } from '../../web/src/app/navigation.js';
import { describeInBrowser, useDashboard, viewports } from '../support/dashboard.js';

/** The serious and critical violations axe finds on the page, one line each, with where they are. */
async function seriousViolations(page: Page): Promise<string[]> {
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice']).analyze();
  return results.violations
    .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
    .map((violation) => `${violation.impact} ${violation.id}: ${violation.help} at ${violation.nodes.map((node) => node.target.join(' ')).join(', ')}`);
}

describeInBrowser('accessibility of every screen (axe-core in Chromium)', () => {
  const dashboard = useDashboard();
  const { freshPage, signIn } = dashboard;

  it('finds no serious or critical violation on Sign in and registration, empty and refused', async () => {
    const page = await freshPage();
    await page.reload();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    const found: Record<string, string[]> = { 'sign-in': await seriousViolations(page) };
    await page.getByLabel('Company').fill('demo');
    await page.getByLabel('Username').fill('nobody');
    await page.getByLabel('Password').fill('not the password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.locator('.invalid-feedback').first().waitFor();
    found['sign-in refused'] = await seriousViolations(page);
    await page.goto(`${dashboard.base}/register`);
    await page.getByRole('button', { name: 'Register' }).waitFor();
    found.register = await seriousViolations(page);
    await page.getByRole('button', { name: 'Register' }).click();
    await page.locator('.invalid-feedback').first().waitFor();
    found['register refused'] = await seriousViolations(page);
    await page.close();
    expect(found).toEqual(Object.fromEntries(Object.keys(found).map((key) => [key, []])));
  }, 120_000);

  it('finds no serious or critical violation on any screen of the menu, at laptop and tablet size', async () => {
    const page = await freshPage();
    // Bootstrap turns its transitions off for reduced motion: axe then checks each state as it
    // settles, never a button half-way through its hover fade (CI once caught the Menu button
    // mid-fade, white on near-white, a contrast no user is left looking at).
    await page.emulateMedia({ reducedMotion: 'reduce' });
    await page.reload();
    await signIn(page, dashboard.demo.username, dashboard.demo.password);
    const found: Record<string, string[]> = {};
    for (const screen of [...screens.map((each) => each.path), '/no-such-page']) {
      for (const [device, size] of Object.entries(viewports)) {
        await page.setViewportSize(size);
        await page.goto(`${dashboard.base}${screen}`);
        await page.getByRole('heading', { level: 1 }).first().waitFor();
        // Let the screen's first reads answer, so that what is checked is the filled screen (not
        // 'networkidle': the live stream keeps a request open for as long as the page is there).
        await page.waitForTimeout(300);
        await page.locator('.spinner-border').first().waitFor({ state: 'hidden', timeout: 5_000 }).catch(() => undefined);
        found[`${screen} ${device}`] = await seriousViolations(page);
      }
    }
    // The tablet's menu, opened.
    await page.setViewportSize(viewports.tablet);
    await page.getByRole('button', { name: 'Menu' }).click();
    await page.locator('#sidenav').getByRole('link').first().waitFor();
    found['menu open tablet'] = await seriousViolations(page);
    await page.close();
    expect(found).toEqual(Object.fromEntries(Object.keys(found).map((key) => [key, []])));
  }, 600_000);
});
