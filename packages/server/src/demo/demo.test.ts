import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestOperon, type TestOperon } from '../testing.ts';
import { demoActivitySteps, demoSteps, seedDemo } from './seed.ts';

let op: TestOperon;
beforeAll(async () => {
  // the flow's tasks each hold a transaction and may take a second connection: the pool the flow's own tests use
  op = await startTestOperon({ config: { dbPoolSize: 20 } });
});
afterAll(async () => op?.close());

async function get(path: string) {
  const r = await fetch(op.url + path);
  return { status: r.status, body: (await r.json()) as Record<string, unknown>[] };
}

async function post(path: string, body: unknown) {
  const r = await fetch(op.url + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: r.status, body: (await r.json()) as Record<string, unknown> };
}

describe('demo data', () => {
  it('loads the demo operator and catalog through the services, once', async () => {
    const steps: string[] = [];
    const r = await seedDemo(op.runtime, (done, total, what) => steps.push(`${done}/${total} ${what}`));
    expect(r.seeded).toBe(true);
    expect(r.created).toBe(demoSteps.length + demoActivitySteps.length);
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

  it('serves every customer address from an access area with pools for FTTH and geographic numbers, and the country with mobile and SIP pools', async () => {
    const addresses = await get('/tmf-api/geographicAddressManagement/v4/geographicAddress');
    const areas = addresses.body.map((a) => a['accessArea']).filter(Boolean);
    expect(areas).toHaveLength(4);
    const pools = (await get('/tmf-api/resourceInventoryManagement/v4/resourcePool')).body;
    for (const area of areas) {
      expect(pools.filter((p) => p['accessArea'] === area).map((p) => p['kind']).sort(), String(area)).toEqual(['did', 'ipv4', 'port', 'vlan']);
    }
    expect(pools.filter((p) => !p['accessArea']).map((p) => p['kind']).sort()).toEqual(['msisdn', 'sim', 'sip']);
    for (const p of pools) expect((p['resourceSpecification'] as { id?: string } | undefined)?.id, String(p['name'])).toBeTruthy();
  });

  it('places orders the Lead-to-Cash flow fulfils: products, services and resources in the inventories', async () => {
    const orders = async () => (await get('/tmf-api/productOrderingManagement/v4/productOrder')).body;
    const until = Date.now() + 90_000;
    let states: Record<string, string> = {};
    while (Date.now() < until) {
      states = Object.fromEntries((await orders()).map((o) => [String(o['description']), String(o['state'])]));
      if (Object.values(states).every((s) => ['completed', 'cancelled', 'failed', 'partial', 'rejected'].includes(s))) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(states).toEqual({
      'Fibre 300 at home': 'completed', 'A mobile plan': 'completed', 'Fibre 1000 for the head office': 'completed',
      'Fibre 300 for the shop, cancelled for the quoted Fibre 1000': 'cancelled',
    });
    const products = (await get('/tmf-api/productInventory/v4/product')).body;
    expect(products.map((p) => p['status'])).toEqual(['active', 'active', 'active']);
    expect(products.map((p) => (p['billingAccount'] as { id?: string } | undefined)?.id).every(Boolean)).toBe(true);
    const services = (await get('/tmf-api/serviceInventory/v4/service')).body;
    // fibre: Internet access with FTTH access and IP connectivity; mobile: Mobile voice and data with its subscription
    expect(services.filter((s) => s['state'] === 'active')).toHaveLength(3 + 3 + 2);
    const resources = (await get('/tmf-api/resourceInventoryManagement/v4/resource')).body;
    expect(resources.length).toBeGreaterThanOrEqual(3 + 3 + 2);
    const cancel = (await get('/tmf-api/productOrderingManagement/v4/cancelProductOrder')).body;
    expect(cancel.map((c) => c['state'])).toEqual(['done']);
    const quote = (await get('/tmf-api/quoteManagement/v4/quote')).body[0]!;
    expect((quote['quoteTotalPrice'] as unknown[] | undefined)?.length).toBeGreaterThan(0);
  }, 120_000);

  it('sells the Business VoIP line to a business customer: a number of its city and a SIP account', async () => {
    const [offering] = (await get('/tmf-api/productCatalogManagement/v4/productOffering?name=Business%20VoIP%20line')).body;
    const [acme] = (await get('/tmf-api/party/v4/organization?tradingName=Acme%20Logistics')).body;
    const accounts = (await get(`/tmf-api/accountManagement/v4/billingAccount?relatedParty.id=${String(acme!['id'])}`)).body;
    const [address] = (await get('/tmf-api/geographicAddressManagement/v4/geographicAddress?accessArea=BRE-IND-OLT01')).body;
    const customer = { id: acme!['id'], name: 'Acme Logistics', role: 'customer', '@referredType': 'Organization' };
    const placed = await post('/tmf-api/productOrderingManagement/v4/productOrder', {
      description: 'A VoIP line for the head office', relatedParty: [customer],
      billingAccount: { id: accounts[0]!['id'], '@referredType': 'BillingAccount' },
      productOrderItem: [{
        id: '1', action: 'add', quantity: 1, productOffering: { id: offering!['id'], name: offering!['name'] },
        product: { '@type': 'Product', productCharacteristic: [{ name: 'channels', value: 2 }], place: [{ id: address!['id'], role: 'installationAddress', '@referredType': 'GeographicAddress' }] },
      }],
    });
    expect(placed.status, JSON.stringify(placed.body)).toBe(201);
    const until = Date.now() + 60_000;
    let order = placed.body;
    while (Date.now() < until && !['completed', 'failed', 'partial', 'rejected'].includes(String(order['state']))) {
      await new Promise((r) => setTimeout(r, 200));
      order = (await fetch(`${op.url}/tmf-api/productOrderingManagement/v4/productOrder/${String(placed.body['id'])}`).then((r) => r.json())) as Record<string, unknown>;
    }
    expect(order['state'], JSON.stringify(order['productOrderErrorMessage'])).toBe('completed');
    const products = (await get(`/tmf-api/productInventory/v4/product?productOffering.id=${String(offering!['id'])}`)).body;
    expect(products.map((p) => p['status'])).toEqual(['active']);
    const resources = await Promise.all((products[0]!['realizingResource'] as { id: string }[]).map(async (r) =>
      (await fetch(`${op.url}/tmf-api/resourceInventoryManagement/v4/resource/${r.id}`).then((x) => x.json())) as Record<string, unknown>));
    const byCategory = Object.fromEntries(resources.map((r) => [String(r['category']), r]));
    expect(Object.keys(byCategory).sort()).toEqual(['did', 'sip']);
    // a Bremen number (+49 421), and an account on the operator's SIP platform
    expect(String(byCategory['did']!['value'])).toMatch(/^4942155500\d\d$/);
    expect(byCategory['sip']!['resourceCharacteristic']).toEqual(expect.arrayContaining([
      expect.objectContaining({ name: 'username', value: byCategory['sip']!['value'] }), expect.objectContaining({ name: 'domain', value: 'voice.operon-telecom.example' }),
    ]));
    for (const r of resources) expect(r).toMatchObject({ resourceStatus: 'reserved', usageState: 'active', relatedParty: [{ id: acme!['id'] }] });
  }, 90_000);
});
