import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestOperon, type TestOperon } from '@operon/server/testing';
import { runCtk } from '@operon/tmf/testing';
import { resourceInventoryComponent } from './index.ts';

// the kit asserts on every instance a list returns, so it gets a database of its own
let op: TestOperon;

beforeAll(async () => {
  op = await startTestOperon({ components: [resourceInventoryComponent] });
});
afterAll(async () => op?.close());

describe('TM Forum conformance kit TMF639', () => {
  it('passes with zero failed assertions', async () => {
    const base = `${op.url}/tmf-api/resourceInventoryManagement/v4`;
    // resources of both subclasses already there, one handed out by a pool
    const post = (path: string, body: unknown) => fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect((await post('/physicalResource', { name: 'OLT-CTK', serialNumber: 'SN-1' })).status).toBe(201);
    const pool = (await (await post('/resourcePool', { name: 'CTK', kind: 'ipv4', cidr: '192.0.2.0/30', resourceSpecification: { id: 'rs', href: 'https://example.com/rs' } })).json()) as { id: string };
    expect((await post('/resourcePool/reserve', { resourcePool: { id: pool.id } })).status).toBe(201);
    const r = await runCtk('TMF639', base);
    expect(r.failures).toEqual([]);
    expect(r.failedAssertions).toBe(0);
    expect(r.requests).toBe(10);
    expect(r.assertions).toBe(81);
    console.info(`TMF639 CTK: ${r.requests} requests, ${r.assertions} assertions, ${r.failedAssertions} failed`);
  });
});
