/**
 * The orders list: filters by state, customer and date, paging, and what a
 * customer may see (only its own orders; another's order page is not found).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startConsole, type ConsoleHarness } from './harness.ts';

let h: ConsoleHarness;
let acmeOrder: string;
let raviParty: string;

beforeAll(async () => {
  h = await startConsole();
  const acme = (await h.call<{ id: string }[]>('GET', '/tmf-api/party/v4/organization?tradingName=Acme%20Logistics')).body[0]!;
  acmeOrder = (await h.call<{ id: string }[]>('GET', `/tmf-api/productOrderingManagement/v4/productOrder?relatedParty.id=${acme.id}`)).body[0]!.id;
  raviParty = (await h.call<{ id: string }[]>('GET', '/tmf-api/party/v4/individual?givenName=Ravi')).body[0]!.id;
  // orders the capture check refuses (an offering the catalog does not have) are kept, rejected, and never fulfilled: enough of them for a second page
  for (let i = 0; i < 18; i++) {
    const r = await h.call<{ state: string }>('POST', '/tmf-api/productOrderingManagement/v4/productOrder', {
      relatedParty: [{ id: raviParty, name: 'Ravi Kumar', role: 'customer', '@referredType': 'Individual' }],
      productOrderItem: [{ id: '1', action: 'add', productOffering: { id: `no-such-offering-${i}` } }],
    });
    expect(r.body.state).toBe('rejected');
  }
});
afterAll(async () => h?.close());

describe('orders list', () => {
  it('filters by state, customer and date, a page at a time, and passes axe', async () => {
    const page = await h.newPage('desktop');
    await h.signIn(page, 'orderManagement', '/orders');
    const table = page.getByRole('table', { name: 'Product orders, newest first' });
    const pages = page.getByRole('navigation', { name: 'Order pages' });
    await table.waitFor();
    // the demo's four orders and the eighteen rejected ones
    await expect.poll(() => pages.getByRole('status').textContent()).toBe('1–20 of 22');
    await pages.getByRole('button', { name: 'Next' }).click();
    await expect.poll(() => pages.getByRole('status').textContent()).toBe('21–22 of 22');
    await expect(pages.getByRole('button', { name: 'Next' }).isDisabled()).resolves.toBe(true);
    await pages.getByRole('button', { name: 'Previous' }).click();
    await expect.poll(() => pages.getByRole('status').textContent()).toBe('1–20 of 22');

    await page.getByLabel('State').selectOption('cancelled');
    await page.getByRole('button', { name: 'Apply' }).click();
    // the demo's order cancelled as it was placed
    await expect.poll(() => pages.getByRole('status').textContent()).toBe('1–1 of 1');
    await expect(table.locator('tbody tr').textContent()).resolves.toContain('cancelled');

    await page.getByLabel('State').selectOption('');
    await page.getByLabel('Customer').selectOption({ label: 'Acme Logistics' });
    await page.getByRole('button', { name: 'Apply' }).click();
    await expect.poll(() => table.textContent()).toContain(acmeOrder);
    await expect(pages.getByRole('status').textContent()).resolves.toBe('1–1 of 1');

    await page.getByRole('button', { name: 'Clear' }).click();
    await page.getByLabel('Ordered until').fill('2020-01-01');
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.getByText('No order matches these filters.').waitFor();
    await page.getByRole('button', { name: 'Clear' }).click();
    await expect.poll(() => pages.getByRole('status').textContent()).toBe('1–20 of 22');
    await h.checkA11y(page);
    await h.screenshots(page, 'orders');
  });

  it("does not show a customer another customer's order, in the list or on its page", async () => {
    const page = await h.newPage('mobile');
    await h.signIn(page, 'customer', '/orders');
    const table = page.getByRole('table', { name: 'Product orders, newest first' });
    // Jane's own order, and only it
    await expect.poll(() => page.getByRole('navigation', { name: 'Order pages' }).getByRole('status').textContent()).toBe('1–1 of 1');
    await expect(table.textContent()).resolves.not.toContain(acmeOrder);
    await expect(page.getByLabel('Customer').count()).resolves.toBe(0);
    await page.goto(`${h.url}/orders/${acmeOrder}`);
    await page.getByRole('heading', { level: 1, name: 'Order not found' }).waitFor();
    await h.checkA11y(page);
  });
});
