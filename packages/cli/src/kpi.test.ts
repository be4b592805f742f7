import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  PATHS, addOrder, defineArea, defineCustomer, defineOffering, ftthDefinition, operonApi, waitForOrder,
} from '@operon/lead-to-cash/testing';
import { startTestOperon, type TestOperon } from '@operon/server/testing';
import { duration, sinceOf } from './commands/kpi.ts';
import { operon } from './testing/run-cli.ts';

let op: TestOperon;
let placedAt: number;

beforeAll(async () => {
  // the flow's tasks each hold a transaction and may take a second connection: the pool the flow's own tests use
  op = await startTestOperon({ config: { dbPoolSize: 20 } });
  const api = operonApi(op.url);
  const ftth = await defineOffering(api, ftthDefinition('KPI Fibre'));
  const area = await defineArea(api, { area: 'KPI-AREA-OLT01', street: 'Messweg', olt: 'KPIOLT', ports: 2, vlans: { start: 10, end: 11 }, cidr: '203.0.113.0/30' }, ftth.resourceSpecs);
  const customer = await defineCustomer(api, 'Kim', 'Kpi');
  placedAt = Date.now();
  const order = await api.post(`${PATHS.productOrder}/productOrder`, addOrder(customer, ftth.offering, area.address, { downloadSpeed: '1000' }));
  await waitForOrder(api, order.id, ['completed'], 90_000);
}, 180_000);
afterAll(async () => op?.close());

describe('operon kpi', () => {
  it('reports orders by state, fallout, order-to-activation per offering and the eTOM steps, with bars', async () => {
    const r = await operon(['kpi', '--url', op.url]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Lead-to-Cash KPIs\n/);
    expect(r.stdout).toMatch(/^Orders by state \(1\)$/m);
    expect(r.stdout).toMatch(/^completed\s+1\s+█{24}$/m);
    expect(r.stdout).toMatch(/^Fallout {2}0\.0% {2}\(0 of 1 ended orders failed or partial\) {2}░{24}$/m);
    expect(r.stdout).toMatch(/^KPI Fibre\s+1\s+[\d.]+ (ms|s|min)\s+[\d.]+ (ms|s|min)\s+█{24}$/m);
    // one line per eTOM L3 task the order went through, the slowest with a full bar, columns aligned
    const steps = r.stdout.slice(r.stdout.indexOf('Duration per eTOM L3 step'));
    const lines = steps.split('\n').slice(1).filter(Boolean);
    expect(lines[0]).toMatch(/^ETOM L3 TASK\s+DONE\s+FAILED\s+P50\s+P90\s+MAX\s+LATE$/);
    for (const task of ['Track & Manage Service Provisioning', 'Allocate & Install Resource', 'Configure & Activate Resource', 'Implement, Configure & Activate Service', 'Complete Customer Order', 'Close Customer Order']) {
      expect(lines.some((l) => l.startsWith(task)), task).toBe(true);
    }
    const rows = lines.slice(2);
    expect(new Set(rows.map((l) => l.search(/[█░]/))).size).toBe(1);
    expect(rows.every((l) => /[█░]{24}$/.test(l))).toBe(true);
    expect(rows.some((l) => l.endsWith('█'.repeat(24)))).toBe(true);
  });

  it('prints the raw KPIs with --json, and narrows them with --since', async () => {
    const r = await operon(['kpi', '--url', op.url, '--json']);
    expect(r.code).toBe(0);
    const k = JSON.parse(r.stdout) as { ordersByState: Record<string, number>; orderToActivation: Array<{ productOfferingName: string; orders: number }>; etomSteps: unknown[]; since: string | null };
    expect(k.ordersByState).toEqual({ completed: 1 });
    expect(k.orderToActivation).toMatchObject([{ productOfferingName: 'KPI Fibre', orders: 1 }]);
    expect(k.etomSteps.length).toBeGreaterThanOrEqual(6);
    expect(k.since).toBeNull();

    const later = await operon(['kpi', '--url', op.url, '--json', '--since', new Date(Date.now() + 60_000).toISOString()]);
    expect(JSON.parse(later.stdout)).toMatchObject({ ordersByState: {}, orderToActivation: [], etomSteps: [] });
    const recent = await operon(['kpi', '--url', op.url, '--since', `${Math.ceil((Date.now() - placedAt) / 60_000) + 1}m`]);
    expect(recent.stdout).toMatch(/^Lead-to-Cash KPIs since \d{4}-\d\d-\d\dT/);
    expect(recent.stdout).toMatch(/^completed\s+1/m);
    const none = await operon(['kpi', '--url', op.url, '--since', new Date(Date.now() + 60_000).toISOString()]);
    expect(none.stdout).toContain('no completed orders yet');
    expect(none.stdout).toContain('no steps ran yet');
  });

  it('refuses a bad --since (exit 2) and is listed in the help', async () => {
    const bad = await operon(['kpi', '--url', op.url, '--since', 'yesterday-ish']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--since takes a date-time .* or a span/);
    const help = await operon(['help']);
    expect(help.stdout).toMatch(/^ {2}kpi {7}Lead-to-Cash KPIs/m);
    const own = await operon(['kpi', '--help']);
    expect(own.stdout).toMatch(/^Usage: operon kpi/);
  });

  it('reads spans and durations as people write them', () => {
    const now = Date.parse('2026-03-01T12:00:00Z');
    expect(sinceOf('90m', now)).toBe('2026-03-01T10:30:00.000Z');
    expect(sinceOf('7d', now)).toBe('2026-02-22T12:00:00.000Z');
    expect(sinceOf('2026-01-01', now)).toBe('2026-01-01T00:00:00.000Z');
    expect([duration(850), duration(4200), duration(210_000), duration(7_560_000)]).toEqual(['850 ms', '4.2 s', '3.5 min', '2.1 h']);
  });
});
