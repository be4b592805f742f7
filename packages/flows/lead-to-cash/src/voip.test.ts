import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestOperon, type TestOperon } from '@operon/server/testing';
import { createLeadToCashFlow } from './index.ts';
import {
  PATHS, addOrder, changeOrder, defineOffering, operonApi, poolFree, waitForOrder,
  type Customer, type Doc, type Offering, type OperonApi,
} from './testing.ts';

/**
 * A business VoIP line, as the demo sells it: a SIP line (RFS) on a
 * geographic number of the customer's area and a SIP account, both from
 * pools, configured on the simulated network and released when the line
 * ends or its delivery fails.
 */

let op: TestOperon;
let api: OperonApi;
let voip: Offering;
let bremen: Doc;
let nowhere: Doc;
const pools: Record<string, Doc> = {};

const SIP_DOMAIN = 'voice.operon.example';
const CLOSED = ['completed', 'failed', 'partial', 'cancelled'];

const ref = (d: Doc) => ({ id: d.id, href: d.href, name: d['name'], '@referredType': 'ResourceSpecification' });
const address = (street: string, city: string, accessArea: string) =>
  api.post(`${PATHS.address}/geographicAddress`, { streetNr: '7', streetName: street, city, postcode: '28199', country: 'DE', accessArea });
const pool = (body: Record<string, unknown>) => api.post(`${PATHS.resourceInventory}/resourcePool`, body);

beforeAll(async () => {
  op = await startTestOperon({
    flows: [createLeadToCashFlow({ engine: { concurrency: 4, pollMs: 50, retry: { maxAttempts: 3, baseMs: 50, maxMs: 200 } } })],
    config: { dbPoolSize: 12, relay: { retryBaseMs: 50, retryMaxMs: 500, maxAttempts: 8, pollMs: 100 } },
  });
  api = operonApi(op.url);
  voip = await defineOffering(api, {
    name: 'Business VoIP line', resources: ['Geographic number', 'SIP account'],
    rfs: [{ name: 'SIP line', resources: ['Geographic number', 'SIP account'] }],
    cfs: 'VoIP telephony', characteristics: [{ name: 'channels', values: ['1', '2', '10'], default: '1' }], monthly: 9.5,
  });
  const did = voip.resourceSpecs['Geographic number']!;
  // geographic numbers serve their own area: Berlin's pool, created first, must not hand numbers to Bremen
  pools['berlin'] = await pool({ name: 'Berlin +49 30 555 000xx', kind: 'did', accessArea: 'BER-MITTE-OLT01', resourceSpecification: ref(did), range: { start: '49305550000', end: '49305550009' } });
  pools['bremen'] = await pool({ name: 'Bremen +49 421 555 00xx', kind: 'did', accessArea: 'BRE-IND-OLT01', resourceSpecification: ref(did), range: { start: '494215550000', end: '494215550009' } });
  pools['sip'] = await pool({ name: 'SIP accounts', kind: 'sip', resourceSpecification: ref(voip.resourceSpecs['SIP account']!), range: { start: 'sip-0000001', end: 'sip-0000100' }, sipDomain: SIP_DOMAIN });
  bremen = await address('Industriepark', 'Bremen', 'BRE-IND-OLT01');
  nowhere = await address('Hafenstraße', 'Emden', 'EMD-HAFEN-OLT01');
}, 180_000);
afterAll(async () => op?.close());

/** A business customer: an organization with an active billing account. */
async function business(name: string): Promise<Customer> {
  const party = await api.post(`${PATHS.party}/organization`, { name, tradingName: name, organizationType: 'company' });
  const relatedParty = { id: party.id, name, role: 'customer', '@referredType': 'Organization' };
  const billingAccount = await api.post(`${PATHS.account}/billingAccount`, { name, relatedParty: [relatedParty] });
  return { party, billingAccount, relatedParty };
}

const free = () => Promise.all(['berlin', 'bremen', 'sip'].map((k) => poolFree(api, pools[k]!)));
const charOf = (r: Doc, name: string) => (r['resourceCharacteristic'] as Doc[] | undefined)?.find((c) => c['name'] === name)?.['value'];

async function networkOf(resourceId: string) {
  const numbers = await op.db.query<{ number: string; number_type: string }>('SELECT number, number_type FROM activation_sim_number WHERE resource_id = $1', [resourceId]);
  const accounts = await op.db.query<{ username: string; domain: string }>('SELECT username, domain FROM activation_sim_sip_account WHERE resource_id = $1', [resourceId]);
  return { numbers: numbers.rows, accounts: accounts.rows };
}

describe('Lead-to-Cash: a business VoIP line', () => {
  let customer: Customer;
  let productId: string;

  it('qualifies where the area has geographic numbers, and not where it has none', async () => {
    const poq = await api.post(`${PATHS.poq}/productOfferingQualification`, {
      instantSyncQualification: true,
      productOfferingQualificationItem: [{ id: '1', productOffering: { id: voip.offering.id, name: voip.offering['name'] } }],
      place: [{ id: bremen.id, role: 'installationAddress', '@referredType': 'GeographicAddress' }],
    });
    expect((poq['productOfferingQualificationItem'] as Doc[])[0]!['qualificationItemResult']).toBe('qualified');
    const elsewhere = await api.post(`${PATHS.poq}/productOfferingQualification`, {
      instantSyncQualification: true,
      productOfferingQualificationItem: [{ id: '1', productOffering: { id: voip.offering.id, name: voip.offering['name'] } }],
      place: [{ id: nowhere.id, role: 'installationAddress', '@referredType': 'GeographicAddress' }],
    });
    const item = (elsewhere['productOfferingQualificationItem'] as Doc[])[0]!;
    expect(item['qualificationItemResult']).toBe('unqualified');
    expect(JSON.stringify(item['eligibilityUnavailabilityReason'])).toContain('Geographic number');
  });

  it('delivers the line: a Bremen number and a SIP account, reserved for the customer and configured on the network', async () => {
    customer = await business('Acme Logistics');
    const before = await free();
    const placed = await api.post(`${PATHS.productOrder}/productOrder`, addOrder(customer, voip.offering, bremen, { channels: '2' }));
    const done = await waitForOrder(api, placed.id, CLOSED);
    expect(done['state'], JSON.stringify(done['productOrderErrorMessage'])).toBe('completed');

    const [product] = await api.get<Doc[]>(`${PATHS.productInventory}/product?relatedParty.id=${customer.party.id}`);
    productId = product!.id;
    expect(product).toMatchObject({ status: 'active', productOffering: { id: voip.offering.id }, productCharacteristic: [{ name: 'channels', value: '2' }] });
    const services = await Promise.all((product!['realizingService'] as Doc[]).map((s) => api.get(`${PATHS.serviceInventory}/service/${s.id}`)));
    expect(services.map((s) => [s['category'], s['state']]).sort()).toEqual([['CFS', 'active'], ['RFS', 'active']]);

    // TMF639: the number and the account, in use by the customer
    const resources = await Promise.all((product!['realizingResource'] as Doc[]).map((r) => api.get(`${PATHS.resourceInventory}/resource/${r.id}`)));
    expect(resources.map((r) => r['category']).sort()).toEqual(['did', 'sip']);
    for (const r of resources) expect(r).toMatchObject({ '@type': 'LogicalResource', resourceStatus: 'reserved', usageState: 'active', relatedParty: [{ id: customer.party.id }] });
    const did = resources.find((r) => r['category'] === 'did')!;
    const sip = resources.find((r) => r['category'] === 'sip')!;
    expect(String(did['value'])).toMatch(/^49421555000\d$/);
    expect(did['resourceSpecification']).toMatchObject({ id: voip.resourceSpecs['Geographic number']!.id });
    // what the network configured comes back as characteristics
    expect(charOf(did, 'number')).toBe(did['value']);
    expect(sip).toMatchObject({ value: 'sip-0000001', name: `sip-0000001@${SIP_DOMAIN}`, resourceSpecification: { id: voip.resourceSpecs['SIP account']!.id } });
    expect([charOf(sip, 'username'), charOf(sip, 'domain')]).toEqual(['sip-0000001', SIP_DOMAIN]);
    // the two go together: the account depends on the number (or the number on the account)
    expect([...(did['resourceRelationship'] as Doc[] | undefined ?? []), ...(sip['resourceRelationship'] as Doc[] | undefined ?? [])]).toHaveLength(1);

    // the network holds a geographic number and a SIP account
    expect(await networkOf(did.id)).toEqual({ numbers: [{ number: `+${String(did['value'])}`, number_type: 'geographic' }], accounts: [] });
    expect(await networkOf(sip.id)).toEqual({ numbers: [], accounts: [{ username: 'sip-0000001', domain: SIP_DOMAIN }] });
    // one from Bremen, none from Berlin
    expect(await free()).toEqual([before[0], before[1]! - 1, before[2]! - 1]);
  });

  it('fails and gives everything back when the network refuses: number and account free again, nothing configured', async () => {
    const who = await business('Nordwind Bakery');
    const before = await free();
    const placed = await api.post(`${PATHS.productOrder}/productOrder`, addOrder(who, voip.offering, bremen, { channels: '1', simulateFailure: 'refused' }));
    const done = await waitForOrder(api, placed.id, CLOSED);
    expect(done['state']).toBe('failed');
    expect(JSON.stringify(done['productOrderErrorMessage'])).toMatch(/refused/);
    expect(await free()).toEqual(before);
    const held = await api.get<Doc[]>(`${PATHS.resourceInventory}/resource?relatedParty.id=${who.party.id}`);
    expect(held).toEqual([]);
    const configured = await op.db.query<{ n: number }>(
      `SELECT (SELECT count(*) FROM activation_sim_sip_account)::int + (SELECT count(*) FROM activation_sim_number)::int AS n`,
    );
    // only the first customer's number and account
    expect(configured.rows[0]!.n).toBe(2);
  });

  it('terminates the line: number and account released to their pools and removed from the network', async () => {
    const product = await api.get(`${PATHS.productInventory}/product/${productId}`);
    const before = await free();
    const placed = await api.post(`${PATHS.productOrder}/productOrder`, changeOrder(customer, productId, 'delete'));
    const done = await waitForOrder(api, placed.id, CLOSED);
    expect(done['state'], JSON.stringify(done['productOrderErrorMessage'])).toBe('completed');
    expect((await api.get(`${PATHS.productInventory}/product/${productId}`))['status']).toBe('terminated');
    for (const r of product['realizingResource'] as Doc[]) {
      expect(await api.get(`${PATHS.resourceInventory}/resource/${r.id}`)).toMatchObject({ resourceStatus: 'available', usageState: 'idle' });
      expect(await networkOf(r.id)).toEqual({ numbers: [], accounts: [] });
    }
    expect(await free()).toEqual([before[0], before[1]! + 1, before[2]! + 1]);

    // the account is handed out again, to the next customer, as the same resource
    const next = await business('Skyline Offices');
    const again = await api.post(`${PATHS.productOrder}/productOrder`, addOrder(next, voip.offering, bremen, { channels: '10' }));
    expect((await waitForOrder(api, again.id, CLOSED))['state']).toBe('completed');
    const [p] = await api.get<Doc[]>(`${PATHS.productInventory}/product?relatedParty.id=${next.party.id}`);
    const sip = (await Promise.all((p!['realizingResource'] as Doc[]).map((r) => api.get(`${PATHS.resourceInventory}/resource/${r.id}`)))).find((r) => r['category'] === 'sip')!;
    expect(sip['value']).toBe('sip-0000001');
    expect((product['realizingResource'] as Doc[]).map((r) => r.id)).toContain(sip.id);
  });
});
