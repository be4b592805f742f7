import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startConsole, type ConsoleHarness } from './harness.ts';

let h: ConsoleHarness;
beforeAll(async () => {
  h = await startConsole();
});
afterAll(async () => h?.close());

describe('eTOM capability map', () => {
  it('lays out the Operations matrix and the SIP areas, coloured by coverage', async () => {
    const page = await h.newPage();
    await h.signIn(page, 'sales', '/capabilities');
    await page.getByRole('heading', { name: 'eTOM capability map' }).waitFor();
    const coverage = (await h.call<{ totals: { covered: number; l3: number }; l2: { id: string; percent: number }[] }>('GET', '/etom/coverage')).body;
    await expect(page.getByText(`${coverage.totals.covered} of ${coverage.totals.l3} L3 tasks implemented`).isVisible()).resolves.toBe(true);
    for (const area of ['Fulfilment / CRM', 'Assurance / RM&O', 'Billing & Revenue', 'SIP / Marketing', 'SIP / Infrastructure']) {
      await expect(page.getByRole('region', { name: area, exact: true }).isVisible()).resolves.toBe(true);
    }
    // every L2 is a card; its colour follows the server's roll-up
    const cards = page.locator('.l2-card');
    expect(await cards.count()).toBe(coverage.l2.length);
    const orderHandling = page.getByRole('button', { name: /^Order Handling/ });
    const percent = coverage.l2.find((c) => c.id === 'order-handling')!.percent;
    await expect(orderHandling.getAttribute('class')).resolves.toContain(percent === 100 ? 'cov-full' : percent > 0 ? 'cov-partial' : 'cov-none');
    await h.checkA11y(page);
    await h.screenshots(page, 'etom-map');
  });

  it('opens an L2 and one of its L3 tasks with description, system type, owner, systems and APIs', async () => {
    const page = await h.newPage();
    await h.signIn(page, 'sales', '/capabilities');
    await page.getByRole('button', { name: /^Order Handling/ }).click();
    const dialog = page.getByRole('dialog', { name: 'Order Handling' });
    await dialog.waitFor();
    const task = (await h.call<{ l3: { name: string; description: string; owner: string; tmfApis: string[]; systemType: string }[] }>('GET', '/etom/l2/order-handling')).body.l3[0]!;
    await dialog.getByText(task.name, { exact: true }).click();
    await expect(dialog.getByText(task.description).isVisible()).resolves.toBe(true);
    const details = dialog.locator('details[open] dl');
    await expect(details.textContent()).resolves.toContain(task.owner);
    await expect(details.textContent()).resolves.toContain(task.tmfApis.join(', '));
    await expect(details.textContent()).resolves.toContain(task.systemType);
    expect(new URL(page.url()).searchParams.get('l2')).toBe('order-handling');
    await h.checkA11y(page);
    await h.screenshots(page, 'etom-l3');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    expect(new URL(page.url()).searchParams.get('l2')).toBeNull();
  });

  it('filters by API and search, and exports the current view as CSV', async () => {
    const page = await h.newPage();
    await h.signIn(page, 'sales', '/capabilities');
    await page.getByLabel('TMF API').selectOption('TMF622');
    const expected = (await h.call<{ name: string }[]>('GET', '/etom/l3?tmfApi=TMF622')).body;
    const table = page.getByRole('region', { name: `${expected.length} tasks` });
    await table.waitFor();
    expect(await table.locator('tbody tr').count()).toBe(expected.length);
    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: /^Export CSV/ }).click();
    const file = await (await download).path();
    const lines = fs.readFileSync(file, 'utf8').trim().split(/\r\n/);
    expect(lines[0]).toBe('area,l2,l3Id,l3,etomId,systemType,owner,exampleSystems,tmfApis,implemented,components,apisServed');
    expect(lines.length - 1).toBe(expected.length);
    expect(lines.slice(1).every((l) => l.includes('TMF622'))).toBe(true);

    await page.getByLabel('Search tasks').fill('trouble');
    const searched = (await h.call<unknown[]>('GET', '/etom/l3?tmfApi=TMF622&q=trouble')).body;
    await page.getByRole('region', { name: `${searched.length} tasks` }).or(page.getByText('No task matches these filters.')).first().waitFor();
    await page.getByRole('button', { name: 'Clear filters' }).click();
    await expect(page.getByRole('heading', { name: 'Matching tasks' }).count()).resolves.toBe(0);
  });

  it('works on a phone', async () => {
    const page = await h.newPage('mobile');
    await h.signIn(page, 'customer', '/capabilities');
    await page.getByRole('button', { name: /^Order Handling/ }).waitFor();
    await h.checkA11y(page);
  });
});
