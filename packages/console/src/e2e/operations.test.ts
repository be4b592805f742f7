import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startConsole, type ConsoleHarness } from './harness.ts';

let h: ConsoleHarness;
/** A hub listener that fails (503) until told otherwise. */
let listener: http.Server;
let failing = true;
const received: string[] = [];
let callback: string;

beforeAll(async () => {
  listener = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      if (failing) return void res.writeHead(503).end('listener down for maintenance');
      received.push(body);
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => listener.listen(0, '127.0.0.1', r));
  callback = `http://127.0.0.1:${(listener.address() as AddressInfo).port}/listener`;
  h = await startConsole();
});
afterAll(async () => {
  await h?.close();
  await new Promise((r) => listener?.close(r));
});

async function until(check: () => Promise<boolean>, ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('operations', () => {
  it('lists consumers and dead letters, and replays one', async () => {
    const sub = await h.call<{ id: string }>('POST', '/tmf-api/party/v4/hub', { callback, query: 'eventType=IndividualCreateEvent&event.individual.familyName=Undelivered' });
    expect(sub.status).toBe(201);
    await h.call('POST', '/tmf-api/party/v4/individual', { givenName: 'Dora', familyName: 'Undelivered' });
    await until(async () => (await h.call<unknown[]>('GET', `/ops/events/deadLetters?consumerId=${sub.body.id}`)).body.length === 1);

    const page = await h.newPage();
    await h.signIn(page, 'administrator', '/operations');
    const consumers = page.getByRole('region', { name: 'Event consumers', exact: true });
    await expect(consumers.getByRole('row', { name: new RegExp(sub.body.id) }).textContent()).resolves.toContain(callback);
    await page.getByRole('region', { name: 'Hub subscriptions', exact: true }).getByText(callback).waitFor();
    const dead = page.getByRole('region', { name: 'Dead letters (1)' });
    const row = dead.getByRole('row', { name: /IndividualCreateEvent/ });
    await expect(row.textContent()).resolves.toContain('503');
    await h.checkA11y(page);
    await h.screenshots(page, 'operations');

    // still failing: the page says so and the letter stays dead
    await row.getByRole('button', { name: /^Replay IndividualCreateEvent/ }).click();
    await expect(page.getByRole('alert').textContent()).resolves.toContain('The listener still fails');
    failing = false;
    await row.getByRole('button', { name: /^Replay IndividualCreateEvent/ }).click();
    await page.getByRole('status').filter({ hasText: 'Delivered IndividualCreateEvent' }).waitFor();
    await page.getByText('No dead letter: every event was delivered.').waitFor();
    expect(received.some((b) => b.includes('Undelivered'))).toBe(true);
    await page.getByLabel('Status').selectOption('replayed');
    await page.getByRole('region', { name: 'Dead letters (1)' }).getByText('replayed', { exact: true }).waitFor();
  });

  it('lets the NOC look but not replay, and hides the page from other roles', async () => {
    const page = await h.newPage();
    await h.signIn(page, 'networkOperations', '/operations');
    await page.getByRole('region', { name: 'Event consumers', exact: true }).waitFor();
    await page.getByLabel('Status').selectOption('');
    await page.getByRole('region', { name: /^Dead letters \(\d+\)/ }).waitFor();
    expect(await page.getByRole('button', { name: /^Replay/ }).count()).toBe(0);

    const sales = await h.newPage();
    await h.signIn(sales, 'sales');
    await sales.getByRole('navigation', { name: 'Primary' }).getByRole('link', { name: 'Customers' }).waitFor();
    expect(await sales.getByRole('navigation', { name: 'Primary' }).getByRole('link', { name: 'Operations' }).count()).toBe(0);
  });
});
