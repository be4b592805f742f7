/**
 * The inventory page: products, services and resources with their filters,
 * and the relationship view from a delivered product down to its resources
 * (and from a resource up to what it serves).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startConsole, type ConsoleHarness } from './harness.ts';

let h: ConsoleHarness;
let janeOrder: string;

beforeAll(async () => {
  h = await startConsole();
  const jane = (await h.call<{ id: string }[]>('GET', '/tmf-api/party/v4/individual?givenName=Jane')).body[0]!;
  janeOrder = (await h.call<{ id: string }[]>('GET', `/tmf-api/productOrderingManagement/v4/productOrder?relatedParty.id=${jane.id}`)).body[0]!.id;
  // the demo's order is fulfilled once the relay hands it over
  const until = Date.now() + 30_000;
  while ((await h.call<{ state: string }>('GET', `/tmf-api/productOrderingManagement/v4/productOrder/${janeOrder}`)).body.state !== 'completed') {
    if (Date.now() > until) throw new Error(`the demo order ${janeOrder} did not complete`);
    await new Promise((r) => setTimeout(r, 200));
  }
});
afterAll(async () => h?.close());

describe('inventory', () => {
  it("shows a completed order's product with its services and resources, from the order page", async () => {
    const page = await h.newPage('desktop');
    await h.signIn(page, 'sales', `/orders/${janeOrder}`);
    await page.getByRole('link', { name: 'See the products of this order in the inventory' }).click();
    await page.getByRole('heading', { level: 1, name: 'Inventory' }).waitFor();
    await expect(page.getByLabel('Product order id').inputValue()).resolves.toBe(janeOrder);
    const products = page.getByRole('table', { name: 'Products in the inventory' });
    await expect.poll(() => products.locator('tbody tr').count()).toBe(1);
    await page.getByRole('button', { name: /^Relationships of / }).click();
    const view = page.getByTestId('relationship-view');
    await view.waitFor();
    // the VLAN depends on the port: the port shows under its service and under the VLAN
    await expect.poll(() => view.locator('li[data-kind="resource"]').count()).toBe(4);
    await expect(view.locator('li[data-kind="service"]').count()).resolves.toBe(3);
    const text = (await view.textContent()) ?? '';
    for (const s of ['Internet access', 'FTTH access', 'IP connectivity', 'BER-MITTE-OLT01/1/1/', 'GPON ONT port', 'Customer VLAN', 'Public IPv4 address']) expect(text).toContain(s);
    await expect(view.locator('li[data-kind="resource"][data-state="reserved"]').count()).resolves.toBe(4);
    await h.checkA11y(page);
    await h.screenshots(page, 'inventory');

    // from a resource up: the service it supports and the product it realizes
    await view.getByRole('button', { name: /^Show the relationships of resource 198\.51\.100\./ }).click();
    await view.getByRole('heading', { name: /^Resource 198\.51\.100\./ }).waitFor();
    const serves = (await view.textContent()) ?? '';
    expect(serves).toContain('Serves');
    expect(serves).toContain('IP connectivity');
    expect(serves).toContain('Fibre 300');
  });

  it('filters services and resources', async () => {
    const page = await h.newPage('mobile');
    await h.signIn(page, 'networkOperations', '/inventory');
    await page.getByRole('button', { name: 'Services' }).click();
    await page.getByLabel('Category').selectOption('CFS');
    await page.getByLabel('State').selectOption('active');
    await page.getByRole('button', { name: 'Apply' }).click();
    const services = page.getByRole('table', { name: 'Services in the inventory' });
    await expect.poll(async () => (await services.locator('tbody tr').allTextContents()).every((r) => r.includes('CFS') && r.includes('active'))).toBe(true);
    await expect(services.locator('tbody tr').count()).resolves.toBeGreaterThan(0);

    await page.getByRole('button', { name: 'Resources' }).click();
    await page.getByLabel('Status').selectOption('reserved');
    await page.getByLabel('Usage').selectOption('active');
    await page.getByRole('button', { name: 'Apply' }).click();
    const resources = page.getByRole('table', { name: 'Resources in the inventory' });
    // what the demo's orders took from the pools: ports, VLANs, addresses, SIM cards, numbers
    await expect.poll(async () => resources.locator('tbody tr').count()).toBeGreaterThanOrEqual(6);
    expect((await resources.locator('tbody tr').allTextContents()).every((r) => r.includes('reserved') && r.includes('usage active'))).toBe(true);
    await page.getByLabel('Value').fill('no such value');
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.getByText('No resource matches these filters.').waitFor();
    await h.checkA11y(page);
  });
});
