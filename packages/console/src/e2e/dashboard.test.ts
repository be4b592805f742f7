/**
 * The dashboard: the Lead-to-Cash charts drawn from the demo's orders, their
 * text alternatives, and the period picker.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startConsole, type ConsoleHarness } from './harness.ts';

let h: ConsoleHarness;
beforeAll(async () => {
  h = await startConsole();
  // the demo's orders have ended (fulfilled, or cancelled): the charts have something to show
  const until = Date.now() + 30_000;
  for (;;) {
    const r = await h.call<{ state: string }[]>('GET', '/tmf-api/productOrderingManagement/v4/productOrder?fields=state');
    if (r.body.every((o) => ['completed', 'cancelled', 'failed', 'partial', 'rejected'].includes(o.state))) break;
    if (Date.now() > until) throw new Error('the demo orders did not end');
    await new Promise((res) => setTimeout(res, 200));
  }
});
afterAll(async () => h?.close());

describe('dashboard', () => {
  it('draws orders by state, activation times, fallout and eTOM steps, each with a text alternative', async () => {
    const page = await h.newPage('desktop');
    await h.signIn(page, 'orderManagement', '/');
    await page.getByRole('heading', { level: 1, name: 'Dashboard' }).waitFor();
    for (const id of ['chart-orders-by-state', 'chart-activation', 'chart-fallout', 'chart-etom']) {
      const chart = page.getByTestId(id);
      // drawn: an SVG with shapes in it
      await expect.poll(() => chart.locator('[role="img"] svg path').count(), { message: id }).toBeGreaterThan(2);
      await expect(chart.locator('[role="img"]').getAttribute('aria-label')).resolves.toMatch(/\S+/);
      await expect(chart.locator('table.visually-hidden tbody tr').count()).resolves.toBeGreaterThan(0);
    }
    const byState = (await page.getByTestId('chart-orders-by-state').locator('table').textContent()) ?? '';
    // the demo: three orders completed, one cancelled as it was placed
    expect(byState).toContain('completed3');
    expect(byState).toContain('cancelled1');
    await expect(page.getByTestId('chart-orders-by-state').locator('[role="img"]').getAttribute('aria-label')).resolves.toContain('completed 3');
    const steps = (await page.getByTestId('chart-etom').locator('table').textContent()) ?? '';
    expect(steps).toContain('Configure & Activate Resource');
    await expect(page.getByRole('list', { name: 'Key figures' }).textContent()).resolves.toMatch(/^4Orders placed/);
    await h.checkA11y(page);
    await h.screenshots(page, 'dashboard');
  });

  it('shows another period on demand, and refuses a custom period that ends before it starts', async () => {
    const page = await h.newPage('mobile');
    await h.signIn(page, 'administrator', '/dashboard');
    await page.getByTestId('chart-orders-by-state').locator('[role="img"] svg').waitFor();
    await page.getByLabel('Show', { exact: true }).selectOption('custom');
    await page.getByLabel('From', { exact: true }).fill('2026-01-02T10:00');
    await page.getByLabel('To', { exact: true }).fill('2026-01-01T10:00');
    await page.getByRole('button', { name: 'Show', exact: true }).click();
    await expect(page.getByRole('alert').textContent()).resolves.toContain('must end after it starts');
    // a period long before the demo: nothing was placed then
    await page.getByLabel('From', { exact: true }).fill('2020-01-01T00:00');
    await page.getByLabel('To', { exact: true }).fill('2020-01-08T00:00');
    await page.getByRole('button', { name: 'Show', exact: true }).click();
    await page.getByText('No order placed in this period has completed.').first().waitFor();
    await expect(page.getByRole('list', { name: 'Key figures' }).textContent()).resolves.toMatch(/^0Orders placed/);
    await page.getByLabel('Show', { exact: true }).selectOption('hour');
    await page.getByRole('button', { name: 'Show', exact: true }).click();
    await expect.poll(() => page.getByRole('list', { name: 'Key figures' }).textContent()).toMatch(/^4Orders placed/);
    await h.checkA11y(page);
  });
});
