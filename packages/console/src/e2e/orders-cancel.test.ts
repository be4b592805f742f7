/**
 * Cancelling an order from its page: a confirmation in a modal dialog, the
 * TMF622 cancelProductOrder request, and the states that follow (assessing,
 * pending, cancelled) arriving live while the page stays open.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startConsole, type ConsoleHarness } from './harness.ts';

type Doc = Record<string, unknown>;

let h: ConsoleHarness;
beforeAll(async () => {
  h = await startConsole();
});
afterAll(async () => h?.close());

describe('cancelling an order', () => {
  it('cancels an order in progress from its page, with a confirmation, and shows the states that follow live', async () => {
    const jane = await h.first<{ id: string }>('/tmf-api/party/v4/individual?givenName=Jane');
    const account = await h.first<{ id: string }>(`/tmf-api/accountManagement/v4/billingAccount?relatedParty.id=${jane.id}`);
    const address = await h.first<{ id: string }>('/tmf-api/geographicAddressManagement/v4/geographicAddress?postcode=10117');
    const offering = await h.first<{ id: string; name: string }>('/tmf-api/productCatalogManagement/v4/productOffering?name=Fibre%20300');
    const page = await h.newPage('desktop');
    await h.signIn(page, 'orderManagement', '/orders');

    // the simulated network takes its time on this order's activations (a control characteristic), so it is still in progress when cancelled
    const created = await h.call<{ id: string; state: string }>('POST', '/tmf-api/productOrderingManagement/v4/productOrder', {
      relatedParty: [{ id: jane.id, name: 'Jane Doe', role: 'customer', '@referredType': 'Individual' }],
      billingAccount: { id: account.id, '@referredType': 'BillingAccount' },
      productOrderItem: [{
        id: '1', action: 'add', quantity: 1, productOffering: { id: offering.id, name: offering.name },
        product: {
          '@type': 'Product',
          productCharacteristic: [{ name: 'downloadSpeed', value: 300 }, { name: 'installationAddress', value: 'Lindenallee 12, 10117 Berlin' }, { name: 'simulateLatencyMs', value: 2500 }],
          place: [{ id: address.id, role: 'installationAddress', '@referredType': 'GeographicAddress' }],
        },
      }],
    });
    expect(created.status).toBe(201);
    expect(created.body.state).toBe('acknowledged');

    // the new order shows up in the open list by itself
    await page.getByRole('link', { name: created.body.id }).click();
    await page.locator('[data-live="open"]').waitFor();
    await page.evaluate(() => {
      (window as unknown as { __notReloaded: boolean }).__notReloaded = true;
    });
    await page.getByRole('button', { name: 'Cancel order' }).click();
    const dialog = page.getByRole('dialog', { name: /Cancel order/ });
    await dialog.waitFor();
    // keeping the order closes the dialog and changes nothing
    await dialog.getByRole('button', { name: 'Keep the order' }).click();
    await expect(dialog.isVisible()).resolves.toBe(false);
    await page.getByRole('button', { name: 'Cancel order' }).click();
    await dialog.getByLabel('Reason (optional)').fill('The customer changed their mind');
    await h.checkA11y(page);
    await dialog.getByRole('button', { name: 'Cancel the order' }).click();
    await page.getByRole('table', { name: 'Cancellation requests of this order' }).waitFor();
    await page.getByTestId('order-state').getByText('cancelled', { exact: true }).waitFor({ timeout: 30_000 });
    await expect.poll(() => page.getByRole('table', { name: 'Cancellation requests of this order' }).textContent(), { timeout: 10_000 }).toContain('done');
    expect(await page.evaluate(() => (window as unknown as { __notReloaded?: boolean }).__notReloaded === true)).toBe(true);
    await expect(page.getByRole('button', { name: 'Cancel order' }).count()).resolves.toBe(0);
    // the service and resource orders went with it
    const graph = page.getByTestId('decomposition-graph');
    await expect.poll(() => graph.locator('[data-node="Service order"]').getAttribute('data-state')).toBe('cancelled');
    const order = (await h.call<Doc>('GET', `/tmf-api/productOrderingManagement/v4/productOrder/${created.body.id}`)).body;
    expect(order['state']).toBe('cancelled');
    expect(order['cancellationReason']).toBe('The customer changed their mind');
  });
});
