import { catalogLifecycle } from '@operon/tmf';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CATALOG_CREATABLE, CATALOG_TRANSITIONS } from '../pages/catalog/data.ts';
import { startConsole, type ConsoleHarness } from './harness.ts';

const PRODUCT = '/tmf-api/productCatalogManagement/v4';
let h: ConsoleHarness;
beforeAll(async () => {
  h = await startConsole();
});
afterAll(async () => h?.close());

describe('catalog', () => {
  it('knows the lifecycle the server enforces', () => {
    const lc = catalogLifecycle('ProductOffering');
    expect(Object.keys(CATALOG_TRANSITIONS).sort()).toEqual([...lc.states].sort());
    for (const s of lc.states) expect(CATALOG_TRANSITIONS[s]).toEqual(lc.next(s));
    expect([...CATALOG_CREATABLE]).toEqual(lc.creatable);
  });

  it('lists offerings, catalogs, prices and specifications down to resources', async () => {
    const page = await h.newPage();
    await h.signIn(page, 'productManager', '/catalog');
    const offers = page.getByRole('region', { name: /^Product offerings/ });
    await offers.getByRole('link', { name: 'Fibre 300', exact: true }).waitFor();
    await expect(offers.getByRole('row', { name: /Fibre 300 .*Launched/ }).textContent()).resolves.toContain('39.99 EUR per month');
    await h.checkA11y(page);
    await h.screenshots(page, 'catalog');

    await page.getByRole('button', { name: 'Catalogs & categories' }).click();
    await page.getByRole('region', { name: 'Catalogs' }).getByText('Consumer catalog').waitFor();
    await page.getByRole('button', { name: 'Service specifications' }).click();
    await page.getByRole('link', { name: 'Internet access' }).first().click();
    // the customer-facing service: which product uses it, which services it depends on
    await page.getByRole('heading', { level: 1, name: 'Internet access' }).waitFor();
    await page.getByRole('region', { name: 'Used by' }).getByRole('link', { name: 'FTTH broadband' }).waitFor();
    await page.getByRole('region', { name: 'Delivered with' }).getByRole('link', { name: 'FTTH access' }).click();
    await page.getByRole('region', { name: 'Delivered with' }).getByRole('link', { name: 'GPON ONT port' }).waitFor();
    await h.checkA11y(page);
    await h.screenshots(page, 'catalog-specification');
  });

  it('creates an offering and moves it through its lifecycle to Launched', async () => {
    const page = await h.newPage();
    await h.signIn(page, 'productManager', '/catalog');
    await page.getByRole('link', { name: 'New offering' }).click();
    await page.getByLabel('Name', { exact: true }).fill('Fibre 500 (console test)');
    await page.getByLabel('Description').fill('500 Mbps fibre, created from the console');
    await page.getByLabel('Product specification').selectOption({ label: 'FTTH broadband (Launched)' });
    await page.getByRole('checkbox', { name: /^Fibre 300 monthly fee/ }).check();
    await page.getByRole('checkbox', { name: /^Fibre installation/ }).check();
    await page.getByRole('checkbox', { name: 'Broadband' }).check();
    await h.checkA11y(page);
    await h.screenshots(page, 'catalog-new-offering');
    await page.getByRole('button', { name: 'Create offering' }).click();

    await page.getByRole('heading', { level: 1, name: 'Fibre 500 (console test)' }).waitFor();
    const id = new URL(page.url()).pathname.split('/').pop()!;
    const lifecycle = page.getByRole('region', { name: 'Lifecycle' });
    await expect(lifecycle.getByText('In design', { exact: true }).isVisible()).resolves.toBe(true);
    for (const [button, state] of [['Move to In test', 'In test'], ['Approve (Active)', 'Active'], ['Launch', 'Launched']] as const) {
      await lifecycle.getByRole('button', { name: button }).click();
      await page.getByRole('status').filter({ hasText: `The offering is now ${state}.` }).waitFor();
    }
    const saved = await h.call<{ lifecycleStatus: string; productOfferingPrice: { id: string }[]; category: { name: string }[] }>('GET', `${PRODUCT}/productOffering/${id}`);
    expect(saved.body.lifecycleStatus).toBe('Launched');
    expect(saved.body.productOfferingPrice).toHaveLength(2);
    expect(saved.body.category.map((c) => c.name)).toEqual(['Broadband']);
    await expect(lifecycle.getByRole('button').allTextContents()).resolves.toEqual(['Retire']);
    await h.checkA11y(page);
    await h.screenshots(page, 'catalog-offering');

    // edited after launch: the name is not a sale term
    await page.getByRole('button', { name: 'Edit' }).click();
    await page.getByLabel('Name', { exact: true }).fill('Fibre 500');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.getByRole('heading', { level: 1, name: 'Fibre 500', exact: true }).waitFor();
    expect((await h.call<{ name: string }>('GET', `${PRODUCT}/productOffering/${id}`)).body.name).toBe('Fibre 500');
  });

  it('shows the server\'s reason when a launch is refused', async () => {
    const created = await h.call<{ id: string }>('POST', `${PRODUCT}/productOffering`, { name: 'No price yet', lifecycleStatus: 'In design', isBundle: false });
    expect(created.status).toBe(201);
    for (const state of ['In test', 'Active']) {
      expect((await h.call('PATCH', `${PRODUCT}/productOffering/${created.body.id}`, { lifecycleStatus: state })).status).toBe(200);
    }
    const page = await h.newPage();
    await h.signIn(page, 'productManager', `/catalog/offerings/${created.body.id}`);
    await page.getByRole('button', { name: 'Launch' }).click();
    await expect(page.getByRole('alert').textContent()).resolves.toMatch(/needs a productSpecification before it is launched/);
    expect((await h.call<{ lifecycleStatus: string }>('GET', `${PRODUCT}/productOffering/${created.body.id}`)).body.lifecycleStatus).toBe('Active');
  });

  it('offers no editing to a role that may only read the catalog', async () => {
    const offering = (await h.call<{ id: string }[]>('GET', `${PRODUCT}/productOffering?name=Fibre%20300`)).body[0]!;
    const page = await h.newPage();
    await h.signIn(page, 'sales', `/catalog/offerings/${offering.id}`);
    await page.getByRole('heading', { level: 1, name: 'Fibre 300' }).waitFor();
    await expect(page.getByText('Your role can look at the catalog but not change it.').isVisible()).resolves.toBe(true);
    expect(await page.getByRole('button', { name: 'Edit' }).count()).toBe(0);
    await page.goto(`${h.url}/catalog`);
    await page.getByRole('link', { name: 'Fibre 300', exact: true }).waitFor();
    expect(await page.getByRole('link', { name: 'New offering' }).count()).toBe(0);
  });
});
