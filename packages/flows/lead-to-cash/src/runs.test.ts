import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestOperon, type TestOperon } from '@operon/server/testing';
import { components } from '@operon/server';
import { createLeadToCashFlow } from './index.ts';
import { PATHS, addOrder, defineArea, defineCustomer, defineOffering, ftthDefinition, operonApi, poolFree, waitForOrder, type Area, type Doc, type Offering, type OperonApi } from './testing.ts';

let op: TestOperon;
let api: OperonApi;
let ftth: Offering;
let area: Area;

beforeAll(async () => {
  op = await startTestOperon({
    components,
    flows: [createLeadToCashFlow({ engine: { concurrency: 4, pollMs: 50, retry: { maxAttempts: 3, baseMs: 50, maxMs: 200 } } })],
    config: { dbPoolSize: 12, relay: { retryBaseMs: 50, retryMaxMs: 500, maxAttempts: 8, pollMs: 100 } },
  });
  api = operonApi(op.url);
  ftth = await defineOffering(api, ftthDefinition());
  area = await defineArea(api, { area: 'BER-PANKOW-OLT02', street: 'Breite Straße', olt: 'OLT02', ports: 4, vlans: { start: 200, end: 203 }, cidr: '198.51.100.0/29' }, ftth.resourceSpecs);
}, 180_000);
afterAll(async () => op?.close());

const free = () => Promise.all(Object.values(area.pools).map((p) => poolFree(api, p)));

describe('workflow runs for operators', () => {
  it('lists the run of an order and shows it with its tasks and their eTOM tasks', async () => {
    const who = await defineCustomer(api, 'Grace', 'Hopper');
    const placed = await api.post(`${PATHS.productOrder}/productOrder`, addOrder(who, ftth.offering, area.address, { downloadSpeed: '1000' }));
    expect((await waitForOrder(api, placed.id, ['completed', 'failed']))['state']).toBe('completed');
    const runs = await api.get<Doc[]>(`/ops/workflow/runs?subject=${placed.id}`);
    expect(runs).toHaveLength(1);
    expect(runs[0]!['status']).toBe('succeeded');
    const run = await api.get<Doc & { tasks: Doc[] }>(`/ops/workflow/runs/${runs[0]!.id}`);
    expect(run.tasks.length).toBeGreaterThan(3);
    expect(run.tasks.every((t) => t['status'] === 'done')).toBe(true);
    expect(run.tasks.some((t) => typeof t['etomTask'] === 'string')).toBe(true);
    expect((await api.get<Doc[]>('/ops/workflow/runs?status=succeeded')).map((r) => r.id)).toContain(runs[0]!.id);
  });

  it('refuses bad filters and unknown runs with TMF Errors', async () => {
    const bad = await api.call('GET', '/ops/workflow/runs?status=sleeping');
    expect(bad.status).toBe(400);
    expect(bad.body['@type']).toBe('Error');
    expect((await api.call('GET', '/ops/workflow/runs?since=yesterday')).status).toBe(400);
    // a date JavaScript reads but PostgreSQL cannot hold is the caller's error, not a 500
    expect((await api.call('GET', `/ops/workflow/runs?since=${encodeURIComponent('-271821-04-20T00:00:00Z')}`)).status).toBe(400);
    const missing = await api.call('GET', '/ops/workflow/runs/no-such-run');
    expect(missing.status).toBe(404);
    expect(missing.body['@type']).toBe('Error');
    expect((await api.call('POST', '/ops/workflow/runs/no-such-run/cancel', {})).status).toBe(404);
  });

  it('cancels a run in progress: compensated, resources back, the order failed with the operator’s reason', async () => {
    const who = await defineCustomer(api, 'Edsger', 'Dijkstra');
    const before = await free();
    const placed = await api.post(`${PATHS.productOrder}/productOrder`, addOrder(who, ftth.offering, area.address, { downloadSpeed: '1000', simulateLatencyMs: 1500 }));
    await waitForOrder(api, placed.id, ['inProgress']);
    const [run] = await api.get<Doc[]>(`/ops/workflow/runs?subject=${placed.id}`);
    const cancelled = await api.call<Doc>('POST', `/ops/workflow/runs/${run!.id}/cancel`, { reason: 'stuck at the OLT' });
    expect(cancelled.status).toBe(200);
    const done = await waitForOrder(api, placed.id, ['failed', 'cancelled', 'completed']);
    expect(done['state']).toBe('failed');
    expect(JSON.stringify(done['productOrderErrorMessage'])).toContain('stuck at the OLT');
    expect((await api.get(`/ops/workflow/runs/${run!.id}`))['status']).toBe('cancelled');
    expect(await free()).toEqual(before);
  });
});
