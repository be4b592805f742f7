/**
 * The order pages in a browser against a real Operon with the demo data: an
 * FTTH order captured through the guided flow by a sales user and followed to
 * `completed` live (no reload), with its decomposition and the timeline of
 * its eTOM steps.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { SCREENSHOT_DIR, VIEWPORTS, startConsole, type ConsoleHarness } from './harness.ts';

type Doc = Record<string, unknown>;

let h: ConsoleHarness;
/** The order placed through the guided flow. */
let placed: string;

beforeAll(async () => {
  h = await startConsole();
});
afterAll(async () => h?.close());

describe('orders', () => {
  it('captures an FTTH order for a new customer, step by step, and follows it to completed without a reload', async () => {
    const page = await h.newPage('desktop');
    await h.signIn(page, 'sales', '/orders/new');
    const steps = page.getByRole('navigation', { name: 'Order capture steps' });
    await expect(steps.locator('[aria-current="step"]').textContent()).resolves.toBe('Customer');

    // step 1: continuing without a customer is refused with a message
    await page.getByRole('button', { name: 'Continue' }).click();
    await expect(page.getByRole('alert').first().textContent()).resolves.toContain('Choose or create the customer');

    // a new customer, with the billing account the flow opens for it
    await page.getByRole('button', { name: 'New customer' }).click();
    await page.getByRole('button', { name: 'Create customer' }).click();
    await page.getByText('Given name is required').waitFor();
    await page.getByLabel('Given name').fill('Max');
    await page.getByLabel('Family name').fill('Mustermann');
    await page.getByLabel('Email (optional)').fill('max@example.com');
    await page.getByRole('button', { name: 'Create customer' }).click();
    await page.getByRole('radio', { name: /Max Mustermann/ }).waitFor();
    await expect(page.getByRole('radio', { name: /Max Mustermann/ }).isChecked()).resolves.toBe(true);
    await page.getByText('has no active billing account yet').waitFor();
    await page.getByRole('button', { name: 'Open a billing account' }).click();
    await expect.poll(() => page.getByLabel('Charge the order to').inputValue()).not.toBe('');
    await page.getByRole('button', { name: 'Continue' }).click();

    // step 2: an address the referential does not know exactly is refused, with the known ones offered
    await expect(steps.locator('[aria-current="step"]').textContent()).resolves.toBe('Address');
    await page.getByLabel('Street').fill('Hafenweg');
    await page.getByLabel('Number').fill('99');
    await page.getByLabel('Postcode').fill('20457');
    await page.getByLabel('City').fill('Hamburg');
    await page.getByRole('button', { name: 'Check the address' }).click();
    await page.getByText('not in the address referential').or(page.getByText('not known exactly')).waitFor();
    await page.getByLabel('Number').fill('3');
    await page.getByRole('button', { name: 'Check the address' }).click();
    await page.getByText('Address known').waitFor();
    await expect(page.getByText('Address known').textContent()).resolves.toContain('HAM-HAFEN-OLT01');
    await page.getByRole('button', { name: 'Continue' }).click();

    // step 3: offerings qualified at the address; Fibre 300 with its characteristics
    await page.getByRole('radio', { name: /^Fibre 300/ }).waitFor();
    // with the keyboard: the arrow keys move along the offerings, Enter in a field asks for the quote
    await page.getByRole('radio', { name: /^Fibre 1000/ }).focus();
    await page.keyboard.press('ArrowDown');
    await expect(page.getByRole('radio', { name: /^Fibre 300/ }).isChecked()).resolves.toBe(true);
    await expect.poll(() => page.getByLabel('downloadSpeed').inputValue()).toBe('300');
    await expect(page.getByLabel('installationAddress').inputValue()).resolves.toBe('Hafenweg 3, 20457 Hamburg');
    await h.checkA11y(page);
    await h.screenshots(page, 'capture');
    await page.getByLabel('installationAddress').focus();
    await page.keyboard.press('Enter');

    // step 4: the quote, priced from the catalog
    await page.getByTestId('quote-totals').waitFor();
    await expect(page.getByTestId('quote-totals').textContent()).resolves.toMatch(/Total monthly: .*47\.99/);
    await expect(page.getByRole('table', { name: 'Priced items' }).textContent()).resolves.toContain('Fibre installation');
    await page.getByRole('button', { name: 'Continue to the order' }).click();

    // step 5: accept the quote and place the order: the flow ends on the order page
    // every state the order page shows is recorded, in this window: a reload would lose the record
    await page.evaluate(() => {
      const w = window as unknown as { __states: string[] };
      w.__states = [];
      new MutationObserver(() => {
        const shown = document.querySelector('[data-testid="order-state"]')?.textContent ?? '';
        if (shown && w.__states.at(-1) !== shown) w.__states.push(shown);
      }).observe(document.body, { subtree: true, childList: true, characterData: true });
    });
    await page.getByRole('button', { name: 'Accept the quote and place the order' }).click();
    await page.waitForURL((u) => /^\/orders\/(?!new$)[^/]+$/.test(u.pathname));
    placed = new URL(page.url()).pathname.split('/').pop()!;
    expect(placed).not.toBe('new');
    await page.getByRole('heading', { level: 1, name: new RegExp(placed) }).waitFor();

    // live: the state moves on to completed as events arrive, with no reload and no polling
    await page.locator('[data-live="open"]').waitFor();
    await page.getByTestId('order-state').getByText('completed', { exact: true }).waitFor({ timeout: 30_000 });
    const states = await page.evaluate(() => (window as unknown as { __states?: string[] }).__states);
    expect(states?.[0]).toMatch(/acknowledged|inProgress/);
    expect(states?.at(-1)).toBe('State: completed');
    const graph = page.getByTestId('decomposition-graph');
    await expect.poll(async () => graph.locator('[data-node="Resource order"][data-state="completed"]').count(), { timeout: 10_000 }).toBe(1);
    await expect(graph.locator('[data-node="Service order"][data-state="completed"]').count()).resolves.toBe(1);
    await expect(page.getByRole('table', { name: 'Milestones' }).textContent()).resolves.toContain('serviceOrderOpened');
    // the order as the API has it: the quote's items and prices, the new customer, the place
    const order = (await h.call<Doc>('GET', `/tmf-api/productOrderingManagement/v4/productOrder/${placed}`)).body;
    expect(order['state']).toBe('completed');
    expect(order['relatedParty']).toEqual([expect.objectContaining({ name: 'Max Mustermann', role: 'customer', '@referredType': 'Individual' })]);
    const item = (order['productOrderItem'] as Doc[])[0]!;
    expect((item['itemPrice'] as Doc[]).map((p) => p['priceType']).sort()).toEqual(['oneTime', 'recurring']);
    expect((item['product'] as Doc)['place']).toEqual([expect.objectContaining({ role: 'installationAddress' })]);
    const quote = (await h.call<Doc>('GET', `/tmf-api/quoteManagement/v4/quote/${(order['quote'] as Doc[])[0]!['id']}`)).body;
    expect(quote['state']).toBe('accepted');
  });

  it('shows the timeline of eTOM steps to order management, and the order page passes axe', async () => {
    expect(placed).toBeDefined();
    const page = await h.newPage('desktop');
    await h.signIn(page, 'orderManagement', `/orders/${placed}`);
    const timeline = page.getByTestId('run-timeline');
    await timeline.waitFor();
    const steps = await page.getByRole('table', { name: 'Time per eTOM L3 step' }).textContent();
    for (const step of ['Track & Manage Service Provisioning', 'Allocate & Install Resource', 'Configure & Activate Resource', 'Implement, Configure & Activate Service', 'Close Customer Order']) {
      expect(steps).toContain(step);
    }
    await expect(page.getByRole('table', { name: 'Tasks of the run, in the order they started' }).getByRole('row').count()).resolves.toBeGreaterThan(8);
    await h.checkA11y(page);
    await h.screenshots(page, 'order');
    // the decomposition and the timeline, scrolled to below the sticky header at each size
    for (const [kind, size] of Object.entries(VIEWPORTS)) {
      await page.setViewportSize(size);
      await page.getByRole('heading', { level: 2, name: 'Decomposition' }).evaluate((e) => window.scrollTo(0, e.getBoundingClientRect().top + window.scrollY - 80));
      await page.waitForTimeout(150);
      await page.screenshot({ path: path.join(SCREENSHOT_DIR, `order-fulfilment-${kind}.png`) });
    }
  });
});
