import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startConsole, timeToUsable, type ConsoleHarness } from './harness.ts';

let h: ConsoleHarness;
beforeAll(async () => {
  h = await startConsole();
});
afterAll(async () => h?.close());

describe('sign-in', () => {
  it('is served by Operon at any console address, with the sign-in form', async () => {
    const page = await h.newPage();
    const ms = await timeToUsable(page, `${h.url}/catalog`, (p) => p.getByRole('button', { name: 'Sign in' }).waitFor());
    // reported, not asserted: timings are for the bench, never a test's verdict (README, Contributing)
    console.log(`first usable page (sign-in form, fresh browser context): ${Math.round(ms)} ms`);
    expect(ms).toBeGreaterThan(0);
    await expect(page.getByRole('heading', { level: 1, name: 'Sign in' }).isVisible()).resolves.toBe(true);
    await h.checkA11y(page);
    await h.screenshots(page, 'signin');
  });

  it('runs under the server\'s content security policy', async () => {
    const served = await fetch(`${h.url}/catalog`, { headers: { accept: 'text/html' } });
    expect(served.headers.get('content-security-policy')).toContain("script-src 'self'");
    const page = await h.newPage('desktop', { enforceCsp: true });
    const violations: string[] = [];
    page.on('console', (m) => {
      if (/Content Security Policy/i.test(m.text())) violations.push(m.text());
    });
    await h.signIn(page, 'administrator', '/capabilities');
    await page.getByRole('button', { name: /^Order Handling/ }).click();
    await page.getByRole('dialog', { name: 'Order Handling' }).waitFor();
    await page.keyboard.press('Escape');
    for (const [path, heading] of [['/catalog', 'Catalog'], ['/customers', 'Customers'], ['/operations', 'Operations']] as const) {
      await page.getByRole('navigation', { name: 'Primary' }).getByRole('link', { name: heading, exact: true }).click();
      await page.getByRole('heading', { level: 1, name: heading }).waitFor();
      expect(new URL(page.url()).pathname).toBe(path);
    }
    expect(violations).toEqual([]);
  });

  it('refuses a wrong password with a visible message', async () => {
    const page = await h.newPage();
    await page.goto(h.url + '/');
    await page.getByLabel('Username').fill('admin');
    await page.getByLabel('Password').fill('not the password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.getByRole('alert').textContent()).resolves.toContain('Wrong username or password');
  });

  it('signs in, shows the role-aware navigation, and keeps the session over a reload', async () => {
    const page = await h.newPage();
    await h.signIn(page, 'administrator', '/capabilities');
    const nav = page.getByRole('navigation', { name: 'Primary' });
    for (const item of ['Dashboard', 'Orders', 'Customers', 'Catalog', 'eTOM map', 'Operations']) {
      await expect(nav.getByRole('link', { name: item, exact: true }).isVisible()).resolves.toBe(true);
    }
    expect(new URL(page.url()).pathname).toBe('/capabilities');
    await page.reload();
    await nav.getByRole('link', { name: 'Operations' }).waitFor();
    // signed in (the token survives in the tab), the start page with its data
    const ms = await timeToUsable(page, `${h.url}/`, async (p) => {
      await p.locator('main h1').first().waitFor();
      await p.locator('main .loading').first().waitFor({ state: 'detached' });
    });
    console.log(`first usable page (start page, signed in): ${Math.round(ms)} ms`);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    expect(await page.evaluate(() => sessionStorage.getItem('operon.token'))).toBeNull();
  });

  it('shows a customer only what a customer may do', async () => {
    const page = await h.newPage();
    await h.signIn(page, 'customer');
    const nav = page.getByRole('navigation', { name: 'Primary' });
    await nav.getByRole('link', { name: 'My orders' }).waitFor();
    const links = await nav.getByRole('link').allTextContents();
    expect(links).toEqual(expect.arrayContaining(['My orders', 'My products', 'My account', 'Catalog', 'eTOM map']));
    expect(links).not.toContain('Operations');
    expect(links).not.toContain('Dashboard');
    // no KPIs for a customer: `/` lands on their orders
    expect(new URL(page.url()).pathname).toBe('/orders');
  });

  it('opens the navigation from a menu button on a phone', async () => {
    const page = await h.newPage('mobile');
    await h.signIn(page, 'sales');
    const menu = page.getByRole('button', { name: 'Menu' });
    await expect(menu.getAttribute('aria-expanded')).resolves.toBe('false');
    await expect(page.getByRole('link', { name: 'Customers' }).isVisible()).resolves.toBe(false);
    await menu.click();
    await page.getByRole('link', { name: 'Customers' }).click();
    expect(new URL(page.url()).pathname).toBe('/customers');
    await expect(page.getByRole('button', { name: 'Menu' }).getAttribute('aria-expanded')).resolves.toBe('false');
    await h.checkA11y(page);
  });
});
