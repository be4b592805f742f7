import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestOperon, type TestOperon } from '@operon/server/testing';
import { productCatalogComponent } from './index.ts';

// the kit asserts on every instance a list returns, so it gets a database of its own
let op: TestOperon;

beforeAll(async () => {
  op = await startTestOperon({ components: [productCatalogComponent] });
});
afterAll(async () => op?.close());

describe('TM Forum conformance kit TMF620', () => {
  it('passes with zero failed assertions', async () => {
    const { runCtk } = await import('@operon/tmf/testing');
    const r = await runCtk('TMF620', `${op.url}/tmf-api/productCatalogManagement/v4`);
    expect(r.failures).toEqual([]);
    expect(r.failedAssertions).toBe(0);
    expect(r.requests).toBe(47);
    expect(r.assertions).toBeGreaterThan(350);
    console.info(`TMF620 CTK: ${r.requests} requests, ${r.assertions} assertions, ${r.failedAssertions} failed`);
  });
});
