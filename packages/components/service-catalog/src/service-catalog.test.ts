import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestOperon, type TestOperon } from '@operon/server/testing';
import type { CatalogEntity, TmfErrorBody as TmfError } from '@operon/tmf';
import { tmfClient, type SpecOracle, type TmfClient, type TmfReply } from '@operon/tmf/testing';
import { serviceCatalogComponent } from './index.ts';

let op: TestOperon;
let api: string;
let client: TmfClient;
let spec: SpecOracle;

/** A catalog entity as the tests read it. */
interface Entity extends CatalogEntity {
  parentId?: string;
  specCharacteristic?: { name: string }[];
}
type Body = Record<string, unknown>;

/** Every response body is checked against the official TMF633 definition of what the path returns (Error for failures). */
const call = <T = Entity>(method: string, path: string, body?: unknown, headers?: Record<string, string>) => client.call<T>(method, path, body, headers);
const post = (path: string, body: Body) => client.create<Entity>(path, body);
const patch = (path: string, body: unknown) => client.patch<Entity>(path, body);
const ids = (r: TmfReply<unknown>) => (r.body as Entity[]).map((x) => x.id);

/** Walks a specification (or candidate…) along the lifecycle to `state`. */
async function moveTo(resource: string, id: string, ...states: string[]) {
  for (const s of states) {
    const r = await patch(`/${resource}/${id}`, { lifecycleStatus: s });
    if (r.status !== 200) throw new Error(`${resource} ${id} → ${s}: ${r.status} ${JSON.stringify(r.body)}`);
  }
}
const activate = (resource: string, id: string) => moveTo(resource, id, 'In test', 'Active');

/** Expects a TMF error with `status` whose message names `field`. */
function refused(r: TmfReply<unknown>, status: number, field: string) {
  const e = r.body as TmfError;
  expect(r.status, JSON.stringify(e)).toBe(status);
  expect(e['@type']).toBe('Error');
  expect(e.message).toContain(field);
}

async function count(resource: string, query: string) {
  return (await call<Entity[]>('GET', `/${resource}?${query}`)).body.length;
}

async function until(check: () => Promise<boolean>, ms = 15_000) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('condition not reached in time');
}

beforeAll(async () => {
  op = await startTestOperon({ components: [serviceCatalogComponent], config: { relay: { retryBaseMs: 50, retryMaxMs: 400, maxAttempts: 6, pollMs: 100 } } });
  api = `${op.url}/tmf-api/serviceCatalogManagement/v4`;
  client = tmfClient({
    baseUrl: api,
    spec: 'TMF633',
    types: {
      serviceCatalog: 'ServiceCatalog', serviceCategory: 'ServiceCategory', serviceCandidate: 'ServiceCandidate', serviceSpecification: 'ServiceSpecification',
      importJob: 'ImportJob', exportJob: 'ExportJob',
    },
  });
  spec = client.oracle!;
});
afterAll(async () => op?.close());

const fibreAccess = () => ({
  name: 'Fibre access RFS',
  '@type': 'ResourceFacingServiceSpecification',
  version: '1.0',
  description: 'GPON access line',
  resourceSpecification: [{ id: 'ont-spec-remote', href: 'https://partner.example.com/tmf-api/resourceCatalog/v4/resourceSpecification/ont-spec-remote', name: 'ONT', version: '2', '@referredType': 'PhysicalResourceSpecification' }],
  specCharacteristic: [
    {
      name: 'downstreamMbps', valueType: 'integer', configurable: true, minCardinality: 1, maxCardinality: 1,
      characteristicValueSpecification: [
        { valueType: 'integer', valueFrom: 100, valueTo: 1000, rangeInterval: 'closed', unitOfMeasure: 'Mbps' },
        { valueType: 'integer', value: 300, isDefault: true, unitOfMeasure: 'Mbps' },
      ],
    },
    {
      name: 'vlanMode', valueType: 'string', configurable: false,
      characteristicValueSpecification: [{ value: 'single-tag', isDefault: true }, { value: 'double-tag' }],
    },
  ],
});

describe('TMF633 service specification', () => {
  it('creates a customer-facing specification with everything decomposition needs, and serves it back', async () => {
    const rfs = await post('/serviceSpecification', fibreAccess());
    expect(rfs).toMatchObject({ '@type': 'ResourceFacingServiceSpecification', '@baseType': 'ServiceSpecification', lifecycleStatus: 'In design' });
    const cfs = await call('POST', '/serviceSpecification', {
      name: 'Home broadband CFS',
      '@type': 'CustomerFacingServiceSpecification',
      version: '1.0',
      isBundle: false,
      validFor: { startDateTime: '2025-01-01T00:00:00+01:00', endDateTime: '2030-01-01T00:00:00Z' },
      serviceSpecRelationship: [{ id: rfs['id'], name: rfs['name'], relationshipType: 'dependency', role: 'access', '@referredType': 'ResourceFacingServiceSpecification' }],
      specCharacteristic: [
        { name: 'speedProfile', valueType: 'string', configurable: true, regex: '[0-9]+M', characteristicValueSpecification: [{ value: '300M', isDefault: true }, { value: '1000M' }] },
        { name: 'staticIp', valueType: 'boolean', configurable: true, minCardinality: 0, maxCardinality: 1, characteristicValueSpecification: [{ value: false, isDefault: true }, { value: true }] },
      ],
      featureSpecification: [
        { id: 'f1', name: 'parentalControl', isEnabled: false, featureSpecCharacteristic: [{ name: 'level', valueType: 'string', featureSpecCharacteristicValue: [{ value: 'strict' }, { value: 'moderate', isDefault: true }] }], featureSpecRelationship: [{ name: 'staticIp', relationshipType: 'exclusivity', featureId: 'f2' }] },
      ],
      serviceLevelSpecification: [{ id: 'sls-gold', name: 'Gold availability' }],
      relatedParty: [{ id: 'p1', '@referredType': 'Organization', role: 'owner', name: 'Network Products' }],
      attachment: [{ name: 'design.pdf', mimeType: 'application/pdf', url: 'https://docs.example.com/design.pdf' }],
      constraint: [{ id: 'c1', name: 'residential only' }],
      entitySpecRelationship: [{ id: 'e1', relationshipType: 'dependency', associationSpec: { id: 'a1' } }],
      targetEntitySchema: { '@schemaLocation': 'https://schemas.example.com/HomeBroadband.json', '@type': 'HomeBroadband' },
    });
    expect(cfs.status).toBe(201);
    expect(cfs.headers.get('location')).toBe(cfs.body.href);
    expect(cfs.headers.get('etag')).toBe('"1"');
    expect(cfs.body).toMatchObject({ '@type': 'CustomerFacingServiceSpecification', lifecycleStatus: 'In design', validFor: { startDateTime: '2024-12-31T23:00:00.000Z' } });
    expect(cfs.body.href).toBe(`${api}/serviceSpecification/${cfs.body.id}`);
    expect(typeof cfs.body.lastUpdate).toBe('string');

    const got = await call('GET', `/serviceSpecification/${cfs.body.id}`);
    expect(got.status).toBe(200);
    expect(got.body).toEqual(cfs.body);

    // the decomposition walks CFS → RFS by relationship, and finds users of an RFS the same way
    expect(ids(await call('GET', `/serviceSpecification?serviceSpecRelationship.id=${rfs['id']}`))).toEqual([cfs.body.id]);
    expect(ids(await call('GET', '/serviceSpecification?@type=ResourceFacingServiceSpecification'))).toContain(rfs['id']);
    expect(ids(await call('GET', '/serviceSpecification?@type=ResourceFacingServiceSpecification'))).not.toContain(cfs.body.id);
    expect(ids(await call('GET', '/serviceSpecification?name=Home broadband CFS&lifecycleStatus=In design'))).toEqual([cfs.body.id]);
    expect(ids(await call('GET', '/serviceSpecification?specCharacteristic.name=downstreamMbps'))).toEqual([rfs['id']]);
    expect(ids(await call('GET', '/serviceSpecification?resourceSpecification.id=ont-spec-remote'))).toEqual([rfs['id']]);
    expect(await count('serviceSpecification', 'lifecycleStatus=Active')).toBe(0);

    const fields = await call('GET', `/serviceSpecification?fields=name,lifecycleStatus&id=${cfs.body.id}`);
    expect(fields.body).toEqual([{ id: cfs.body.id, href: cfs.body.href, '@type': 'CustomerFacingServiceSpecification', name: 'Home broadband CFS', lifecycleStatus: 'In design' }]);
  });

  it('pages, sorts and counts', async () => {
    for (const n of ['Page A', 'Page B', 'Page C']) await post('/serviceSpecification', { name: n, version: 'paging' });
    const page = await call<Entity[]>('GET', '/serviceSpecification?version=paging&sort=-name&limit=2');
    expect(page.status).toBe(206);
    expect(page.headers.get('x-total-count')).toBe('3');
    expect(page.body.map((s) => s.name)).toEqual(['Page C', 'Page B']);
    const rest = await call<Entity[]>('GET', '/serviceSpecification?version=paging&sort=-name&limit=2&offset=2');
    expect(rest.body.map((s) => s.name)).toEqual(['Page A']);
    refused(await call('GET', '/serviceSpecification?colour=blue'), 400, 'colour');
  });

  it('patches with merge and JSON patch, honours If-Match, deletes', async () => {
    const s = await post('/serviceSpecification', { name: 'Patch me', description: 'v1' });
    const p = await patch(`/serviceSpecification/${s['id']}`, { description: 'v2', specCharacteristic: [{ name: 'x', valueType: 'string' }] });
    expect(p.status).toBe(200);
    expect(p.headers.get('etag')).toBe('"2"');
    expect(p.body.description).toBe('v2');
    const jp = await call('PATCH', `/serviceSpecification/${s['id']}`, [{ op: 'add', path: '/specCharacteristic/-', value: { name: 'y', valueType: 'integer' } }], { 'content-type': 'application/json-patch+json' });
    expect(jp.status).toBe(200);
    expect(jp.body.specCharacteristic?.map((c) => c.name)).toEqual(['x', 'y']);
    expect((await call('PATCH', `/serviceSpecification/${s['id']}`, { description: 'stale' }, { 'content-type': 'application/merge-patch+json', 'if-match': '"1"' })).status).toBe(412);
    expect((await call('PATCH', `/serviceSpecification/${s['id']}`, { description: 'fresh' }, { 'content-type': 'application/merge-patch+json', 'if-match': '"3"' })).status).toBe(200);
    expect((await call('DELETE', `/serviceSpecification/${s['id']}`)).status).toBe(204);
    expect((await call('GET', `/serviceSpecification/${s['id']}`)).status).toBe(404);
    expect((await call('DELETE', `/serviceSpecification/${s['id']}`)).status).toBe(404);
  });

  it('refuses malformed specifications with 400 naming the attribute, and stores nothing', async () => {
    refused(await call('POST', '/serviceSpecification', { description: 'no name' }), 400, 'name');
    refused(await call('POST', '/serviceSpecification', { name: 'Bad', colour: 'red' }), 400, 'colour');
    refused(await call('POST', '/serviceSpecification', { name: 'Bad', specCharacteristic: [{ name: 'c', minCardinality: 'one' }] }), 400, 'specCharacteristic[0].minCardinality');
    refused(await call('POST', '/serviceSpecification', { name: 'Bad', serviceSpecRelationship: [{ id: 'x' }] }), 400, 'serviceSpecRelationship[0].relationshipType');
    refused(await call('POST', '/serviceSpecification', { name: 'Bad', relatedParty: [{ id: 'p1' }] }), 400, 'relatedParty[0].@referredType');
    refused(await call('POST', '/serviceSpecification', { name: 'Bad', resourceSpecification: [{ id: 'r', href: 'not a uri' }] }), 400, 'resourceSpecification[0].href');
    refused(await call('POST', '/serviceSpecification', { name: 'Bad', targetEntitySchema: { '@type': 'X' } }), 400, 'targetEntitySchema.@schemaLocation');
    refused(await call('POST', '/serviceSpecification', { name: 'Bad', '@type': 'NetworkSliceSpecification' }), 400, '@type');
    refused(await call('POST', '/serviceSpecification', { name: 'Bad', lastUpdate: '2020-01-01T00:00:00Z' }), 400, 'lastUpdate');
    refused(await call('POST', '/serviceSpecification', { name: 'Bad', lifecycleStatus: 'Draft' }), 400, 'lifecycleStatus');
    refused(await call('POST', '/serviceSpecification', { name: 'Bad', lifecycleStatus: 'Active' }), 422, 'lifecycleStatus');
    expect(await count('serviceSpecification', 'name=Bad')).toBe(0);
    // an extension with its own schema may carry its own type and attributes
    const ext = await post('/serviceSpecification', { name: 'Slice', '@type': 'NetworkSliceSpecification', '@schemaLocation': 'https://schemas.example.com/slice.json', sliceType: 'eMBB' });
    expect(ext['sliceType']).toBe('eMBB');
    const rfs = await post('/serviceSpecification', { name: 'Typed', '@type': 'ResourceFacingServiceSpecification' });
    refused(await patch(`/serviceSpecification/${rfs['id']}`, { '@type': 'CustomerFacingServiceSpecification' }), 400, '@type');
  });

  it('refuses inconsistent characteristic definitions with 422 naming the attribute', async () => {
    const bad = (specCharacteristic: Body[]) => call('POST', '/serviceSpecification', { name: 'Inconsistent', specCharacteristic });
    refused(await bad([{ name: 'a', minCardinality: 2, maxCardinality: 1 }]), 422, 'specCharacteristic[0].minCardinality');
    refused(await bad([{ name: 'a', maxCardinality: -1 }]), 422, 'specCharacteristic[0].maxCardinality');
    refused(await bad([{ name: 'a' }, { name: 'a' }]), 422, 'specCharacteristic[1].name');
    refused(await bad([{ valueType: 'string' }]), 422, 'specCharacteristic[0].name');
    refused(await bad([{ name: 'speed', valueType: 'integer', characteristicValueSpecification: [{ valueFrom: 10, valueTo: 100 }, { value: 500, isDefault: true }] }]), 422, 'specCharacteristic[0].characteristicValueSpecification[1].value');
    refused(await bad([{ name: 'speed', valueType: 'integer', characteristicValueSpecification: [{ valueFrom: 10, valueTo: 100, rangeInterval: 'open' }, { value: 100, isDefault: true }] }]), 422, 'characteristicValueSpecification[1].value');
    refused(await bad([{ name: 'speed', valueType: 'integer', characteristicValueSpecification: [{ valueFrom: 100, valueTo: 10 }] }]), 422, 'characteristicValueSpecification[0].valueFrom');
    refused(await bad([{ name: 'speed', valueType: 'integer', characteristicValueSpecification: [{ valueFrom: 1, rangeInterval: 'half-open' }] }]), 422, 'characteristicValueSpecification[0].rangeInterval');
    refused(await bad([{ name: 'speed', valueType: 'integer', characteristicValueSpecification: [{ value: 'fast' }] }]), 422, 'characteristicValueSpecification[0].value');
    refused(await bad([{ name: 'speed', valueType: 'integer', characteristicValueSpecification: [{ value: 1, valueType: 'string' }] }]), 422, 'characteristicValueSpecification[0].valueType');
    refused(await bad([{ name: 'colour', valueType: 'string', characteristicValueSpecification: [{ value: 'red', isDefault: true }, { value: 'blue', isDefault: true }] }]), 422, 'specCharacteristic[0].characteristicValueSpecification');
    refused(await bad([{ name: 'msisdn', valueType: 'string', regex: '[0-9]{8,15}', characteristicValueSpecification: [{ value: '12ab' }] }]), 422, 'characteristicValueSpecification[0].value');
    refused(await bad([{ name: 'msisdn', valueType: 'string', regex: '[0-9' }]), 422, 'specCharacteristic[0].regex');
    refused(await call('POST', '/serviceSpecification', {
      name: 'Inconsistent',
      featureSpecification: [{ name: 'f', featureSpecCharacteristic: [{ name: 'level', minCardinality: 3, maxCardinality: 2 }] }],
    }), 422, 'featureSpecification[0].featureSpecCharacteristic[0].minCardinality');
    refused(await call('POST', '/serviceSpecification', { name: 'Inconsistent', validFor: { startDateTime: '2026-01-01T00:00:00Z', endDateTime: '2025-01-01T00:00:00Z' } }), 422, 'validFor.endDateTime');
    expect(await count('serviceSpecification', 'name=Inconsistent')).toBe(0);

    // several defaults are fine where the characteristic takes several values
    const multi = await call('POST', '/serviceSpecification', { name: 'Multi', specCharacteristic: [{ name: 'codecs', valueType: 'string', maxCardinality: 3, characteristicValueSpecification: [{ value: 'G711', isDefault: true }, { value: 'G729', isDefault: true }, { value: 'OPUS' }] }] });
    expect(multi.status).toBe(201);
    // the same rules hold on change
    refused(await patch(`/serviceSpecification/${multi.body.id}`, { specCharacteristic: [{ name: 'codecs', minCardinality: 4, maxCardinality: 3 }] }), 422, 'specCharacteristic[0].minCardinality');
  });

  it('keeps the customer-facing / resource-facing layering', async () => {
    const cfs = await post('/serviceSpecification', { name: 'Layer CFS', '@type': 'CustomerFacingServiceSpecification' });
    refused(await call('POST', '/serviceSpecification', { name: 'Layer bad CFS', '@type': 'CustomerFacingServiceSpecification', resourceSpecification: [{ id: 'r1' }] }), 422, 'resourceSpecification');
    refused(await call('POST', '/serviceSpecification', { name: 'Layer bad RFS', '@type': 'ResourceFacingServiceSpecification', serviceSpecRelationship: [{ id: cfs['id'], relationshipType: 'dependency' }] }), 422, 'serviceSpecRelationship[0].id');
    refused(await call('POST', '/serviceSpecification', { name: 'Layer bad RFS', '@type': 'ResourceFacingServiceSpecification', serviceSpecRelationship: [{ id: 'elsewhere', relationshipType: 'dependency', '@referredType': 'CustomerFacingServiceSpecification' }] }), 422, 'serviceSpecRelationship[0].@referredType');
    refused(await call('POST', '/serviceSpecification', { name: 'Layer bad RFS', serviceSpecRelationship: [{ relationshipType: 'dependency' }] }), 422, 'serviceSpecRelationship[0].id');
    expect(await count('serviceSpecification', 'name=Layer bad RFS')).toBe(0);
    // a CFS may rely on another CFS (composition), an RFS on another RFS
    const rfs = await post('/serviceSpecification', { name: 'Layer RFS', '@type': 'ResourceFacingServiceSpecification', resourceSpecification: [{ id: 'r1' }] });
    await post('/serviceSpecification', { name: 'Layer RFS 2', '@type': 'ResourceFacingServiceSpecification', serviceSpecRelationship: [{ id: rfs['id'], relationshipType: 'dependency' }] });
    await post('/serviceSpecification', { name: 'Layer CFS 2', '@type': 'CustomerFacingServiceSpecification', serviceSpecRelationship: [{ id: cfs['id'], relationshipType: 'dependency' }, { id: rfs['id'], relationshipType: 'dependency' }] });
    refused(await patch(`/serviceSpecification/${cfs['id']}`, { serviceSpecRelationship: [{ id: cfs['id'], relationshipType: 'dependency' }] }), 422, 'serviceSpecRelationship[0].id');
  });

  it('follows the catalog lifecycle and refuses forbidden moves with 422', async () => {
    const s = await post('/serviceSpecification', { name: 'Lifecycle' });
    refused(await patch(`/serviceSpecification/${s['id']}`, { lifecycleStatus: 'Launched' }), 422, 'lifecycleStatus');
    await moveTo('serviceSpecification', s['id'], 'In study', 'In design', 'In test', 'Active');
    refused(await patch(`/serviceSpecification/${s['id']}`, { lifecycleStatus: 'In design' }), 422, 'lifecycleStatus');
    refused(await call('DELETE', `/serviceSpecification/${s['id']}`), 422, 'lifecycleStatus');
    await moveTo('serviceSpecification', s['id'], 'Launched', 'Retired', 'Obsolete');
    const r = await patch(`/serviceSpecification/${s['id']}`, { lifecycleStatus: 'Active' });
    refused(r, 422, 'lifecycleStatus');
    expect(r.body.code).toBe('forbiddenTransition');
    refused(await patch(`/serviceSpecification/${s['id']}`, { lifecycleStatus: 'Withdrawn' }), 400, 'lifecycleStatus');
    expect((await call('DELETE', `/serviceSpecification/${s['id']}`)).status).toBe(204);
  });

  it('becomes Active only once the local specifications it depends on are Active or Launched', async () => {
    const rfs = await post('/serviceSpecification', { name: 'Dep RFS', '@type': 'ResourceFacingServiceSpecification' });
    const other = await post('/serviceSpecification', { name: 'Dep exclusive' });
    const cfs = await post('/serviceSpecification', {
      name: 'Dep CFS', '@type': 'CustomerFacingServiceSpecification',
      serviceSpecRelationship: [
        { id: other['id'], relationshipType: 'exclusivity' },
        { id: rfs['id'], relationshipType: 'dependency' },
        { id: 'remote-rfs', href: 'https://partner.example.com/tmf-api/serviceCatalogManagement/v4/serviceSpecification/remote-rfs', relationshipType: 'dependency' },
      ],
    });
    await moveTo('serviceSpecification', cfs['id'], 'In test');
    const r = await patch(`/serviceSpecification/${cfs['id']}`, { lifecycleStatus: 'Active' });
    refused(r, 422, 'serviceSpecRelationship[1].id');
    expect(r.body.message).toContain('In design');
    expect((await call('GET', `/serviceSpecification/${cfs['id']}`)).body.lifecycleStatus).toBe('In test');
    await activate('serviceSpecification', rfs['id']);
    // the exclusive one stays in design, and the federated one is trusted
    await moveTo('serviceSpecification', cfs['id'], 'Active', 'Launched');

    // an unknown local reference cannot be relied on
    const orphan = await post('/serviceSpecification', { name: 'Dep orphan', serviceSpecRelationship: [{ id: 'no-such-spec', relationshipType: 'requires' }] });
    await moveTo('serviceSpecification', orphan['id'], 'In test');
    refused(await patch(`/serviceSpecification/${orphan['id']}`, { lifecycleStatus: 'Active' }), 422, 'serviceSpecRelationship[0].id');

    // nor can an Active specification take on a dependency that is not in use
    const draft = await post('/serviceSpecification', { name: 'Dep draft' });
    const rels = (await call<{ serviceSpecRelationship: Body[] }>('GET', `/serviceSpecification/${cfs['id']}`)).body.serviceSpecRelationship;
    refused(await patch(`/serviceSpecification/${cfs['id']}`, { serviceSpecRelationship: [...rels, { id: draft['id'], relationshipType: 'dependency' }] }), 422, 'serviceSpecRelationship[3].id');
  });

  it('cannot be retired or deleted while an active candidate or specification relies on it', async () => {
    const rfs = await post('/serviceSpecification', { name: 'Used RFS', '@type': 'ResourceFacingServiceSpecification' });
    await activate('serviceSpecification', rfs['id']);
    const cfs = await post('/serviceSpecification', { name: 'User CFS', '@type': 'CustomerFacingServiceSpecification', serviceSpecRelationship: [{ id: rfs['id'], relationshipType: 'dependency' }] });
    await activate('serviceSpecification', cfs['id']);
    const r = await patch(`/serviceSpecification/${rfs['id']}`, { lifecycleStatus: 'Retired' });
    refused(r, 422, 'lifecycleStatus');
    expect(r.body.message).toContain(cfs['id']);

    const cand = await post('/serviceCandidate', { name: 'User candidate', serviceSpecification: { id: cfs['id'] } });
    await activate('serviceCandidate', cand['id']);
    await moveTo('serviceSpecification', cfs['id'], 'Launched');
    refused(await patch(`/serviceSpecification/${cfs['id']}`, { lifecycleStatus: 'Retired' }), 422, cand['id']);

    await moveTo('serviceCandidate', cand['id'], 'Retired');
    await moveTo('serviceSpecification', cfs['id'], 'Retired');
    await moveTo('serviceSpecification', rfs['id'], 'Retired', 'Obsolete');
    expect((await call('DELETE', `/serviceSpecification/${rfs['id']}`)).status).toBe(204);
  });

  it('never lets a dependency be retired while a specification relying on it is being activated', async () => {
    for (let round = 0; round < 4; round++) {
      const rfs = await post('/serviceSpecification', { name: `Race RFS ${round}`, '@type': 'ResourceFacingServiceSpecification' });
      await activate('serviceSpecification', rfs['id']);
      const cfs = await post('/serviceSpecification', { name: `Race CFS ${round}`, '@type': 'CustomerFacingServiceSpecification', serviceSpecRelationship: [{ id: rfs['id'], relationshipType: 'dependency' }] });
      await moveTo('serviceSpecification', cfs['id'], 'In test');
      const [retire, activation] = await Promise.all([
        patch(`/serviceSpecification/${rfs['id']}`, { lifecycleStatus: 'Retired' }),
        patch(`/serviceSpecification/${cfs['id']}`, { lifecycleStatus: 'Active' }),
      ]);
      // exactly one wins, whichever order the database serialises them in
      expect([retire.status, activation.status].sort()).toEqual([200, 422]);
    }
  });
});

describe('TMF633 service candidate', () => {
  it('makes a specification available, and is Active only when the specification is', async () => {
    const s = await post('/serviceSpecification', { name: 'Cand spec' });
    const cat = await post('/serviceCategory', { name: 'Cand category' });
    refused(await call('POST', '/serviceCandidate', { name: 'No spec' }), 400, 'serviceSpecification');
    refused(await call('POST', '/serviceCandidate', { name: 'Bad ref', serviceSpecification: { name: 'x' } }), 400, 'serviceSpecification.id');
    const c = await call('POST', '/serviceCandidate', { name: 'Cand', version: '1', serviceSpecification: { id: s['id'], name: 'Cand spec', version: '1' }, category: [{ id: cat['id'], name: 'Cand category' }] });
    expect(c.status).toBe(201);
    expect(c.body).toMatchObject({ '@type': 'ServiceCandidate', lifecycleStatus: 'In design' });
    expect(ids(await call('GET', `/serviceCandidate?serviceSpecification.id=${s['id']}`))).toEqual([c.body.id]);
    expect(ids(await call('GET', `/serviceCandidate?category.id=${cat['id']}&lifecycleStatus=In design`))).toEqual([c.body.id]);
    expect(ids(await call('GET', '/serviceCandidate?name=Cand'))).toEqual([c.body.id]);

    await moveTo('serviceCandidate', c.body.id, 'In test');
    const r = await patch(`/serviceCandidate/${c.body.id}`, { lifecycleStatus: 'Active' });
    refused(r, 422, 'serviceSpecification.id');
    await activate('serviceSpecification', s['id']);
    await moveTo('serviceCandidate', c.body.id, 'Active', 'Launched');
    expect((await patch(`/serviceCandidate/${c.body.id}`, { description: 'Fibre for homes' })).body.description).toBe('Fibre for homes');

    // re-pointing an active candidate at a specification in design is refused too
    const draft = await post('/serviceSpecification', { name: 'Cand draft spec' });
    refused(await patch(`/serviceCandidate/${c.body.id}`, { serviceSpecification: { id: draft['id'] } }), 422, 'serviceSpecification.id');

    // unknown local specification: refused at activation; federated: trusted
    const unknown = await post('/serviceCandidate', { name: 'Cand unknown', serviceSpecification: { id: 'nope' } });
    await moveTo('serviceCandidate', unknown['id'], 'In test');
    refused(await patch(`/serviceCandidate/${unknown['id']}`, { lifecycleStatus: 'Active' }), 422, 'serviceSpecification.id');
    const remote = await post('/serviceCandidate', { name: 'Cand remote', serviceSpecification: { id: 'r', href: 'https://partner.example.com/tmf-api/serviceCatalogManagement/v4/serviceSpecification/r' } });
    await activate('serviceCandidate', remote['id']);

    expect((await call('DELETE', `/serviceCandidate/${unknown['id']}`)).status).toBe(204);
    refused(await call('DELETE', `/serviceCandidate/${remote['id']}`), 422, 'lifecycleStatus');
  });
});

describe('TMF633 service category', () => {
  it('builds trees without cycles', async () => {
    const root = await post('/serviceCategory', { name: 'Tree root', isRoot: true });
    const mid = await post('/serviceCategory', { name: 'Tree mid', parentId: root['id'], isRoot: false });
    const leaf = await post('/serviceCategory', { name: 'Tree leaf', parentId: mid['id'] });
    expect(ids(await call('GET', `/serviceCategory?parentId=${mid['id']}`))).toEqual([leaf['id']]);
    expect(ids(await call('GET', '/serviceCategory?isRoot=true'))).toContain(root['id']);

    refused(await call('POST', '/serviceCategory', { name: 'Tree bad', isRoot: true, parentId: root['id'] }), 422, 'parentId');
    refused(await patch(`/serviceCategory/${root['id']}`, { isRoot: false, parentId: root['id'] }), 422, 'parentId');
    refused(await patch(`/serviceCategory/${root['id']}`, { isRoot: false, parentId: leaf['id'] }), 422, 'parentId');
    refused(await patch(`/serviceCategory/${leaf['id']}`, { category: [{ id: root['id'] }] }), 422, 'category');
    refused(await patch(`/serviceCategory/${mid['id']}`, { category: [{ id: mid['id'] }] }), 422, 'category[0].id');
    refused(await call('POST', '/serviceCategory', { name: 'Tree bad', parentId: root['id'], category: [{ id: root['id'] }] }), 422, 'category[0].id');
    expect(await count('serviceCategory', 'name=Tree bad')).toBe(0);
    expect((await call('GET', `/serviceCategory/${root['id']}`)).body.parentId).toBeUndefined();
    // listing children the other way round is fine as long as it makes no loop
    expect((await patch(`/serviceCategory/${root['id']}`, { category: [{ id: mid['id'], name: 'Tree mid' }] })).status).toBe(200);
  });

  it('keeps sub-categories from being orphaned or left active under a retired parent', async () => {
    const parent = await post('/serviceCategory', { name: 'Orphan parent' });
    const child = await post('/serviceCategory', { name: 'Orphan child', parentId: parent['id'] });
    refused(await call('DELETE', `/serviceCategory/${parent['id']}`), 422, child['id']);
    await activate('serviceCategory', parent['id']);
    await activate('serviceCategory', child['id']);
    refused(await patch(`/serviceCategory/${parent['id']}`, { lifecycleStatus: 'Retired' }), 422, 'lifecycleStatus');
    await moveTo('serviceCategory', child['id'], 'Retired');
    await moveTo('serviceCategory', parent['id'], 'Retired');
    await moveTo('serviceCategory', child['id'], 'Obsolete');
    expect((await call('DELETE', `/serviceCategory/${child['id']}`)).status).toBe(204);
    await moveTo('serviceCategory', parent['id'], 'Obsolete');
    expect((await call('DELETE', `/serviceCategory/${parent['id']}`)).status).toBe(204);
  });

  it('lists candidates and follows the lifecycle', async () => {
    const cat = await post('/serviceCategory', { name: 'With candidates', serviceCandidate: [{ id: 'c1', name: 'Candidate 1' }], validFor: { startDateTime: '2025-01-01T00:00:00Z' } });
    expect(ids(await call('GET', '/serviceCategory?serviceCandidate.id=c1'))).toEqual([cat['id']]);
    refused(await patch(`/serviceCategory/${cat['id']}`, { lifecycleStatus: 'Retired' }), 422, 'lifecycleStatus');
    refused(await call('POST', '/serviceCategory', { name: 'Bad', serviceCandidate: [{ name: 'no id' }] }), 400, 'serviceCandidate[0].id');
  });
});

describe('TMF633 service catalog', () => {
  it('does CRUD with filters and the lifecycle', async () => {
    const cat = await post('/serviceCategory', { name: 'Catalog category' });
    const c = await call('POST', '/serviceCatalog', {
      name: 'Residential services', version: '2025', description: 'What we sell to homes',
      category: [{ id: cat['id'], name: 'Catalog category' }],
      relatedParty: [{ id: 'o1', '@referredType': 'Organization', role: 'owner' }],
      validFor: { startDateTime: '2025-01-01T00:00:00Z' },
    });
    expect(c.status).toBe(201);
    expect(c.body).toMatchObject({ '@type': 'ServiceCatalog', lifecycleStatus: 'In design' });
    expect(ids(await call('GET', `/serviceCatalog?category.id=${cat['id']}`))).toEqual([c.body.id]);
    expect(ids(await call('GET', '/serviceCatalog?relatedParty.role=owner&name=Residential services'))).toEqual([c.body.id]);
    refused(await call('POST', '/serviceCatalog', { version: 'x' }), 400, 'name');
    refused(await call('POST', '/serviceCatalog', { name: 'Bad', validFor: { startDateTime: 'yesterday' } }), 400, 'validFor.startDateTime');
    refused(await call('POST', '/serviceCatalog', { name: 'Bad', validFor: { startDateTime: '2025-02-01T00:00:00Z', endDateTime: '2025-01-01T00:00:00Z' } }), 422, 'validFor.endDateTime');
    await activate('serviceCatalog', c.body.id);
    refused(await patch(`/serviceCatalog/${c.body.id}`, { lifecycleStatus: 'In test' }), 422, 'lifecycleStatus');
    expect((await patch(`/serviceCatalog/${c.body.id}`, { description: 'Homes and small offices' })).body.description).toBe('Homes and small offices');
    await moveTo('serviceCatalog', c.body.id, 'Retired', 'Obsolete');
    expect((await call('DELETE', `/serviceCatalog/${c.body.id}`)).status).toBe(204);
  });
});

describe('resource specifications known from the Resource Catalog', () => {
  const emit = (eventType: string, resourceSpecification: Body) =>
    op.db.tx(async (tx) => {
      tx.emit({
        api: 'resourceCatalog', eventType, resourceType: 'ResourceSpecification', resourceId: String(resourceSpecification['id']),
        payload: { eventType, event: { resourceSpecification } },
      });
    });
  const known = async (id: string, status: string | null, deleted = false) =>
    until(async () => {
      const r = await op.db.query<{ lifecycle_status: string | null; deleted: boolean }>('SELECT lifecycle_status, deleted FROM service_catalog_known_resource_spec WHERE id = $1', [id]);
      return r.rows[0]?.lifecycle_status === status && r.rows[0]?.deleted === deleted;
    });

  it('must be Active or Launched before a service specification needing them is', async () => {
    await emit('ResourceSpecificationCreateEvent', { id: 'olt-port', name: 'OLT port', lifecycleStatus: 'In design' });
    await known('olt-port', 'In design');
    const rfs = await post('/serviceSpecification', {
      name: 'Needs OLT port', '@type': 'ResourceFacingServiceSpecification',
      resourceSpecification: [{ id: 'never-heard-of' }, { id: 'olt-port', href: `${op.url}/tmf-api/resourceCatalog/v4/resourceSpecification/olt-port` }],
    });
    await moveTo('serviceSpecification', rfs['id'], 'In test');
    const r = await patch(`/serviceSpecification/${rfs['id']}`, { lifecycleStatus: 'Active' });
    refused(r, 422, 'resourceSpecification[1].id');
    expect(r.body.message).toContain('OLT port');

    await emit('ResourceSpecificationChangeEvent', { id: 'olt-port', name: 'OLT port', lifecycleStatus: 'Active' });
    await known('olt-port', 'Active');
    await moveTo('serviceSpecification', rfs['id'], 'Active');

    await emit('ResourceSpecificationCreateEvent', { id: 'gone', name: 'Gone', lifecycleStatus: 'In design' });
    await emit('ResourceSpecificationDeleteEvent', { id: 'gone', name: 'Gone', lifecycleStatus: 'In design' });
    await known('gone', 'In design', true);
    const stale = await post('/serviceSpecification', { name: 'Needs gone', '@type': 'ResourceFacingServiceSpecification', resourceSpecification: [{ id: 'gone' }] });
    await moveTo('serviceSpecification', stale['id'], 'In test');
    refused(await patch(`/serviceSpecification/${stale['id']}`, { lifecycleStatus: 'Active' }), 422, 'resourceSpecification[0].id');
  });
});

describe('conformance to the official TMF633 v4 specification', () => {
  it('serves every operation of the specification', async () => {
    const res = await fetch(`${op.url}/docs/json`);
    const doc = (await res.json()) as { paths: Record<string, Record<string, unknown>> };
    for (const [path, ops] of Object.entries(spec.paths)) {
      if (path.startsWith('/listener')) continue;
      const ours = doc.paths[`/tmf-api/serviceCatalogManagement/v4${path.replace('{id}', '{id}')}`];
      expect(ours, path).toBeDefined();
      for (const m of Object.keys(ops)) expect(ours![m], `${m} ${path}`).toBeDefined();
    }
  });

  it('registers hub listeners', async () => {
    const hub = await call('POST', '/hub', { callback: 'http://127.0.0.1:9/cb', query: 'eventType=ServiceSpecificationCreateEvent' });
    expect(hub.status).toBe(201);
    expect((await call('DELETE', `/hub/${hub.body.id}`)).status).toBe(204);
  });

  it('publishes events whose payloads validate', async () => {
    const events = await op.db.query<{ event_type: string; payload: Body }>(`SELECT event_type, payload FROM outbox WHERE api = 'serviceCatalogManagement'`);
    const kinds = new Set(events.rows.map((e) => e.event_type));
    for (const t of ['ServiceSpecification', 'ServiceCandidate', 'ServiceCategory', 'ServiceCatalog']) {
      for (const k of ['CreateEvent', 'ChangeEvent', 'DeleteEvent']) expect(kinds, `${t}${k}`).toContain(`${t}${k}`);
    }
    for (const e of events.rows) {
      expect(spec.definitions, e.event_type).toContain(e.event_type);
      expect(spec.errors(e.event_type, e.payload), e.event_type).toEqual([]);
    }
  });
});
