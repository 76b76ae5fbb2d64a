import { expect, it } from '@jest/globals';
import { describeInBrowser, useDashboard } from '../support/dashboard.js';

describeInBrowser('the dashboard in Chromium, against the real service', () => {
  const dashboard = useDashboard();
  const { freshPage, signIn, shoot } = dashboard;

  it('signs in to the demo tenant, asking for the company on localhost', async () => {
    const page = await freshPage();
    await page.reload();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await shoot(page, 'sign-in');
    await page.getByLabel('Company').fill('demo');
    await page.getByLabel('Username').fill(dashboard.demo.username);
    await page.getByLabel('Password').fill('not the password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText('Wrong username or password.').waitFor();
    await page.getByLabel('Password').fill(dashboard.demo.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('button', { name: 'Sign out' }).waitFor();
    expect(await page.locator('header').innerText()).toContain('demo');
    await page.close();
  }, 60_000);

  it('shows every rule of the registration at its field', async () => {
    const page = await freshPage();
    await page.goto(`${dashboard.base}/register`);
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
    await signIn(page, dashboard.demo.username, dashboard.demo.password);
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
    const login = await fetch(`${dashboard.base}/api/auth/login`, { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-Tenant': 'demo' }, body: JSON.stringify(dashboard.demo) });
    const { token } = (await login.json()) as { token: string };
    const created = await fetch(`${dashboard.base}/api/users`, {
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
    await page.goto(`${dashboard.base}/receive`);
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
    await page.keyboard.type(dashboard.demo.username);
    await page.keyboard.press('Tab');
    await page.keyboard.type(dashboard.demo.password);
    await page.keyboard.press('Enter');
    await page.getByRole('button', { name: 'Sign out' }).waitFor();
    await page.close();
  }, 60_000);
});
