import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestOperon, type TestOperon } from '@operon/server/testing';
import type { CatalogEntity, CatalogReference, TmfErrorBody } from '@operon/tmf';
import { productCatalogComponent } from './index.ts';
import { BASE, recordingClient } from './testing.ts';

type Ref = CatalogReference;
/** A catalog entity or a job as the tests read it. */
interface Doc extends CatalogEntity {
  category: Ref[];
  subCategory?: Ref[];
  productOffering?: Ref[];
  productOfferingPrice: Ref[];
  productSpecification: Ref;
  status: string;
  url: string;
  path: string;
  errorLog?: string;
  completionDate: string;
  creationDate: string;
}
/** An exported document: one list per collection. */
interface CatalogDocument {
  '@type': string;
  [collection: string]: unknown;
}
type Body = Record<string, unknown>;

let op: TestOperon;
let api: string;
/** Every response is checked against the specification by the client, and kept for the last test's count. */
const { call, post, responses } = recordingClient<Doc>(() => api, {
  catalog: 'Catalog', category: 'Category', productOffering: 'ProductOffering', productOfferingPrice: 'ProductOfferingPrice',
  productSpecification: 'ProductSpecification', exportJob: 'ExportJob', importJob: 'ImportJob',
});

async function moveTo(resource: string, id: string, ...states: string[]): Promise<void> {
  for (const s of states) {
    const r = await call('PATCH', `/${resource}/${id}`, { lifecycleStatus: s });
    expect(r.status, `${resource} → ${s}: ${JSON.stringify(r.body)}`).toBe(200);
  }
}

const ref = (d: Doc) => ({ id: d.id, href: d.href, name: d.name });
const ids = (list: unknown) => (list as Ref[]).map((d) => d.id);
const byName = (list: unknown, name: string) => (list as Ref[]).find((d) => d.name === name)!;
const dataUrl = (doc: unknown) => `data:application/json;base64,${Buffer.from(JSON.stringify(doc)).toString('base64')}`;
const LAUNCH = ['In test', 'Active', 'Launched'];

async function total(resource: string): Promise<number> {
  const r = await call('GET', `/${resource}?fields=id`);
  return Number(r.headers.get('x-total-count'));
}

async function totals(): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const r of ['catalog', 'category', 'productOffering', 'productOfferingPrice', 'productSpecification']) out[r] = await total(r);
  return out;
}

async function outboxCount(): Promise<number> {
  const r = await op.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM outbox WHERE api = 'productCatalogManagement'`);
  return r.rows[0]!.n;
}

/** A small but complete catalog: categories, a specification, prices in several states, offerings and a bundle. */
let source: { catalog: Doc; root: Doc; sub: Doc; spec: Doc; monthly: Doc; install: Doc; legacy: Doc; fibre: Doc; bundle: Doc; stray: Doc };

beforeAll(async () => {
  op = await startTestOperon({ components: [productCatalogComponent] });
  api = `${op.url}${BASE}`;

  const spec = await post('productSpecification', {
    name: 'FTTH', productSpecCharacteristic: [{ name: 'downloadSpeed', valueType: 'integer', productSpecCharacteristicValue: [{ value: 300 }, { value: 1000 }] }],
    serviceSpecification: [{ id: 'cfs-internet', name: 'Internet access' }],
  });
  const monthly = await post('productOfferingPrice', { name: 'Fibre monthly', priceType: 'recurring', recurringChargePeriodType: 'month', price: { unit: 'EUR', value: 39.99 } });
  const install = await post('productOfferingPrice', { name: 'Installation', priceType: 'oneTime', price: { unit: 'EUR', value: 49 } });
  const legacy = await post('productOfferingPrice', { name: 'Legacy router rental', priceType: 'recurring', recurringChargePeriodType: 'month', price: { unit: 'EUR', value: 3 } });
  await moveTo('productSpecification', spec.id, ...LAUNCH);
  await moveTo('productOfferingPrice', monthly.id, ...LAUNCH);
  await moveTo('productOfferingPrice', install.id, 'In test', 'Active');
  await moveTo('productOfferingPrice', legacy.id, ...LAUNCH);
  const root = await post('category', { name: 'Internet' });
  const sub = await post('category', { name: 'Fibre', parentId: root.id });
  const fibre = await post('productOffering', {
    name: 'Fibre 1000', productSpecification: ref(spec), productOfferingPrice: [ref(monthly), ref(install), ref(legacy)], category: [ref(sub)],
    prodSpecCharValueUse: [{ name: 'downloadSpeed', productSpecCharacteristicValue: [{ value: 1000 }] }],
  });
  await moveTo('productOffering', fibre.id, ...LAUNCH);
  // the legacy price ends its life while the offering is still sold
  await moveTo('productOfferingPrice', legacy.id, 'Retired', 'Obsolete');
  const bundle = await post('productOffering', { name: 'Fibre + TV', isBundle: true, bundledProductOffering: [ref(fibre)], category: [ref(root)] });
  await moveTo('productOffering', bundle.id, ...LAUNCH);
  await call('PATCH', `/category/${root.id}`, { subCategory: [ref(sub)] });
  await moveTo('category', root.id, ...LAUNCH);
  await moveTo('category', sub.id, ...LAUNCH);
  const catalog = await post('catalog', { name: 'Consumer', catalogType: 'ProductCatalog', category: [ref(root)] });
  await moveTo('catalog', catalog.id, ...LAUNCH);
  const stray = await post('productOffering', { name: 'Not in any catalog' });
  source = { catalog, root, sub, spec, monthly, install, legacy, fibre, bundle, stray };
});
afterAll(async () => op?.close());

describe('exportJob', () => {
  it('writes a catalog with everything it contains to a document reachable at the job url', async () => {
    const job = await post('exportJob', { path: `catalog/${source.catalog.id}` });
    expect(job).toMatchObject({ '@type': 'ExportJob', status: 'Succeeded', contentType: 'application/json', path: `catalog/${source.catalog.id}` });
    expect(job.url).toBe(`${api}/exportJob/${job.id}/content`);
    expect(Date.parse(job.completionDate)).toBeGreaterThanOrEqual(Date.parse(job.creationDate));

    const file = await call<CatalogDocument>('GET', job.url);
    expect(file.status).toBe(200);
    expect(file.headers.get('content-type')).toContain('application/json');
    const doc = file.body;
    expect(doc['@type']).toBe('ProductCatalogDocument');
    expect(ids(doc.catalog)).toEqual([source.catalog.id]);
    expect(ids(doc.category).sort()).toEqual([source.root.id, source.sub.id].sort());
    expect(ids(doc.productOffering).sort()).toEqual([source.fibre.id, source.bundle.id].sort());
    expect(ids(doc.productSpecification)).toEqual([source.spec.id]);
    expect(ids(doc.productOfferingPrice).sort()).toEqual([source.monthly.id, source.install.id, source.legacy.id].sort());
    expect(byName(doc.productOffering, 'Fibre 1000')).toEqual((await call('GET', `/productOffering/${source.fibre.id}`)).body);
  });

  it('exports a collection filtered by a query, or everything', async () => {
    const recurring = await post('exportJob', { path: `${BASE}/productOfferingPrice`, query: 'priceType=recurring' });
    const doc = (await call<CatalogDocument>('GET', recurring.url)).body;
    expect(Object.keys(doc)).not.toContain('productOffering');
    expect(ids(doc.productOfferingPrice).sort()).toEqual([source.monthly.id, source.legacy.id].sort());

    const launched = await post('exportJob', { query: 'lifecycleStatus=Launched' });
    const all = (await call<CatalogDocument>('GET', launched.url)).body;
    expect(ids(all.productOffering).sort()).toEqual([source.fibre.id, source.bundle.id].sort());
    expect(ids(all.productOfferingPrice)).toEqual([source.monthly.id]);

    const offering = await post('exportJob', { path: `${api}/productOffering/${source.bundle.id}` });
    const parts = (await call<CatalogDocument>('GET', offering.url)).body;
    expect(ids(parts.productOffering).sort()).toEqual([source.fibre.id, source.bundle.id].sort());
    expect(ids(parts.productSpecification)).toEqual([source.spec.id]);
    expect(parts.category).toEqual([]);
    expect(parts.catalog).toEqual([]);

    const everything = await post('exportJob', {});
    expect(everything.path).toBe(BASE);
    expect(ids((await call<CatalogDocument>('GET', everything.url)).body.productOffering)).toContain(source.stray.id);
    expect(ids((await call('GET', '/exportJob?status=Succeeded')).body)).toEqual(expect.arrayContaining([recurring.id, launched.id, everything.id]));
  });

  it('refuses requests it cannot serve, naming the field, and stores nothing', async () => {
    const before = await total('exportJob');
    const bad = async (body: Body, status: number, field: string) => {
      const r = await call<TmfErrorBody>('POST', '/exportJob', body);
      expect(r.status, JSON.stringify(r.body)).toBe(status);
      expect(r.body.message).toContain(field);
    };
    await bad({ path: 'invoices' }, 400, 'path');
    await bad({ path: 'catalog/a/b' }, 400, 'path');
    await bad({ path: 'catalog/no-such-catalog' }, 422, 'path');
    await bad({ path: `catalog/${source.catalog.id}`, query: 'name=x' }, 400, 'query');
    await bad({ path: 'productOffering', query: 'colour=red' }, 400, 'query');
    await bad({ query: 'priceType=recurring' }, 400, 'query');
    await bad({ contentType: 'text/csv' }, 400, 'contentType');
    await bad({ url: 'https://example.com/out.json' }, 400, 'url');
    await bad({ status: 'Succeeded' }, 400, 'status');
    expect(await total('exportJob')).toBe(before);
  });

  it('deleting the job deletes its document; jobs cannot be patched', async () => {
    const job = await post('exportJob', { path: 'category' });
    expect((await call('PATCH', `/exportJob/${job.id}`, { query: 'x' })).status).toBe(404);
    expect((await call('DELETE', `/exportJob/${job.id}`)).status).toBe(204);
    expect((await call('GET', job.url)).status).toBe(404);
    expect((await call('GET', `/exportJob/${job.id}`)).status).toBe(404);
  });
});

describe('importJob', () => {
  it('loads an export as new entities, linked to each other and in the states they had', async () => {
    const exported = await post('exportJob', { path: `catalog/${source.catalog.id}` });
    const before = await totals();
    const job = await post('importJob', { url: exported.url });
    expect(job).toMatchObject({ '@type': 'ImportJob', status: 'Succeeded', contentType: 'application/json', url: exported.url, path: BASE });
    expect(job.errorLog).toBeUndefined();
    expect(await totals()).toEqual({
      catalog: before['catalog']! + 1, category: before['category']! + 2, productOffering: before['productOffering']! + 2,
      productOfferingPrice: before['productOfferingPrice']! + 3, productSpecification: before['productSpecification']! + 1,
    });

    const catalogs = (await call<Doc[]>('GET', '/catalog?name=Consumer')).body;
    const copy = catalogs.find((c) => c.id !== source.catalog.id)!;
    expect(copy.lifecycleStatus).toBe('Launched');
    const root = (await call('GET', `/category/${copy.category[0]!.id}`)).body;
    expect(root.id).not.toBe(source.root.id);
    expect(copy.category[0]!.href).toBe(root.href);
    expect(root).toMatchObject({ name: 'Internet', isRoot: true, lifecycleStatus: 'Launched' });
    const sub = (await call<Doc[]>('GET', `/category?parentId=${root.id}`)).body[0]!;
    expect(sub).toMatchObject({ name: 'Fibre', lifecycleStatus: 'Launched' });
    expect(root.subCategory).toEqual([{ id: sub.id, href: sub.href, name: 'Fibre' }]);

    const fibre = (await call<Doc[]>('GET', `/productOffering?category.id=${sub.id}`)).body[0]!;
    expect(fibre).toMatchObject({ name: 'Fibre 1000', lifecycleStatus: 'Launched' });
    const spec = (await call('GET', `/productSpecification/${fibre.productSpecification.id}`)).body;
    expect(spec.id).not.toBe(source.spec.id);
    expect(spec).toMatchObject({ name: 'FTTH', lifecycleStatus: 'Launched' });
    const prices = await Promise.all(fibre.productOfferingPrice.map(async (p) => (await call('GET', `/productOfferingPrice/${p.id}`)).body));
    expect(prices.map((p) => [p.name, p.lifecycleStatus])).toEqual([['Fibre monthly', 'Launched'], ['Installation', 'Active'], ['Legacy router rental', 'Obsolete']]);
    expect(ids(prices).some((id) => [source.monthly.id, source.install.id, source.legacy.id].includes(id))).toBe(false);
    const bundle = (await call<Doc[]>('GET', `/productOffering?bundledProductOffering.id=${fibre.id}`)).body[0]!;
    expect(bundle).toMatchObject({ name: 'Fibre + TV', lifecycleStatus: 'Launched', category: [{ id: root.id }] });
  });

  it('loads a document a client wrote, references given by its own ids', async () => {
    const before = await outboxCount();
    const job = await post('importJob', {
      url: dataUrl({
        productSpecification: [{ id: 's1', name: 'Mobile plan', lifecycleStatus: 'Active' }],
        productOfferingPrice: [{ id: 'p1', name: 'Mobile monthly', priceType: 'recurring', recurringChargePeriodType: 'month', price: { unit: 'EUR', value: 15 }, lifecycleStatus: 'Active' }],
        category: [{ id: 'c1', name: 'Mobile', productOffering: [{ id: 'o1', name: 'Mobile 10 GB' }], lifecycleStatus: 'Active' }],
        productOffering: [{ id: 'o1', name: 'Mobile 10 GB', productSpecification: { id: 's1' }, productOfferingPrice: [{ id: 'p1' }], category: [{ id: 'c1' }], lifecycleStatus: 'Launched' }],
      }),
    });
    expect(job.status, job.errorLog).toBe('Succeeded');
    const offering = (await call<Doc[]>('GET', '/productOffering?name=Mobile 10 GB')).body[0]!;
    const category = (await call<Doc[]>('GET', '/category?name=Mobile')).body[0]!;
    expect(offering.lifecycleStatus).toBe('Launched');
    expect(offering.category).toEqual([{ id: category.id }]);
    expect(category.productOffering).toEqual([{ id: offering.id, name: 'Mobile 10 GB' }]);
    expect(offering.productSpecification.id).toBe((await call<Doc[]>('GET', '/productSpecification?name=Mobile plan')).body[0]!.id);
    expect(await outboxCount()).toBeGreaterThan(before);
  });

  it('fails whole when the document breaks a rule: the catalog is untouched and the job says why', async () => {
    const before = await totals();
    const events = await outboxCount();
    const unlaunchable = await post('importJob', {
      url: dataUrl({
        productOfferingPrice: [{ id: 'p9', name: 'Orphan price', priceType: 'oneTime', price: { unit: 'EUR', value: 5 }, lifecycleStatus: 'Active' }],
        productOffering: [{ name: 'Remote spec offering', productSpecification: { id: 'held-elsewhere' }, productOfferingPrice: [{ id: 'p9' }], lifecycleStatus: 'Launched' }],
      }),
    });
    expect(unlaunchable.status).toBe('Failed');
    expect(unlaunchable.errorLog).toContain('productSpecification');
    expect(unlaunchable.errorLog).toContain('held-elsewhere');
    expect(unlaunchable.errorLog).toContain("productOffering[0] 'Remote spec offering' → Launched");

    const invalid = await post('importJob', { url: dataUrl({ productOfferingPrice: [{ name: 'Negative', priceType: 'oneTime', price: { unit: 'EUR', value: -5 } }] }) });
    expect(invalid.status).toBe('Failed');
    expect(invalid.errorLog).toContain('productOfferingPrice[0]');
    expect(invalid.errorLog).toContain('price.value');

    const notJson = await post('importJob', { url: `data:application/json;base64,${Buffer.from('{ nope').toString('base64')}` });
    expect(notJson).toMatchObject({ status: 'Failed', errorLog: expect.stringContaining('not valid JSON') });
    const wrongShape = await post('importJob', { url: dataUrl({ productOffering: { name: 'not a list' } }) });
    expect(wrongShape).toMatchObject({ status: 'Failed', errorLog: expect.stringContaining('productOffering') });
    const gone = await post('importJob', { url: `${api}/exportJob/no-such-export/content` });
    expect(gone).toMatchObject({ status: 'Failed', errorLog: expect.stringContaining('no-such-export') });

    expect(await totals()).toEqual(before);
    expect(await outboxCount()).toBe(events);
    expect(ids((await call('GET', '/importJob?status=Failed')).body)).toEqual(expect.arrayContaining([unlaunchable.id, invalid.id, notJson.id]));
  });

  it('refuses requests it cannot serve, and stores no job', async () => {
    const before = await total('importJob');
    const bad = async (body: unknown, status: number, field: string, headers: Record<string, string> = {}) => {
      const r = await call<TmfErrorBody>('POST', '/importJob', body, headers);
      expect(r.status, JSON.stringify(r.body)).toBe(status);
      expect(r.body['@type']).toBe('Error');
      expect(r.body.message).toContain(field);
    };
    await bad({}, 400, 'url');
    await bad({ url: 'not a url' }, 400, 'url');
    await bad({ url: 'ftp://example.com/catalog.json' }, 422, 'url');
    await bad({ url: 'https://partner.example.com/catalog.json' }, 422, 'url');
    await bad({ url: 'data:text/csv;base64,YQ==' , contentType: 'text/csv' }, 400, 'contentType');
    await bad({ url: dataUrl({}), status: 'Succeeded' }, 400, 'status');
    await bad({ url: dataUrl({}), errorLog: 'none' }, 400, 'errorLog');
    const text = await fetch(`${api}/importJob`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'x' });
    expect(text.status).toBe(415);
    expect(await total('importJob')).toBe(before);
    const job = await post('importJob', { url: dataUrl({}) });
    expect(job.status).toBe('Succeeded');
    expect((await call('DELETE', `/importJob/${job.id}`)).status).toBe(204);
  });
});

describe('API surface', () => {
  it('documents the job operations', async () => {
    const doc = (await (await fetch(`${op.url}/docs/json`)).json()) as { paths: Record<string, Record<string, unknown>> };
    expect(Object.keys(doc.paths[`${BASE}/exportJob`] ?? {})).toEqual(expect.arrayContaining(['get', 'post']));
    expect(Object.keys(doc.paths[`${BASE}/exportJob/{id}`] ?? {})).toEqual(expect.arrayContaining(['get', 'delete']));
    expect(Object.keys(doc.paths[`${BASE}/importJob`] ?? {})).toEqual(expect.arrayContaining(['get', 'post']));
    expect(Object.keys(doc.paths[`${BASE}/importJob/{id}`] ?? {})).toEqual(expect.arrayContaining(['get', 'delete']));
    expect(doc.paths[`${BASE}/exportJob/{id}/content`]).toBeDefined();
  });
});

describe('conformance of job responses to the official TMF620 v4.1 specification', () => {
  it('every response body validates', async () => {
    const { loadSpec } = await import('@operon/tmf/testing');
    const spec = loadSpec('TMF620');
    const TYPES: Record<string, string> = {
      catalog: 'Catalog', category: 'Category', productOffering: 'ProductOffering', productOfferingPrice: 'ProductOfferingPrice',
      productSpecification: 'ProductSpecification', exportJob: 'ExportJob', importJob: 'ImportJob',
    };
    let jobs = 0;
    for (const r of responses) {
      if (r.body === undefined) continue;
      const resource = r.path.split('?')[0]!.split('/')[1]!;
      const def = r.status >= 400 ? 'Error' : TYPES[resource]!;
      for (const body of Array.isArray(r.body) ? r.body : [r.body]) {
        expect(spec.errors(def, body), `${r.method} ${r.path} → ${r.status}`).toEqual([]);
        if (def.endsWith('Job')) jobs += 1;
      }
    }
    expect(jobs).toBeGreaterThan(15);
  });
});
