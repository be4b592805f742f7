import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestOperon, type TestOperon } from '../testing.ts';
import { demoSteps, seedDemo } from './seed.ts';

let op: TestOperon;
beforeAll(async () => {
  op = await startTestOperon();
});
afterAll(async () => op?.close());

async function get(path: string) {
  const r = await fetch(op.url + path);
  return { status: r.status, body: (await r.json()) as Record<string, unknown>[] };
}

describe('demo data', () => {
  it('loads the demo operator and catalog through the services, once', async () => {
    const steps: string[] = [];
    const r = await seedDemo(op.runtime, (done, total, what) => steps.push(`${done}/${total} ${what}`));
    expect(r.seeded).toBe(true);
    expect(r.created).toBe(demoSteps.length);
    expect(steps.at(-1)).toMatch(/^(\d+)\/\1 /);
    const again = await seedDemo(op.runtime);
    expect(again.seeded).toBe(false);
  });

  it('sells FTTH, mobile and VoIP, launched, with recurring, one-time and usage prices', async () => {
    const offers = await get('/tmf-api/productCatalogManagement/v4/productOffering?lifecycleStatus=Launched');
    expect(offers.body.map((o) => o['name'])).toEqual(expect.arrayContaining(['Fibre 300', 'Fibre 1000', 'Mobile 10 GB', 'Mobile Unlimited', 'Business VoIP line']));
    const prices = await get('/tmf-api/productCatalogManagement/v4/productOfferingPrice?fields=priceType');
    expect(new Set(prices.body.map((p) => p['priceType']))).toEqual(new Set(['recurring', 'oneTime', 'usage']));
  });

  it('decomposes FTTH from product spec to CFS to RFS to ONT port, VLAN and IPv4 resource specs', async () => {
    const [spec] = (await get('/tmf-api/productCatalogManagement/v4/productSpecification?name=FTTH%20broadband')).body;
    const cfsRef = (spec!['serviceSpecification'] as { id: string }[])[0]!;
    const cfs = (await fetch(`${op.url}/tmf-api/serviceCatalogManagement/v4/serviceSpecification/${cfsRef.id}`).then((r) => r.json())) as Record<string, unknown>;
    expect(cfs).toMatchObject({ name: 'Internet access', '@type': 'CustomerFacingServiceSpecification', lifecycleStatus: 'Active' });
    const resources: string[] = [];
    for (const rel of cfs['serviceSpecRelationship'] as { id: string }[]) {
      const rfs = (await fetch(`${op.url}/tmf-api/serviceCatalogManagement/v4/serviceSpecification/${rel.id}`).then((r) => r.json())) as Record<string, unknown>;
      expect(rfs['@type']).toBe('ResourceFacingServiceSpecification');
      for (const rs of rfs['resourceSpecification'] as { id: string }[]) {
        const res = (await fetch(`${op.url}/tmf-api/resourceCatalog/v4/resourceSpecification/${rs.id}`).then((r) => r.json())) as Record<string, unknown>;
        resources.push(String(res['name']));
      }
    }
    expect(resources.sort()).toEqual(['Customer VLAN', 'GPON ONT port', 'Public IPv4 address']);
  });

  it('has customers with billing accounts', async () => {
    const customers = await get('/tmf-api/customerManagement/v4/customer');
    expect(customers.body.length).toBeGreaterThanOrEqual(4);
    const jane = customers.body.find((c) => c['name'] === 'Jane Doe')!;
    const account = (jane['account'] as { id: string; '@referredType': string }[])[0]!;
    expect(account['@referredType']).toBe('BillingAccount');
    const ba = await fetch(`${op.url}/tmf-api/accountManagement/v4/billingAccount/${account.id}`);
    expect(ba.status).toBe(200);
  });
});
