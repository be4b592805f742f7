import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestOperon, type TestOperon } from '@operon/server/testing';
import type { CatalogEntity, CatalogReference, TmfErrorBody } from '@operon/tmf';
import { tmfClient, type TmfClient } from '@operon/tmf/testing';
import { serviceCatalogComponent } from './index.ts';

type Entity = CatalogEntity;
/** A job as the tests read it. */
interface Job extends CatalogReference {
  status: string;
  url: string;
  errorLog?: string;
}
type Collection = 'serviceCatalog' | 'serviceCategory' | 'serviceCandidate' | 'serviceSpecification';
type CatalogDocument = { '@type': string } & Record<Collection, Entity[]>;

const BASE = '/tmf-api/serviceCatalogManagement/v4';
const DEFINITIONS: Record<Collection | 'importJob' | 'exportJob', string> = {
  serviceCatalog: 'ServiceCatalog', serviceCategory: 'ServiceCategory', serviceCandidate: 'ServiceCandidate', serviceSpecification: 'ServiceSpecification',
  importJob: 'ImportJob', exportJob: 'ExportJob',
};
const download = tmfClient({ baseUrl: '' });
const asDataUrl = (doc: unknown) => `data:application/json,${encodeURIComponent(JSON.stringify(doc))}`;

let here: TestOperon;
let there: TestOperon;
let api: TmfClient;
let other: TmfClient;
const state: Record<string, Entity> = {};

const client = (op: TestOperon) => tmfClient({ baseUrl: `${op.url}${BASE}`, spec: 'TMF633', types: DEFINITIONS });

async function make(key: string, resource: Collection, body: Record<string, unknown>, ...states: string[]): Promise<Entity> {
  const e = await api.create<Entity>(`/${resource}`, body);
  for (const s of states) expect((await api.patch(`/${resource}/${e.id}`, { lifecycleStatus: s })).status, `${key} → ${s}`).toBe(200);
  state[key] = e;
  return e;
}
const named = async (c: TmfClient, resource: Collection, name: string) => (await c.get<Entity[]>(`/${resource}?name=${encodeURIComponent(name)}`)).body;
const totals = async (c: TmfClient) => {
  const out: Record<string, number> = {};
  for (const r of ['serviceCatalog', 'serviceCategory', 'serviceCandidate', 'serviceSpecification'] as const) out[r] = (await c.get<Entity[]>(`/${r}`)).body.length;
  return out;
};

beforeAll(async () => {
  [here, there] = await Promise.all([startTestOperon({ components: [serviceCatalogComponent] }), startTestOperon({ components: [serviceCatalogComponent] })]);
  [api, other] = [client(here), client(there)];
  const ref = (e: Entity) => ({ id: e.id, href: e.href, name: e.name });
  const rfs = await make('rfs', 'serviceSpecification', { name: 'Fibre access', '@type': 'ResourceFacingServiceSpecification' }, 'In test', 'Active');
  const cfs = await make('cfs', 'serviceSpecification', {
    name: 'Home broadband', '@type': 'CustomerFacingServiceSpecification',
    serviceSpecRelationship: [{ ...ref(rfs), relationshipType: 'dependency' }],
    specCharacteristic: [{ name: 'speed', valueType: 'integer', characteristicValueSpecification: [{ valueFrom: 100, valueTo: 1000 }, { value: 300, isDefault: true }] }],
  }, 'In test', 'Active', 'Launched');
  const candidate = await make('candidate', 'serviceCandidate', { name: 'Home broadband', serviceSpecification: ref(cfs) }, 'In test', 'Active');
  const root = await make('root', 'serviceCategory', { name: 'Residential', serviceCandidate: [ref(candidate)] }, 'In test', 'Active');
  await make('child', 'serviceCategory', { name: 'Internet', parentId: root.id }, 'In test', 'Active');
  await make('catalog', 'serviceCatalog', { name: 'Services for homes', category: [ref(root)] }, 'In test', 'Active', 'Launched');
  await make('draft', 'serviceSpecification', { name: 'Voice (draft)' });
});
afterAll(async () => Promise.all([here?.close(), there?.close()]));

describe('TMF633 exportJob and importJob', () => {
  it('exports a catalog with its categories, candidates and specifications; everything validates against TMF633', async () => {
    const job = await api.create<Job>('/exportJob', { path: `${here.url}${BASE}/serviceCatalog/${state['catalog']!.id}` });
    expect(job).toMatchObject({ status: 'Succeeded', url: `${here.url}${BASE}/exportJob/${job.id}/content` });
    const doc = (await download.get<CatalogDocument>(job.url)).body;
    expect(doc['@type']).toBe('ServiceCatalogDocument');
    const names = (c: Collection) => doc[c].map((e) => e.name).sort();
    expect(names('serviceCatalog')).toEqual(['Services for homes']);
    expect(names('serviceCategory')).toEqual(['Internet', 'Residential']);
    expect(names('serviceCandidate')).toEqual(['Home broadband']);
    expect(names('serviceSpecification')).toEqual(['Fibre access', 'Home broadband']);
    for (const c of ['serviceCatalog', 'serviceCategory', 'serviceCandidate', 'serviceSpecification'] as const) {
      for (const e of doc[c]) expect(api.oracle!.errors(DEFINITIONS[c], e), `${c} ${e.id}`).toEqual([]);
    }
    // a collection, filtered
    const drafts = await api.create<Job>('/exportJob', { path: 'serviceSpecification', query: 'lifecycleStatus=In design' });
    expect((await download.get<CatalogDocument>(drafts.url)).body.serviceSpecification.map((e) => e.name)).toEqual(['Voice (draft)']);
    const refused = await api.post<TmfErrorBody>('/exportJob', { path: 'serviceOrder' });
    expect(refused.status).toBe(400);
    expect(refused.body.message).toContain('path');
  });

  it('imports it into a fresh database, linked and in the same states', async () => {
    const job = await api.create<Job>('/exportJob', { path: `serviceCatalog/${state['catalog']!.id}` });
    const doc = (await download.get<CatalogDocument>(job.url)).body;
    const imported = await other.create<Job>('/importJob', { url: asDataUrl(doc) });
    expect(imported.status, imported.errorLog).toBe('Succeeded');
    expect(await totals(other)).toEqual({ serviceCatalog: 1, serviceCategory: 2, serviceCandidate: 1, serviceSpecification: 2 });
    const [rfs] = await named(other, 'serviceSpecification', 'Fibre access');
    const [cfs] = await named(other, 'serviceSpecification', 'Home broadband');
    expect(rfs).toMatchObject({ lifecycleStatus: 'Active', '@type': 'ResourceFacingServiceSpecification' });
    expect(cfs).toMatchObject({ lifecycleStatus: 'Launched', serviceSpecRelationship: [{ id: rfs!.id, href: rfs!.href, relationshipType: 'dependency' }] });
    const [candidate] = await named(other, 'serviceCandidate', 'Home broadband');
    expect(candidate).toMatchObject({ lifecycleStatus: 'Active', serviceSpecification: { id: cfs!.id } });
    const [root] = await named(other, 'serviceCategory', 'Residential');
    expect(root).toMatchObject({ isRoot: true, serviceCandidate: [{ id: candidate!.id }] });
    expect((await named(other, 'serviceCategory', 'Internet'))[0]).toMatchObject({ parentId: root!.id, lifecycleStatus: 'Active' });
    expect((await named(other, 'serviceCatalog', 'Services for homes'))[0]).toMatchObject({ lifecycleStatus: 'Launched', category: [{ id: root!.id }] });
    // TMF633 defines no job events: only the catalog's own, each valid
    const events = await there.db.query<{ event_type: string; payload: unknown }>(`SELECT event_type, payload FROM outbox WHERE api = 'serviceCatalogManagement'`);
    expect(events.rows.some((e) => e.event_type.includes('Job'))).toBe(false);
    for (const e of events.rows) expect(other.oracle!.errors(e.event_type, e.payload), e.event_type).toEqual([]);
  });

  it('imports an export of this server under new ids', async () => {
    const job = await api.create<Job>('/exportJob', { path: `serviceCatalog/${state['catalog']!.id}` });
    const imported = await api.create<Job>('/importJob', { url: job.url });
    expect(imported.status, imported.errorLog).toBe('Succeeded');
    const copies = await named(api, 'serviceSpecification', 'Home broadband');
    expect(copies.map((c) => c.id)).toContain(state['cfs']!.id);
    expect(copies).toHaveLength(2);
    const copy = copies.find((c) => c.id !== state['cfs']!.id)!;
    const rfsCopy = (await named(api, 'serviceSpecification', 'Fibre access')).find((s) => s.id !== state['rfs']!.id)!;
    expect(copy['serviceSpecRelationship']).toEqual([expect.objectContaining({ id: rfsCopy.id })]);
  });

  it('fails whole on a document that breaks a rule, leaving nothing behind', async () => {
    const before = await totals(api);
    const outbox = async () => (await here.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM outbox WHERE api = 'serviceCatalogManagement'`)).rows[0]!.n;
    const events = await outbox();
    const job = await api.create<Job>('/importJob', {
      url: asDataUrl({
        serviceSpecification: [
          { id: 'x-cfs', name: 'Needs a draft', '@type': 'CustomerFacingServiceSpecification', serviceSpecRelationship: [{ id: 'x-rfs', relationshipType: 'dependency' }], lifecycleStatus: 'Active' },
          { id: 'x-rfs', name: 'Still a draft', '@type': 'ResourceFacingServiceSpecification', lifecycleStatus: 'In design' },
        ],
        serviceCatalog: [{ name: 'Half a catalog' }],
      }),
    });
    expect(job.status).toBe('Failed');
    expect(job.errorLog).toContain("serviceSpecification[0] (x-cfs) 'Needs a draft' → Active");
    expect(job.errorLog).toContain('serviceSpecRelationship[0].id');
    expect(await totals(api)).toEqual(before);
    expect(await outbox()).toBe(events);
  });
});
