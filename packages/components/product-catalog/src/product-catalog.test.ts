import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestOperon, type TestOperon } from '@operon/server/testing';
import type { CatalogEntity, CatalogReference, TmfErrorBody } from '@operon/tmf';
import type { TmfReply } from '@operon/tmf/testing';
import { productCatalogComponent } from './index.ts';
import { BASE, recordingClient } from './testing.ts';

type Ref = CatalogReference;
/** A catalog entity as the tests read it. */
interface Doc extends CatalogEntity {
  isRoot?: boolean;
  parentId?: string;
  recurringChargePeriodType?: string;
  price: { unit?: string; value: number };
  productOfferingPrice: Ref[];
}
/** A request body. */
type Body = Record<string, unknown>;
type Res = TmfReply<Doc>;

let op: TestOperon;
let api: string;
/** Every response: the client checks each against the official specification, and the last tests count them. */
const { call, post, responses } = recordingClient<Doc>(() => api, {
  catalog: 'Catalog', category: 'Category', productOffering: 'ProductOffering', productOfferingPrice: 'ProductOfferingPrice', productSpecification: 'ProductSpecification',
});

const patch = (resource: string, id: string, body: unknown, headers: Record<string, string> = {}) => call('PATCH', `/${resource}/${id}`, body, headers);

async function moveTo(resource: string, id: string, ...states: string[]): Promise<Doc> {
  let last: Res | undefined;
  for (const s of states) {
    last = await patch(resource, id, { lifecycleStatus: s });
    expect(last.status, `${resource} → ${s}: ${JSON.stringify(last.body)}`).toBe(200);
  }
  return last!.body;
}

const ids = (r: TmfReply<unknown>) => (r.body as Doc[]).map((x) => x.id);
let seq = 0;
const unique = (s: string) => `${s} ${++seq}-${Date.now()}`;

/** Expects a TMF Error with this status whose message names the attribute at fault. */
function expectError(r: TmfReply<unknown>, status: number, field?: string) {
  expect(r.status, JSON.stringify(r.body)).toBe(status);
  expect(r.body).toMatchObject({ '@type': 'Error', code: expect.any(String), reason: expect.any(String), status: String(status) });
  if (field) expect((r.body as TmfErrorBody).message).toContain(field);
}

async function count(resource: string): Promise<number> {
  const r = await call('GET', `/${resource}?fields=id`);
  return Number(r.headers.get('x-total-count'));
}

// --- fixtures --------------------------------------------------------------------------------

const fibreSpec = () => ({
  name: unique('Fibre Broadband'),
  brand: 'Operon Networks',
  productNumber: 'FBB-500',
  version: '1.0',
  description: 'Residential fibre internet access',
  productSpecCharacteristic: [
    {
      name: 'downloadSpeed', valueType: 'integer', configurable: true, minCardinality: 1, maxCardinality: 1,
      productSpecCharacteristicValue: [
        { value: 100, unitOfMeasure: 'Mbps', isDefault: true },
        { value: 500, unitOfMeasure: 'Mbps' },
        { value: 1000, unitOfMeasure: 'Mbps' },
      ],
    },
    { name: 'staticIp', valueType: 'boolean', configurable: true, minCardinality: 0, maxCardinality: 1, productSpecCharacteristicValue: [{ value: false, isDefault: true }, { value: true }] },
    { name: 'dataCap', valueType: 'integer', configurable: true, productSpecCharacteristicValue: [{ valueFrom: 10, valueTo: 1000, rangeInterval: 'closed', unitOfMeasure: 'GB' }] },
    { name: 'routerColour', valueType: 'string', regex: '[a-z]+', productSpecCharacteristicValue: [{ value: 'white', isDefault: true }, { value: 'black' }] },
  ],
  serviceSpecification: [{ id: 'svc-fibre-access', name: 'Fibre Access CFS', version: '2.0', '@referredType': 'ServiceSpecification' }],
  resourceSpecification: [{ id: 'res-ont', name: 'Optical Network Terminal', version: '1' }],
  relatedParty: [{ id: 'pm-1', name: 'Jane Product', role: 'productManager', '@referredType': 'Individual' }],
  attachment: [{ name: 'brochure', url: 'https://example.com/fibre.pdf', mimeType: 'application/pdf' }],
  validFor: { startDateTime: '2024-01-01T00:00:00Z' },
});

const monthlyFee = () => ({
  name: unique('Fibre monthly fee'),
  priceType: 'recurring',
  recurringChargePeriodType: 'month',
  recurringChargePeriodLength: 1,
  price: { unit: 'EUR', value: 39.99 },
  tax: [{ taxCategory: 'VAT', taxRate: 0.2, taxAmount: { unit: 'EUR', value: 8 } }],
  validFor: { startDateTime: '2024-01-01T00:00:00Z', endDateTime: '2030-01-01T00:00:00Z' },
});

/** A specification and a monthly price, both Active: what a launchable offering needs. */
async function activeSpecAndPrice(): Promise<{ spec: Doc; price: Doc }> {
  const spec = await post('productSpecification', fibreSpec());
  const price = await post('productOfferingPrice', monthlyFee());
  await moveTo('productSpecification', spec.id, 'In test', 'Active');
  await moveTo('productOfferingPrice', price.id, 'In test', 'Active');
  return { spec, price };
}

const offeringFor = (spec: Ref, prices: Ref[], extra: Body = {}): Body => ({
  name: unique('Fibre 500'),
  isBundle: false,
  isSellable: true,
  productSpecification: { id: spec.id, href: spec.href, name: spec.name, version: '1.0' },
  productOfferingPrice: prices.map((p) => ({ id: p.id, href: p.href, name: p.name })),
  ...extra,
});

beforeAll(async () => {
  op = await startTestOperon({ components: [productCatalogComponent] });
  api = `${op.url}${BASE}`;
});
afterAll(async () => op?.close());

// --- product specification -------------------------------------------------------------------

describe('productSpecification', () => {
  it('is created In design with its characteristics and found by name, status and nested attributes', async () => {
    const input = fibreSpec();
    const spec = await post('productSpecification', input);
    expect(spec).toMatchObject({ '@type': 'ProductSpecification', lifecycleStatus: 'In design', name: input.name, productSpecCharacteristic: input.productSpecCharacteristic });
    expect(spec.href).toBe(`${api}/productSpecification/${spec.id}`);
    expect(Date.parse(spec.lastUpdate)).not.toBeNaN();

    const got = await call('GET', `/productSpecification/${spec.id}`);
    expect(got.status).toBe(200);
    expect(got.headers.get('etag')).toBe('"1"');
    expect(got.body).toEqual(spec);

    expect(ids(await call('GET', `/productSpecification?name=${encodeURIComponent(input.name)}`))).toEqual([spec.id]);
    expect(ids(await call('GET', '/productSpecification?lifecycleStatus=In design'))).toContain(spec.id);
    expect(ids(await call('GET', '/productSpecification?lifecycleStatus=Active'))).not.toContain(spec.id);
    expect(ids(await call('GET', '/productSpecification?productSpecCharacteristic.name=downloadSpeed'))).toContain(spec.id);
    expect(ids(await call('GET', '/productSpecification?serviceSpecification.id=svc-fibre-access'))).toContain(spec.id);
    expect(ids(await call('GET', `/productSpecification?lastUpdate=${encodeURIComponent(spec.lastUpdate)}`))).toContain(spec.id);

    const projected = await call('GET', `/productSpecification/${spec.id}?fields=name,lifecycleStatus`);
    expect(projected.body).toEqual({ id: spec.id, href: spec.href, '@type': 'ProductSpecification', name: input.name, lifecycleStatus: 'In design' });
  });

  it('refuses invalid specifications with a TMF error naming the field, and stores nothing', async () => {
    const before = await count('productSpecification');
    const withChars = (chars: Body[]) => ({ name: unique('bad'), productSpecCharacteristic: chars });
    expectError(await call('POST', '/productSpecification', { brand: 'no name' }), 400, 'name');
    expectError(await call('POST', '/productSpecification', { name: 'x', colour: 'red' }), 400, 'colour');
    expectError(await call('POST', '/productSpecification', { name: 'x', isBundle: 'yes' }), 400, 'isBundle');
    expectError(await call('POST', '/productSpecification', { name: 'x', validFor: { startDateTime: 'tomorrow' } }), 400, 'validFor.startDateTime');
    expectError(await call('POST', '/productSpecification', { name: 'x', validFor: { startDateTime: '2025-01-01T00:00:00Z', endDateTime: '2024-01-01T00:00:00Z' } }), 422, 'validFor.endDateTime');
    expectError(await call('POST', '/productSpecification', { name: 'x', serviceSpecification: [{ name: 'no id' }] }), 400, 'serviceSpecification[0].id');
    expectError(await call('POST', '/productSpecification', withChars([{ valueType: 'string' }])), 400, 'productSpecCharacteristic[0].name');
    expectError(await call('POST', '/productSpecification', withChars([{ name: 'speed' }, { name: 'speed' }])), 422, 'productSpecCharacteristic[1].name');
    expectError(await call('POST', '/productSpecification', withChars([{ name: 'speed', minCardinality: 2, maxCardinality: 1 }])), 422, 'productSpecCharacteristic[0].maxCardinality');
    expectError(await call('POST', '/productSpecification', withChars([{ name: 'speed', minCardinality: -1 }])), 400, 'productSpecCharacteristic[0].minCardinality');
    expectError(await call('POST', '/productSpecification', withChars([{ name: 'speed', valueType: 'integer', productSpecCharacteristicValue: [{ value: 'fast' }] }])), 400, 'productSpecCharacteristic[0].productSpecCharacteristicValue[0].value');
    expectError(await call('POST', '/productSpecification', withChars([{ name: 'speed', productSpecCharacteristicValue: [{ value: 1, isDefault: true }, { value: 2, isDefault: true }] }])), 422, 'productSpecCharacteristic[0]');
    expectError(await call('POST', '/productSpecification', withChars([{ name: 'quota', productSpecCharacteristicValue: [{ valueFrom: 10, valueTo: 5 }] }])), 422, 'productSpecCharacteristic[0].productSpecCharacteristicValue[0].valueTo');
    expectError(await call('POST', '/productSpecification', withChars([{ name: 'quota', productSpecCharacteristicValue: [{ valueFrom: 1, valueTo: 5, rangeInterval: 'half' }] }])), 400, 'rangeInterval');
    expectError(await call('POST', '/productSpecification', withChars([{ name: 'code', regex: '([a-z' }])), 400, 'productSpecCharacteristic[0].regex');
    expectError(await call('POST', '/productSpecification', withChars([{ name: 'code', regex: '[a-z]+', productSpecCharacteristicValue: [{ value: 'ABC' }] }])), 422, 'productSpecCharacteristic[0].productSpecCharacteristicValue[0].value');
    expectError(await call('POST', '/productSpecification', { name: 'x', bundledProductSpecification: [{ id: 'a' }] }), 422, 'isBundle');
    expectError(await call('POST', '/productSpecification', { name: 'x', lifecycleStatus: 'Launched' }), 422, 'lifecycleStatus');
    expectError(await call('POST', '/productSpecification', { name: 'x', lifecycleStatus: 'Sold out' }), 400, 'lifecycleStatus');
    expectError(await call('POST', '/productSpecification', { name: 'x', lastUpdate: '2024-01-01T00:00:00Z' }), 400, 'lastUpdate');
    expectError(await call('POST', '/productSpecification', { name: 'x', targetProductSchema: { '@type': 'Fibre' } }), 400, 'targetProductSchema.@schemaLocation');
    expect(await count('productSpecification')).toBe(before);
  });

  it('follows the catalog lifecycle: forward through test and launch, no jumps, no way back once active', async () => {
    const spec = await post('productSpecification', fibreSpec());
    const jump = await patch('productSpecification', spec.id, { lifecycleStatus: 'Launched' });
    expectError(jump, 422, 'lifecycleStatus');
    expect(jump.body.code).toBe('forbiddenTransition');
    expectError(await patch('productSpecification', spec.id, { lifecycleStatus: 'Gone' }), 400, 'lifecycleStatus');
    await moveTo('productSpecification', spec.id, 'In test', 'In design', 'In test', 'Active', 'Launched');
    expectError(await patch('productSpecification', spec.id, { lifecycleStatus: 'In design' }), 422, 'lifecycleStatus');
    expectError(await call('DELETE', `/productSpecification/${spec.id}`), 422, 'lifecycleStatus');
    await moveTo('productSpecification', spec.id, 'Retired', 'Obsolete');
    expectError(await patch('productSpecification', spec.id, { lifecycleStatus: 'Launched' }), 422);
    expect((await call('DELETE', `/productSpecification/${spec.id}`)).status).toBe(204);
    expectError(await call('GET', `/productSpecification/${spec.id}`), 404);
  });

  it('keeps its class and its server-set attributes', async () => {
    const spec = await post('productSpecification', { name: unique('plain') });
    expectError(await patch('productSpecification', spec.id, { '@type': 'Other' }), 400, '@type');
    expectError(await patch('productSpecification', spec.id, { id: 'other' }), 400, 'id');
    const same = await patch('productSpecification', spec.id, { '@type': 'ProductSpecification', description: 'changed' });
    expect(same.status).toBe(200);
    expect(same.body.description).toBe('changed');
    expect(Date.parse(same.body.lastUpdate)).toBeGreaterThanOrEqual(Date.parse(spec.lastUpdate));
  });

  it('a bundle specification lists what it bundles before it leaves design, and never itself', async () => {
    const part = await post('productSpecification', { name: unique('part') });
    const bundle = await post('productSpecification', { name: unique('bundle'), isBundle: true });
    expectError(await patch('productSpecification', bundle.id, { lifecycleStatus: 'In test' }), 422, 'bundledProductSpecification');
    expectError(await patch('productSpecification', bundle.id, { bundledProductSpecification: [{ id: bundle.id }] }), 422, 'bundledProductSpecification[0]');
    expect((await patch('productSpecification', bundle.id, { bundledProductSpecification: [{ id: part.id, name: part.name }] })).status).toBe(200);
    await moveTo('productSpecification', bundle.id, 'In test');
  });
});

// --- product offering price ------------------------------------------------------------------

describe('productOfferingPrice', () => {
  it('creates recurring, one-time and usage prices and finds them by type, status and name', async () => {
    const monthly = await post('productOfferingPrice', monthlyFee());
    expect(monthly).toMatchObject({ '@type': 'ProductOfferingPrice', lifecycleStatus: 'In design', priceType: 'recurring', recurringChargePeriodType: 'month', price: { unit: 'EUR', value: 39.99 } });
    const once = await post('productOfferingPrice', { name: unique('Installation'), priceType: 'oneTime', price: { unit: 'EUR', value: 49 } });
    const usage = await post('productOfferingPrice', { name: unique('Extra data'), priceType: 'usage', price: { unit: 'EUR', value: 2 }, unitOfMeasure: { amount: 1, units: 'GB' } });
    const discount = await post('productOfferingPrice', { name: unique('Loyalty discount'), priceType: 'discount', percentage: 10, popRelationship: [{ id: monthly.id, relationshipType: 'discount' }] });
    // amounts with and without tax, as TMF620 v5 (and this API's inline prices) write them
    const withTax = await post('productOfferingPrice', {
      name: unique('Fibre 1000 monthly fee'), priceType: 'recurring', recurringChargePeriodType: 'month', recurringChargePeriodLength: 1,
      price: { taxIncludedAmount: { unit: 'EUR', value: 59.99 }, dutyFreeAmount: { unit: 'EUR', value: 49.99 }, taxRate: 20 },
    });
    for (const p of [once, usage, discount, withTax]) await moveTo('productOfferingPrice', p.id, 'In test', 'Active');
    expect(ids(await call('GET', '/productOfferingPrice?price.taxIncludedAmount.value.gt=59'))).toEqual([withTax.id]);

    expect(ids(await call('GET', '/productOfferingPrice?priceType=recurring'))).toContain(monthly.id);
    expect(ids(await call('GET', '/productOfferingPrice?priceType=recurring'))).not.toContain(once.id);
    expect(ids(await call('GET', '/productOfferingPrice?priceType=oneTime,usage'))).toEqual(expect.arrayContaining([once.id, usage.id]));
    expect(ids(await call('GET', '/productOfferingPrice?lifecycleStatus=Active&priceType=usage'))).toContain(usage.id);
    expect(ids(await call('GET', `/productOfferingPrice?name=${encodeURIComponent(monthly.name)}`))).toEqual([monthly.id]);
    expect(ids(await call('GET', '/productOfferingPrice?price.value.gte=40&price.unit=EUR'))).toContain(once.id);
    expect(ids(await call('GET', '/productOfferingPrice?price.value.gte=40&price.unit=EUR'))).not.toContain(monthly.id);
    expect(ids(await call('GET', `/productOfferingPrice?popRelationship.id=${monthly.id}`))).toEqual([discount.id]);
    const sorted = await call<Doc[]>('GET', '/productOfferingPrice?sort=-price.value&limit=2&fields=price');
    expect(sorted.status).toBe(206);
    expect(sorted.body).toHaveLength(2);
    expect(sorted.body[0]!.price.value).toBeGreaterThanOrEqual(sorted.body[1]!.price.value);
  });

  it('refuses malformed prices naming the field, and stores nothing', async () => {
    const before = await count('productOfferingPrice');
    const bad = (extra: Body) => call('POST', '/productOfferingPrice', { name: unique('bad'), priceType: 'oneTime', ...extra });
    expectError(await call('POST', '/productOfferingPrice', { priceType: 'oneTime' }), 400, 'name');
    expectError(await call('POST', '/productOfferingPrice', { name: 'no type' }), 400, 'priceType');
    expectError(await bad({ priceType: 'monthly' }), 400, 'priceType');
    expectError(await bad({ price: { unit: 'EUR', value: -1 } }), 400, 'price.value');
    expectError(await bad({ price: { value: 10 } }), 400, 'price.unit');
    expectError(await bad({ price: { unit: 'euro', value: 10 } }), 400, 'price.unit');
    expectError(await bad({ price: { unit: 'EUR', value: '10' } }), 400, 'price.value');
    expectError(await bad({ price: { taxIncludedAmount: { value: 5 } } }), 400, 'price.taxIncludedAmount.unit');
    expectError(await bad({ price: { dutyFreeAmount: { unit: 'EUR', value: -5 } } }), 400, 'price.dutyFreeAmount.value');
    expectError(await bad({ price: { taxIncludedAmount: { unit: 'EUR', value: 10 }, dutyFreeAmount: { unit: 'EUR', value: 12 } } }), 422, 'price.taxIncludedAmount.value');
    expectError(await bad({ price: { taxIncludedAmount: { unit: 'EUR', value: 12 }, dutyFreeAmount: { unit: 'USD', value: 10 } } }), 422, 'price.dutyFreeAmount.unit');
    expectError(await bad({ priceType: 'discount', percentage: 120 }), 400, 'percentage');
    expectError(await bad({ priceType: 'recurring', recurringChargePeriodType: 'fortnight' }), 400, 'recurringChargePeriodType');
    expectError(await bad({ priceType: 'recurring', recurringChargePeriodType: 'month', recurringChargePeriodLength: 0 }), 400, 'recurringChargePeriodLength');
    expectError(await bad({ recurringChargePeriodLength: 1.5 }), 400, 'recurringChargePeriodLength');
    expectError(await bad({ tax: [{ taxRate: -0.2 }] }), 400, 'tax[0].taxRate');
    expectError(await bad({ bundledPopRelationship: [{ id: 'x' }] }), 422, 'isBundle');
    expectError(await bad({ unitOfMeasure: { amount: 'one' } }), 400, 'unitOfMeasure.amount');
    expect(await count('productOfferingPrice')).toBe(before);
  });

  it('may be drafted incomplete, but must be chargeable before it goes to test', async () => {
    // the conformance kit creates a recurring price without its period: allowed while in design
    const recurring = await post('productOfferingPrice', { name: unique('draft'), isBundle: false, priceType: 'recurring' });
    expectError(await patch('productOfferingPrice', recurring.id, { lifecycleStatus: 'In test' }), 422, 'recurringChargePeriodType');
    expectError(await patch('productOfferingPrice', recurring.id, { lifecycleStatus: 'In test', recurringChargePeriodType: 'month' }), 422, 'price.value');
    await patch('productOfferingPrice', recurring.id, { recurringChargePeriodType: 'month', price: { unit: 'GBP', value: 20 } });
    await moveTo('productOfferingPrice', recurring.id, 'In test', 'Active');
    // once out of design, the price cannot lose what makes it chargeable
    expectError(await patch('productOfferingPrice', recurring.id, { recurringChargePeriodType: null }), 422, 'recurringChargePeriodType');
    expect((await call('GET', `/productOfferingPrice/${recurring.id}`)).body.recurringChargePeriodType).toBe('month');

    const usage = await post('productOfferingPrice', { name: unique('usage'), priceType: 'usage', price: { unit: 'EUR', value: 0.1 } });
    expectError(await patch('productOfferingPrice', usage.id, { lifecycleStatus: 'In test' }), 422, 'unitOfMeasure.units');

    const discount = await post('productOfferingPrice', { name: unique('discount'), priceType: 'discount' });
    expectError(await patch('productOfferingPrice', discount.id, { lifecycleStatus: 'In test' }), 422, 'price.value');
    expect((await patch('productOfferingPrice', discount.id, { percentage: 15, lifecycleStatus: 'In test' })).status).toBe(200);

    const composite = await post('productOfferingPrice', { name: unique('composite'), isBundle: true });
    expectError(await patch('productOfferingPrice', composite.id, { lifecycleStatus: 'In test' }), 422, 'bundledPopRelationship');
    expectError(await patch('productOfferingPrice', composite.id, { bundledPopRelationship: [{ id: composite.id }] }), 422, 'bundledPopRelationship[0]');
    expect((await patch('productOfferingPrice', composite.id, { bundledPopRelationship: [{ id: recurring.id }, { id: usage.id }], lifecycleStatus: 'In test' })).status).toBe(200);
  });

  it('honours If-Match and JSON Patch', async () => {
    const p = await post('productOfferingPrice', monthlyFee());
    const first = await patch('productOfferingPrice', p.id, { description: 'v2' }, { 'if-match': '"1"' });
    expect(first.status).toBe(200);
    expect(first.headers.get('etag')).toBe('"2"');
    expectError(await patch('productOfferingPrice', p.id, { description: 'v3' }, { 'if-match': '"1"' }), 412);
    const res = await fetch(`${api}/productOfferingPrice/${p.id}`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json-patch+json' },
      body: JSON.stringify([{ op: 'replace', path: '/price/value', value: 35 }]),
    });
    expect(res.status).toBe(200);
    expect(((await res.json()) as Doc).price).toEqual({ unit: 'EUR', value: 35 });
    const negative = await fetch(`${api}/productOfferingPrice/${p.id}`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json-patch+json' },
      body: JSON.stringify([{ op: 'replace', path: '/price/value', value: -5 }]),
    });
    expect(negative.status).toBe(400);
    expect(((await call('GET', `/productOfferingPrice/${p.id}`)).body as Doc).price.value).toBe(35);
  });
});

// --- product offering ------------------------------------------------------------------------

describe('productOffering', () => {
  it('accepts references to entities held elsewhere, and is found by nested references', async () => {
    // the conformance kit's offering refers to a specification this catalog does not hold
    const ctkLike = await post('productOffering', {
      name: unique('aProductOffering'),
      productSpecification: { id: '9881', href: 'https://mycsp.com:8080/tmf-api/productCatalogManagement/v4/productSpecification/9881', version: '1.1', name: 'Robotics999', '@referredType': 'DeviceSpecification' },
    });
    expect(ctkLike).toMatchObject({ '@type': 'ProductOffering', lifecycleStatus: 'In design' });

    const { spec, price } = await activeSpecAndPrice();
    const cat = await post('category', { name: unique('Broadband') });
    const offering = await post('productOffering', offeringFor(spec, [price], {
      category: [{ id: cat.id, name: cat.name }],
      channel: [{ id: 'web', name: 'Web shop' }],
      place: [{ id: 'fr', name: 'France', '@referredType': 'GeographicAddress' }],
      marketSegment: [{ id: 'residential', name: 'Residential' }],
      productOfferingTerm: [{ name: '12 month commitment', duration: { amount: 12, units: 'month' } }],
      agreement: [{ id: 'ag-1', name: 'General terms' }],
      serviceLevelAgreement: { id: 'sla-gold', name: 'Gold' },
      validFor: { startDateTime: '2024-01-01T00:00:00Z' },
    }));
    expect(ids(await call('GET', `/productOffering?productOfferingPrice.id=${price.id}`))).toEqual([offering.id]);
    expect(ids(await call('GET', `/productOffering?category.id=${cat.id}`))).toEqual([offering.id]);
    expect(ids(await call('GET', `/productOffering?productSpecification.id=${spec.id}`))).toEqual([offering.id]);
    expect(ids(await call('GET', '/productOffering?productSpecification.id=9881'))).toContain(ctkLike.id);
    expect(ids(await call('GET', `/productOffering?name=${encodeURIComponent(offering.name)}&lifecycleStatus=In design`))).toEqual([offering.id]);
    expect(ids(await call('GET', '/productOffering?channel.id=web&isSellable=true'))).toContain(offering.id);
    expectError(await call('GET', '/productOffering?colour=red'), 400, 'colour');
  });

  it('refuses malformed offerings naming the field, and stores nothing', async () => {
    const before = await count('productOffering');
    const bad = (extra: Body) => call('POST', '/productOffering', { name: unique('bad'), ...extra });
    expectError(await call('POST', '/productOffering', { description: 'no name' }), 400, 'name');
    expectError(await bad({ productSpecification: { name: 'no id' } }), 400, 'productSpecification.id');
    expectError(await bad({ productOfferingPrice: [{ name: 'inline', priceType: 'weekly' }] }), 400, 'productOfferingPrice[0].priceType');
    expectError(await bad({ productOfferingPrice: [{ name: 'inline', priceType: 'oneTime', price: { taxIncludedAmount: { unit: 'EUR', value: -3 } } }] }), 400, 'productOfferingPrice[0].price.taxIncludedAmount.value');
    expectError(await bad({ productOfferingPrice: [{ priceType: 'recurring', priceAlteration: [{ priceType: 'discount', price: { percentage: 150 } }] }] }), 400, 'productOfferingPrice[0].priceAlteration[0].price.percentage');
    expectError(await bad({ productOfferingPrice: [{ priceType: 'recurring', priceAlteration: [{ price: {} }] }] }), 400, 'productOfferingPrice[0].priceAlteration[0].priceType');
    expectError(await bad({ bundledProductOffering: [{ id: 'x' }] }), 422, 'isBundle');
    expectError(await bad({ isBundle: true, bundledProductOffering: [{ id: 'x', bundledProductOfferingOption: { numberRelOfferLowerLimit: 2, numberRelOfferUpperLimit: 1 } }] }), 422, 'numberRelOfferUpperLimit');
    expectError(await bad({ isBundle: true, bundledProductOffering: [{ id: 'x', bundledProductOfferingOption: { numberRelOfferLowerLimit: 1, numberRelOfferUpperLimit: 3, numberRelOfferDefault: 5 } }] }), 422, 'numberRelOfferDefault');
    expectError(await bad({ productOfferingTerm: [{ name: 'commitment', duration: { amount: -12, units: 'month' } }] }), 400, 'productOfferingTerm[0].duration.amount');
    expectError(await bad({ prodSpecCharValueUse: [{ description: 'which one?' }] }), 400, 'prodSpecCharValueUse[0].name');
    expectError(await bad({ category: [{ id: 'c', href: 'not a uri' }] }), 400, 'category[0].href');
    expectError(await bad({ validFor: { startDateTime: '2024-06-01T00:00:00Z', endDateTime: '2024-01-01T00:00:00Z' } }), 422, 'validFor.endDateTime');
    expect(await count('productOffering')).toBe(before);
  });

  it('is launched only when its specification and prices are here, approved and complete', async () => {
    const { spec, price } = await activeSpecAndPrice();
    // refers to a specification held elsewhere: fine in design, not for launch
    const remote = await post('productOffering', offeringFor({ id: '9881', name: 'Robotics999' }, [price]));
    await moveTo('productOffering', remote.id, 'In test', 'Active');
    expectError(await patch('productOffering', remote.id, { lifecycleStatus: 'Launched' }), 422, 'productSpecification.id');

    // the specification is still in design
    const draftSpec = await post('productSpecification', fibreSpec());
    const early = await post('productOffering', offeringFor(draftSpec, [price]));
    await moveTo('productOffering', early.id, 'In test', 'Active');
    const refused = await patch('productOffering', early.id, { lifecycleStatus: 'Launched' });
    expectError(refused, 422, 'productSpecification');
    expect(refused.body.message).toContain("'In design'");
    await moveTo('productSpecification', draftSpec.id, 'In test', 'Active');
    expect((await patch('productOffering', early.id, { lifecycleStatus: 'Launched' })).status).toBe(200);

    // no price at all
    const free = await post('productOffering', offeringFor(spec, []));
    await moveTo('productOffering', free.id, 'In test', 'Active');
    expectError(await patch('productOffering', free.id, { lifecycleStatus: 'Launched' }), 422, 'productOfferingPrice');

    // a price that is not approved, and one that does not exist here
    const draftPrice = await post('productOfferingPrice', monthlyFee());
    const unapproved = await post('productOffering', offeringFor(spec, [price, draftPrice]));
    await moveTo('productOffering', unapproved.id, 'In test', 'Active');
    expectError(await patch('productOffering', unapproved.id, { lifecycleStatus: 'Launched' }), 422, 'productOfferingPrice[1].id');
    const ghost = await post('productOffering', offeringFor(spec, [{ id: 'no-such-price', name: 'ghost' }]));
    await moveTo('productOffering', ghost.id, 'In test', 'Active');
    expectError(await patch('productOffering', ghost.id, { lifecycleStatus: 'Launched' }), 422, 'productOfferingPrice[0].id');

    // no specification at all
    const bare = await post('productOffering', { name: unique('bare'), productOfferingPrice: [{ id: price.id }] });
    await moveTo('productOffering', bare.id, 'In test', 'Active');
    expectError(await patch('productOffering', bare.id, { lifecycleStatus: 'Launched' }), 422, 'productSpecification');

    // everything in order
    const good = await post('productOffering', offeringFor(spec, [price]));
    await moveTo('productOffering', good.id, 'In test', 'Active');
    const launched = await patch('productOffering', good.id, { lifecycleStatus: 'Launched' });
    expect(launched.status).toBe(200);
    expect(launched.body.lifecycleStatus).toBe('Launched');
    expect(ids(await call('GET', '/productOffering?lifecycleStatus=Launched'))).toContain(good.id);

    // a launched offering cannot be switched to a price that could not be launched
    expectError(await patch('productOffering', good.id, { productOfferingPrice: [{ id: draftPrice.id }] }), 422, 'productOfferingPrice[0].id');
    expectError(await patch('productOffering', good.id, { productOfferingPrice: [] }), 422, 'productOfferingPrice');
    expect((await patch('productOffering', good.id, { description: 'now with more speed' })).status).toBe(200);
    expect((await call('GET', `/productOffering/${good.id}`)).body.productOfferingPrice).toEqual([{ id: price.id, href: price.href, name: price.name }]);
  });

  it('checks prices given inline, expired validity and the characteristic values it allows at launch', async () => {
    const { spec } = await activeSpecAndPrice();
    const inline = await post('productOffering', offeringFor(spec, [], {
      productOfferingPrice: [{ name: 'Monthly', priceType: 'recurring', price: { taxIncludedAmount: { unit: 'EUR', value: 30 } } }],
    }));
    await moveTo('productOffering', inline.id, 'In test', 'Active');
    expectError(await patch('productOffering', inline.id, { lifecycleStatus: 'Launched' }), 422, 'productOfferingPrice[0].recurringChargePeriod');
    const fixed = await patch('productOffering', inline.id, {
      lifecycleStatus: 'Launched',
      productOfferingPrice: [{ name: 'Monthly', priceType: 'recurring', recurringChargePeriod: 'month', recurringChargePeriodLength: 1, price: { taxIncludedAmount: { unit: 'EUR', value: 30 }, dutyFreeAmount: { unit: 'EUR', value: 25 }, taxRate: 20 } }],
    });
    expect(fixed.status, JSON.stringify(fixed.body)).toBe(200);

    const expired = await post('productOffering', offeringFor(spec, [], {
      productOfferingPrice: [{ name: 'Once', priceType: 'oneTime', price: { taxIncludedAmount: { unit: 'EUR', value: 10 } } }],
      validFor: { startDateTime: '2020-01-01T00:00:00Z', endDateTime: '2021-01-01T00:00:00Z' },
    }));
    await moveTo('productOffering', expired.id, 'In test', 'Active');
    expectError(await patch('productOffering', expired.id, { lifecycleStatus: 'Launched' }), 422, 'validFor.endDateTime');

    const price = { name: 'Once', priceType: 'oneTime', price: { taxIncludedAmount: { unit: 'EUR', value: 10 } } };
    const use = (name: string, values: unknown[]) => [{ name, productSpecCharacteristicValue: values.map((value) => ({ value })) }];
    const narrowed = await post('productOffering', offeringFor(spec, [], { productOfferingPrice: [price], prodSpecCharValueUse: use('colour', ['red']) }));
    await moveTo('productOffering', narrowed.id, 'In test', 'Active');
    expectError(await patch('productOffering', narrowed.id, { lifecycleStatus: 'Launched' }), 422, 'prodSpecCharValueUse[0].name');
    expectError(await patch('productOffering', narrowed.id, { lifecycleStatus: 'Launched', prodSpecCharValueUse: use('downloadSpeed', [500, 2000]) }), 422, 'prodSpecCharValueUse[0].productSpecCharacteristicValue[1].value');
    expectError(await patch('productOffering', narrowed.id, { lifecycleStatus: 'Launched', prodSpecCharValueUse: use('dataCap', [5]) }), 422, 'prodSpecCharValueUse[0].productSpecCharacteristicValue[0].value');
    const ok = await patch('productOffering', narrowed.id, {
      lifecycleStatus: 'Launched',
      prodSpecCharValueUse: [...use('downloadSpeed', [500, 1000]), ...use('dataCap', [10, 200]), ...use('routerColour', ['black'])],
    });
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
  });

  it('launches bundles of launched offerings without a price of their own', async () => {
    const { spec, price } = await activeSpecAndPrice();
    const tv = await post('productOffering', offeringFor(spec, [price], { name: unique('TV') }));
    const net = await post('productOffering', offeringFor(spec, [price], { name: unique('Internet') }));
    await moveTo('productOffering', tv.id, 'In test', 'Active', 'Launched');
    await moveTo('productOffering', net.id, 'In test', 'Active');

    const empty = await post('productOffering', { name: unique('Empty bundle'), isBundle: true });
    await moveTo('productOffering', empty.id, 'In test', 'Active');
    expectError(await patch('productOffering', empty.id, { lifecycleStatus: 'Launched' }), 422, 'bundledProductOffering');

    const bundle = await post('productOffering', {
      name: unique('TV + Internet'), isBundle: true,
      bundledProductOffering: [
        { id: tv.id, name: tv.name, bundledProductOfferingOption: { numberRelOfferLowerLimit: 1, numberRelOfferUpperLimit: 1, numberRelOfferDefault: 1 } },
        { id: net.id, name: net.name },
        { id: 'elsewhere', name: 'Partner streaming' },
      ],
    });
    await moveTo('productOffering', bundle.id, 'In test', 'Active');
    expectError(await patch('productOffering', bundle.id, { lifecycleStatus: 'Launched' }), 422, 'bundledProductOffering[2].id');
    expect((await patch('productOffering', bundle.id, { bundledProductOffering: [{ id: tv.id }, { id: net.id }] })).status).toBe(200);
    expect((await patch('productOffering', bundle.id, { lifecycleStatus: 'Launched' })).status).toBe(200);
    expect(ids(await call('GET', `/productOffering?bundledProductOffering.id=${tv.id}`))).toEqual([bundle.id]);

    // a launched bundle keeps its parts: they can be retired but not deleted
    await moveTo('productOffering', tv.id, 'Retired', 'Obsolete');
    expectError(await call('DELETE', `/productOffering/${tv.id}`), 422, 'launched bundle offering');
  });

  it('retires without touching its specification or prices, and protects what a launched offering uses', async () => {
    const { spec, price } = await activeSpecAndPrice();
    await moveTo('productSpecification', spec.id, 'Launched');
    await moveTo('productOfferingPrice', price.id, 'Launched');
    const offering = await post('productOffering', offeringFor(spec, [price]));
    await moveTo('productOffering', offering.id, 'In test', 'Active', 'Launched');

    // the specification and price reach end of life while the offering is still on sale
    await moveTo('productSpecification', spec.id, 'Retired', 'Obsolete');
    await moveTo('productOfferingPrice', price.id, 'Retired', 'Obsolete');
    const specInUse = await call('DELETE', `/productSpecification/${spec.id}`);
    expectError(specInUse, 422, offering.id);
    expectError(await call('DELETE', `/productOfferingPrice/${price.id}`), 422, offering.id);
    expect((await call('GET', `/productSpecification/${spec.id}`)).status).toBe(200);

    const retired = await moveTo('productOffering', offering.id, 'Retired');
    expect(retired.lifecycleStatus).toBe('Retired');
    expect((await call('GET', `/productSpecification/${spec.id}`)).body.lifecycleStatus).toBe('Obsolete');
    expectError(await patch('productOffering', offering.id, { lifecycleStatus: 'Launched' }), 422, 'lifecycleStatus');
    expectError(await call('DELETE', `/productOffering/${offering.id}`), 422, 'lifecycleStatus');

    // once the offering is off sale the specification and price may go
    expect((await call('DELETE', `/productSpecification/${spec.id}`)).status).toBe(204);
    expect((await call('DELETE', `/productOfferingPrice/${price.id}`)).status).toBe(204);

    // retiring an offering leaves its (still active) specification alone
    const other = await activeSpecAndPrice();
    const o2 = await post('productOffering', offeringFor(other.spec, [other.price]));
    await moveTo('productOffering', o2.id, 'In test', 'Active', 'Launched', 'Retired');
    expect((await call('GET', `/productSpecification/${other.spec.id}`)).body.lifecycleStatus).toBe('Active');
    expect((await call('GET', `/productOfferingPrice/${other.price.id}`)).body.lifecycleStatus).toBe('Active');
  });

  it('deletes a draft, also when the client sends a JSON content type without a body', async () => {
    const o = await post('productOffering', { name: unique('short-lived') });
    const res = await fetch(`${api}/productOffering/${o.id}`, { method: 'DELETE', headers: { 'content-type': 'application/json', accept: 'application/json' } });
    expect(res.status).toBe(204);
    expectError(await call('GET', `/productOffering/${o.id}`), 404);
    expectError(await call('DELETE', `/productOffering/${o.id}`), 404);
  });
});

// --- category and catalog --------------------------------------------------------------------

describe('category', () => {
  it('forms a tree: roots are marked, children found by parent', async () => {
    const root = await post('category', { name: unique('Internet') });
    expect(root).toMatchObject({ '@type': 'Category', isRoot: true, lifecycleStatus: 'In design' });
    const child = await post('category', { name: unique('Fibre'), parentId: root.id });
    expect(child.isRoot).toBe(false);
    expect(ids(await call('GET', `/category?parentId=${root.id}`))).toEqual([child.id]);
    expect(ids(await call('GET', '/category?isRoot=true'))).toContain(root.id);
    expect(ids(await call('GET', '/category?isRoot=true'))).not.toContain(child.id);
    const listed = await patch('category', root.id, { subCategory: [{ id: child.id, name: child.name }] });
    expect(listed.status).toBe(200);
    expect(ids(await call('GET', `/category?subCategory.id=${child.id}`))).toEqual([root.id]);
    await moveTo('category', root.id, 'In test', 'Active', 'Launched');
  });

  it('refuses cycles, self-parenting and contradictory roots', async () => {
    const a = await post('category', { name: unique('A') });
    const b = await post('category', { name: unique('B'), parentId: a.id });
    const c = await post('category', { name: unique('C'), parentId: b.id });
    expectError(await patch('category', a.id, { parentId: a.id, isRoot: false }), 422, 'parentId');
    expectError(await patch('category', a.id, { parentId: c.id, isRoot: false }), 422, 'parentId');
    expectError(await patch('category', a.id, { subCategory: [{ id: a.id }] }), 422, 'subCategory[0]');
    expectError(await patch('category', c.id, { subCategory: [{ id: a.id }] }), 422, 'parentId');
    expectError(await call('POST', '/category', { name: unique('D'), parentId: a.id, isRoot: true }), 422, 'isRoot');
    // cycles through subCategory lists are caught too
    const x = await post('category', { name: unique('X') });
    const y = await post('category', { name: unique('Y') });
    expect((await patch('category', x.id, { subCategory: [{ id: y.id }] })).status).toBe(200);
    expectError(await patch('category', y.id, { subCategory: [{ id: x.id }] }), 422, 'parentId');
    // a sub-category already attached elsewhere
    expectError(await patch('category', x.id, { subCategory: [{ id: y.id }, { id: b.id }] }), 422, 'subCategory[1].id');
    expect((await call('GET', `/category/${a.id}`)).body.parentId).toBeUndefined();
    // moving a branch elsewhere is fine
    expect((await patch('category', c.id, { parentId: a.id })).status).toBe(200);
  });

  it('cannot be deleted while it has sub-categories', async () => {
    const parent = await post('category', { name: unique('Parent') });
    const child = await post('category', { name: unique('Child'), parentId: parent.id });
    expectError(await call('DELETE', `/category/${parent.id}`), 422, child.id);
    expect((await call('DELETE', `/category/${child.id}`)).status).toBe(204);
    expect((await call('DELETE', `/category/${parent.id}`)).status).toBe(204);
  });
});

describe('catalog', () => {
  it('holds root categories and follows the catalog lifecycle', async () => {
    const root = await post('category', { name: unique('Mobile') });
    const sub = await post('category', { name: unique('Prepaid'), parentId: root.id });
    const catalog = await post('catalog', {
      name: unique('Residential'), catalogType: 'ProductCatalog', version: '2024.1',
      category: [{ id: root.id, name: root.name }],
      relatedParty: [{ id: 'org-1', name: 'Operon Telecom', role: 'owner', '@referredType': 'Organization' }],
      validFor: { startDateTime: '2024-01-01T00:00:00Z' },
    });
    expect(catalog).toMatchObject({ '@type': 'Catalog', lifecycleStatus: 'In design', catalogType: 'ProductCatalog' });
    expect(ids(await call('GET', `/catalog?category.id=${root.id}`))).toEqual([catalog.id]);
    expect(ids(await call('GET', '/catalog?relatedParty.role=owner&catalogType=ProductCatalog'))).toContain(catalog.id);
    expectError(await patch('catalog', catalog.id, { category: [{ id: sub.id }] }), 422, 'category[0].id');
    expectError(await call('POST', '/catalog', { name: 'x', relatedParty: [{ id: 'p' }] }), 400, 'relatedParty[0].@referredType');
    expectError(await call('POST', '/catalog', { name: 'x', validFor: { startDateTime: '2025-01-01T00:00:00Z', endDateTime: '2024-01-01T00:00:00Z' } }), 422, 'validFor.endDateTime');
    expect((await patch('catalog', catalog.id, { description: 'Offers for households' })).body.description).toBe('Offers for households');
    await moveTo('catalog', catalog.id, 'In test', 'Active', 'Launched');
    expectError(await patch('catalog', catalog.id, { lifecycleStatus: 'Active' }), 422, 'lifecycleStatus');
    expectError(await call('DELETE', `/catalog/${catalog.id}`), 422, 'lifecycleStatus');
    const draft = await post('catalog', { name: unique('Draft') });
    expect((await call('DELETE', `/catalog/${draft.id}`)).status).toBe(204);
  });
});

// --- documentation and conformance -----------------------------------------------------------

describe('API surface', () => {
  it('serves every TMF620 resource operation and documents them', async () => {
    const res = await fetch(`${op.url}/docs/json`);
    const doc = (await res.json()) as { paths: Record<string, Record<string, unknown>> };
    for (const r of ['catalog', 'category', 'productOffering', 'productOfferingPrice', 'productSpecification']) {
      expect(Object.keys(doc.paths[`${BASE}/${r}`] ?? {})).toEqual(expect.arrayContaining(['get', 'post']));
      expect(Object.keys(doc.paths[`${BASE}/${r}/{id}`] ?? {})).toEqual(expect.arrayContaining(['get', 'patch', 'delete']));
    }
    expect(doc.paths[`${BASE}/hub`]).toBeDefined();
    const hub = await call('POST', '/hub', { callback: 'http://127.0.0.1:9/listener' });
    expect(hub.status).toBe(201);
    expect((await call('DELETE', `/hub/${hub.body.id}`)).status).toBe(204);
  });
});

describe('conformance to the official TMF620 v4.1 specification', () => {
  const TYPES: Record<string, string> = {
    catalog: 'Catalog', category: 'Category', productOffering: 'ProductOffering',
    productOfferingPrice: 'ProductOfferingPrice', productSpecification: 'ProductSpecification', hub: 'EventSubscription',
  };

  it('every response body of this file validates', async () => {
    const { loadSpec } = await import('@operon/tmf/testing');
    const spec = loadSpec('TMF620');
    expect(spec.basePath).toBe(BASE);
    let checked = 0;
    for (const r of responses) {
      if (r.body === undefined) continue;
      const resource = r.path.split('?')[0]!.split('/')[1]!;
      const def = r.status >= 400 ? 'Error' : TYPES[resource];
      expect(def, `${r.method} ${r.path}`).toBeDefined();
      for (const body of Array.isArray(r.body) ? r.body : [r.body]) {
        expect(spec.errors(def!, body), `${r.method} ${r.path} → ${r.status}`).toEqual([]);
        checked += 1;
      }
    }
    expect(checked).toBeGreaterThan(200);
    expect(responses.filter((r) => r.status === 422).length).toBeGreaterThan(20);
  });

  it('every event payload validates, and each kind of event was published', async () => {
    const { loadSpec } = await import('@operon/tmf/testing');
    const spec = loadSpec('TMF620');
    const events = await op.db.query<{ event_type: string; payload: { event: Record<string, { id: string; lifecycleStatus: string }> } }>(
      `SELECT event_type, payload FROM outbox WHERE api = 'productCatalogManagement' ORDER BY seq`,
    );
    const types = new Set(events.rows.map((e) => e.event_type));
    for (const t of ['Catalog', 'Category', 'ProductOffering', 'ProductOfferingPrice', 'ProductSpecification']) {
      for (const k of ['CreateEvent', 'AttributeValueChangeEvent', 'StateChangeEvent', 'DeleteEvent']) expect(types, `${t}${k}`).toContain(`${t}${k}`);
    }
    for (const e of events.rows) {
      expect(spec.definitions, e.event_type).toContain(e.event_type);
      expect(spec.errors(e.event_type, e.payload), e.event_type).toEqual([]);
      const property = e.event_type.replace(/(Create|AttributeValueChange|StateChange|Delete)Event$/, '');
      expect(e.payload.event[property.charAt(0).toLowerCase() + property.slice(1)]).toBeDefined();
    }
    // a refused launch publishes nothing: each launched offering has exactly one state change into Launched
    const launches = events.rows.filter((e) => e.event_type === 'ProductOfferingStateChangeEvent' && e.payload.event['productOffering']?.lifecycleStatus === 'Launched');
    expect(new Set(launches.map((e) => e.payload.event['productOffering']?.id)).size).toBe(launches.length);
  });
});
