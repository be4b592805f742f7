import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestOperon, type TestOperon } from '@operon/server/testing';
import type { CatalogEntity, CatalogReference, TmfErrorBody } from '@operon/tmf';
import { tmfClient, type TmfClient } from '@operon/tmf/testing';
import { resourceCatalogComponent } from './index.ts';

type Entity = CatalogEntity;
type Ref = CatalogReference;
/** A job as the tests read it. */
interface Job extends CatalogReference {
  status: string;
  url: string;
  errorLog?: string;
}
/** An exported document: one list per collection. */
interface CatalogDocument {
  '@type': string;
  resourceCatalog: Entity[];
  resourceCategory: Entity[];
  resourceCandidate: Entity[];
  resourceSpecification: Entity[];
}
type Body = Record<string, unknown>;

const BASE = '/tmf-api/resourceCatalog/v4';
const COLLECTIONS = ['resourceCatalog', 'resourceCategory', 'resourceCandidate', 'resourceSpecification'] as const;
const TYPES = {
  resourceCatalog: 'ResourceCatalog', resourceCategory: 'ResourceCategory', resourceCandidate: 'ResourceCandidate', resourceSpecification: 'ResourceSpecification',
  importJob: 'ImportJob', exportJob: 'ExportJob',
};
const dataUrl = (doc: unknown) => `data:application/json;base64,${Buffer.from(JSON.stringify(doc)).toString('base64')}`;
const ids = (list: readonly { id: string }[]) => list.map((x) => x.id).sort();

/** A server with the Resource Catalog and a spec-checking client for it. */
async function start(): Promise<{ op: TestOperon; api: TmfClient }> {
  const op = await startTestOperon({ components: [resourceCatalogComponent] });
  return { op, api: tmfClient({ baseUrl: `${op.url}${BASE}`, spec: 'TMF634', types: TYPES }) };
}

async function moveTo(api: TmfClient, resource: string, id: string, ...states: string[]) {
  for (const s of states) {
    const r = await api.patch<Entity>(`/${resource}/${id}`, { lifecycleStatus: s });
    expect(r.status, `${resource} → ${s}: ${JSON.stringify(r.body)}`).toBe(200);
  }
}

async function all(api: TmfClient, resource: string): Promise<Entity[]> {
  return (await api.get<Entity[]>(`/${resource}`)).body;
}

async function entityEvents(op: TestOperon): Promise<number> {
  const r = await op.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM outbox WHERE api = 'resourceCatalog' AND event_type NOT LIKE '%Job%'`);
  return r.rows[0]!.n;
}

let source: { op: TestOperon; api: TmfClient };
let fresh: { op: TestOperon; api: TmfClient };
let made: { catalog: Entity; root: Entity; sub: Entity; card: Entity; chassis: Entity; vlan: Entity; legacy: Entity; chassisCandidate: Entity; vlanCandidate: Entity; stray: Entity };

beforeAll(async () => {
  [source, fresh] = await Promise.all([start(), start()]);
  const { api } = source;
  const ref = (e: Entity): Ref => ({ id: e.id, href: e.href, name: e.name });
  const card = await api.create<Entity>('/resourceSpecification', { name: 'GPON card', '@type': 'PhysicalResourceSpecification', vendor: 'Nokia' });
  const chassis = await api.create<Entity>('/resourceSpecification', {
    name: 'OLT chassis', '@type': 'PhysicalResourceSpecification',
    resourceSpecRelationship: [{ ...ref(card), relationshipType: 'dependency', minimumQuantity: 1, maximumQuantity: 16 }],
    resourceSpecCharacteristic: [{ name: 'slots', valueType: 'integer', resourceSpecCharacteristicValue: [{ value: 16, isDefault: true }] }],
  });
  const vlan = await api.create<Entity>('/resourceSpecification', {
    name: 'Customer VLAN', '@type': 'LogicalResourceSpecification',
    resourceSpecCharacteristic: [{ name: 'vlanId', valueType: 'integer', configurable: false, resourceSpecCharacteristicValue: [{ valueFrom: 2, valueTo: 4094 }] }],
  });
  const legacy = await api.create<Entity>('/resourceSpecification', { name: 'Copper pair' });
  await moveTo(api, 'resourceSpecification', card.id, 'In test', 'Active', 'Launched');
  await moveTo(api, 'resourceSpecification', chassis.id, 'In test', 'Active');
  await moveTo(api, 'resourceSpecification', vlan.id, 'In test', 'Active');
  await moveTo(api, 'resourceSpecification', legacy.id, 'In test', 'Active', 'Retired');
  const chassisCandidate = await api.create<Entity>('/resourceCandidate', { name: 'OLT chassis', resourceSpecification: ref(chassis) });
  const vlanCandidate = await api.create<Entity>('/resourceCandidate', { name: 'Customer VLAN', resourceSpecification: ref(vlan) });
  await moveTo(api, 'resourceCandidate', chassisCandidate.id, 'In test', 'Active');
  const root = await api.create<Entity>('/resourceCategory', { name: 'Access', resourceCandidate: [ref(chassisCandidate)] });
  const sub = await api.create<Entity>('/resourceCategory', { name: 'Layer 2', parentId: root.id, resourceCandidate: [ref(vlanCandidate)] });
  await api.patch(`/resourceCandidate/${vlanCandidate.id}`, { category: [ref(sub)] });
  await moveTo(api, 'resourceCategory', root.id, 'In test', 'Active');
  await moveTo(api, 'resourceCategory', sub.id, 'In test', 'Active');
  const catalog = await api.create<Entity>('/resourceCatalog', { name: 'Access network', category: [ref(root)] });
  await moveTo(api, 'resourceCatalog', catalog.id, 'In test', 'Active');
  const stray = await api.create<Entity>('/resourceSpecification', { name: 'Not in the catalog' });
  made = { catalog, root, sub, card, chassis, vlan, legacy, chassisCandidate, vlanCandidate, stray };
});
afterAll(async () => Promise.all([source?.op.close(), fresh?.op.close()]));

describe('TMF634 exportJob', () => {
  it('writes a catalog with its categories, candidates and specifications, each as the specification defines it', async () => {
    const job = await source.api.create<Job>('/exportJob', { path: `resourceCatalog/${made.catalog.id}` });
    expect(job).toMatchObject({ '@type': 'ExportJob', status: 'Succeeded', contentType: 'application/json' });
    expect(job.url).toBe(`${source.op.url}${BASE}/exportJob/${job.id}/content`);
    const doc = (await tmfClient({ baseUrl: '' }).get<CatalogDocument>(job.url)).body;
    expect(doc['@type']).toBe('ResourceCatalogDocument');
    expect(ids(doc.resourceCatalog)).toEqual([made.catalog.id]);
    expect(ids(doc.resourceCategory)).toEqual(ids([made.root, made.sub]));
    expect(ids(doc.resourceCandidate)).toEqual(ids([made.chassisCandidate, made.vlanCandidate]));
    expect(ids(doc.resourceSpecification)).toEqual(ids([made.card, made.chassis, made.vlan]));
    const oracle = source.api.oracle!;
    for (const c of COLLECTIONS) {
      for (const e of doc[c]) expect(oracle.errors(c === 'resourceSpecification' ? e['@type'] : TYPES[c], e), `${c} ${e.id}`).toEqual([]);
    }
    expect((await source.api.get<Job[]>('/exportJob?status=Succeeded')).body.map((j) => j.id)).toContain(job.id);
  });

  it('refuses what it cannot export, naming the field', async () => {
    for (const [body, status, field] of [
      [{ path: 'resourceInventory' }, 400, 'path'],
      [{ path: 'resourceCatalog/nope' }, 422, 'path'],
      [{ path: 'resourceSpecification', query: 'colour=red' }, 400, 'query'],
      [{ contentType: 'text/csv' }, 400, 'contentType'],
    ] as const) {
      const r = await source.api.post<TmfErrorBody>('/exportJob', body);
      expect(r.status).toBe(status);
      expect(r.body.message).toContain(field);
    }
  });
});

describe('TMF634 importJob', () => {
  it('loads an export into a fresh database: same states, references linked to the new ids, events as the specification defines them', async () => {
    const job = await source.api.create<Job>('/exportJob', { path: `resourceCatalog/${made.catalog.id}` });
    const content = (await tmfClient({ baseUrl: '' }).get<CatalogDocument>(job.url)).body;
    const imported = await fresh.api.create<Job>('/importJob', { url: dataUrl(content) });
    expect(imported).toMatchObject({ '@type': 'ImportJob', status: 'Succeeded', path: BASE });

    const byName = async (resource: string, name: string) => (await all(fresh.api, resource)).find((e) => e.name === name)!;
    const card = await byName('resourceSpecification', 'GPON card');
    const chassis = await byName('resourceSpecification', 'OLT chassis');
    const vlan = await byName('resourceSpecification', 'Customer VLAN');
    expect([card.lifecycleStatus, chassis.lifecycleStatus, vlan.lifecycleStatus]).toEqual(['Launched', 'Active', 'Active']);
    expect(chassis['@type']).toBe('PhysicalResourceSpecification');
    expect((chassis['resourceSpecRelationship'] as Ref[])[0]).toMatchObject({ id: card.id, href: card.href });
    const candidate = await byName('resourceCandidate', 'OLT chassis');
    expect(candidate).toMatchObject({ lifecycleStatus: 'Active', resourceSpecification: { id: chassis.id } });
    const root = await byName('resourceCategory', 'Access');
    const sub = await byName('resourceCategory', 'Layer 2');
    expect(root).toMatchObject({ isRoot: true, lifecycleStatus: 'Active', resourceCandidate: [{ id: candidate.id }] });
    expect(sub).toMatchObject({ parentId: root.id, isRoot: false, lifecycleStatus: 'Active' });
    expect(await byName('resourceCandidate', 'Customer VLAN')).toMatchObject({ lifecycleStatus: 'In design', category: [{ id: sub.id }] });
    expect(await byName('resourceCatalog', 'Access network')).toMatchObject({ lifecycleStatus: 'Active', category: [{ id: root.id }] });
    expect((await all(fresh.api, 'resourceSpecification')).length).toBe(3);

    const events = await fresh.op.db.query<{ event_type: string; payload: Body }>(`SELECT event_type, payload FROM outbox WHERE api = 'resourceCatalog'`);
    const kinds = new Set(events.rows.map((e) => e.event_type));
    for (const k of ['ImportJobCreateEvent', 'ImportJobStateChangeEvent', 'ResourceSpecificationCreateEvent', 'ResourceCatalogChangeEvent']) expect(kinds).toContain(k);
    for (const e of events.rows) expect(fresh.api.oracle!.errors(e.event_type, e.payload), e.event_type).toEqual([]);
  });

  it('loads an export of this server as new entities, leaving the originals alone', async () => {
    const job = await source.api.create<Job>('/exportJob', { path: `resourceCatalog/${made.catalog.id}` });
    const before = await all(source.api, 'resourceSpecification');
    const imported = await source.api.create<Job>('/importJob', { url: job.url });
    expect(imported.status, imported.errorLog).toBe('Succeeded');
    const after = await all(source.api, 'resourceSpecification');
    expect(after.length).toBe(before.length + 3);
    const copies = after.filter((s) => !before.some((b) => b.id === s.id));
    expect(copies.map((s) => s.name).sort()).toEqual(['Customer VLAN', 'GPON card', 'OLT chassis']);
    const chassisCopy = copies.find((s) => s.name === 'OLT chassis')!;
    const cardCopy = copies.find((s) => s.name === 'GPON card')!;
    expect((chassisCopy['resourceSpecRelationship'] as Ref[])[0]!.id).toBe(cardCopy.id);
    expect((await source.api.get<Entity>(`/resourceSpecification/${made.chassis.id}`)).body['resourceSpecRelationship']).toEqual([
      expect.objectContaining({ id: made.card.id }),
    ]);
  });

  it('fails whole when the document breaks a rule: nothing is left behind and the job says why', async () => {
    const counts = async () => Promise.all(COLLECTIONS.map(async (c) => (await all(fresh.api, c)).length));
    const before = await counts();
    const events = await entityEvents(fresh.op);
    const job = await fresh.api.create<Job>('/importJob', {
      url: dataUrl({
        resourceSpecification: [{ id: 's1', name: 'Draft port', lifecycleStatus: 'In design' }],
        resourceCandidate: [{ id: 'c1', name: 'Port candidate', resourceSpecification: { id: 's1' }, lifecycleStatus: 'Active' }],
        resourceCategory: [{ id: 'k1', name: 'Ports', resourceCandidate: [{ id: 'c1' }] }],
      }),
    });
    expect(job.status).toBe('Failed');
    expect(job.errorLog).toContain("resourceCandidate[0] (c1) 'Port candidate' → Active");
    expect(job.errorLog).toContain('resourceSpecification.id');
    expect(await counts()).toEqual(before);
    expect(await entityEvents(fresh.op)).toBe(events);
    expect((await fresh.api.get<Job[]>('/importJob?status=Failed')).body.map((j) => j.id)).toContain(job.id);

    const cycle = await fresh.api.create<Job>('/importJob', {
      url: dataUrl({ resourceCategory: [{ id: 'a', name: 'A', parentId: 'b' }, { id: 'b', name: 'B', parentId: 'a' }] }),
    });
    expect(cycle).toMatchObject({ status: 'Failed', errorLog: expect.stringContaining('parentId') });
    expect(await counts()).toEqual(before);
  });
});
