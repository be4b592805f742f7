import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startConsole, type ConsoleHarness } from './harness.ts';

let h: ConsoleHarness;
beforeAll(async () => {
  h = await startConsole();
});
afterAll(async () => h?.close());

const CUSTOMER = '/tmf-api/customerManagement/v4';

describe('customers', () => {
  it('finds a customer by a person\'s name, typed in lower case, and by e-mail', async () => {
    const page = await h.newPage();
    await h.signIn(page, 'sales', '/customers');
    const all = await h.call<unknown[]>('GET', `${CUSTOMER}/customer`);
    await page.getByRole('region', { name: `Customers (${all.body.length})` }).waitFor();
    await h.checkA11y(page);
    await h.screenshots(page, 'customers');

    await page.getByRole('searchbox', { name: 'Find a customer' }).fill('jane');
    await page.getByRole('button', { name: 'Search' }).click();
    const results = page.getByRole('region', { name: 'Customers matching “jane” (1)' });
    await results.waitFor();
    await expect(results.getByRole('row', { name: /Jane Doe/ }).textContent()).resolves.toContain('given name');

    await page.getByRole('searchbox', { name: 'Find a customer' }).fill('it@acme-logistics.example');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByRole('region', { name: /matching “it@acme-logistics.example” \(1\)/ }).getByRole('link', { name: 'Acme Logistics' }).waitFor();

    await page.getByRole('searchbox', { name: 'Find a customer' }).fill('Nobody Atall');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByText('No customer matches “Nobody Atall”.').waitFor();
  });

  it('shows a customer with its party, accounts, products and orders', async () => {
    const page = await h.newPage();
    await h.signIn(page, 'sales', '/customers?q=Jane%20Doe');
    await page.getByRole('link', { name: 'Jane Doe' }).click();
    await page.getByRole('heading', { level: 1, name: 'Jane Doe' }).waitFor();
    await page.getByRole('region', { name: 'Party', exact: true }).getByText('jane.doe@example.com').waitFor();
    await page.getByRole('region', { name: 'Accounts', exact: true }).getByText('Jane Doe — home').waitFor();
    const orders = page.getByRole('region', { name: 'Orders', exact: true });
    await orders.getByRole('link', { name: 'demo-jane' }).waitFor();
    await expect(orders.textContent()).resolves.toContain('Fibre 300');
    await expect(page.getByRole('region', { name: 'Trouble tickets' }).textContent()).resolves.toContain('Not yet available');
    await expect(page.getByRole('region', { name: 'Bills' }).textContent()).resolves.toContain('Not yet available');
    // products appear once the demo order is fulfilled; the section shows what the inventory holds now
    const partyId = (await h.call<{ engagedParty: { id: string } }[]>('GET', `${CUSTOMER}/customer?name=Jane%20Doe`)).body[0]!.engagedParty.id;
    const held = await h.call<unknown[]>('GET', `/tmf-api/productInventory/v4/product?relatedParty.id=${partyId}`);
    const products = page.getByRole('region', { name: 'Products', exact: true });
    if (held.body.length) await products.getByRole('link', { name: 'Fibre 300' }).first().waitFor();
    else await products.getByText('No product yet.').waitFor();
    await h.checkA11y(page);
    await h.screenshots(page, 'customer');
  });

  it('takes a customer straight to its own record and shows no one else', async () => {
    const page = await h.newPage();
    await h.signIn(page, 'customer', '/customers');
    await page.getByRole('heading', { level: 1, name: 'Jane Doe' }).waitFor();
    await expect(page.getByRole('navigation', { name: 'Primary' }).getByRole('link', { name: 'My account' }).getAttribute('aria-current')).resolves.toBe('page');
    await page.goto(`${h.url}/customers?q=Acme%20Logistics`);
    await page.getByText('No customer matches “Acme Logistics”.').waitFor();
  });
});
