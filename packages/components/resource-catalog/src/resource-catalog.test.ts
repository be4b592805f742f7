import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestOperon, type TestOperon } from '@operon/server/testing';
import type { CatalogEntity, TmfErrorBody as TmfError } from '@operon/tmf';
import { tmfClient, type SpecOracle, type TmfClient, type TmfReply } from '@operon/tmf/testing';
import { resourceCatalogComponent } from './index.ts';

let op: TestOperon;
let api: string;
let client: TmfClient;
let spec: SpecOracle;

type Entity = CatalogEntity;
type Body = Record<string, unknown>;
const subclasses = ['LogicalResourceSpecification', 'PhysicalResourceSpecification', 'ResourceFunctionSpecification'];

/**
 * Every response body is checked against the official TMF634 definition of what the path returns
 * (by the client); a specification of a subclass also against the subclass's own definition.
 */
async function call<T = Entity>(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<TmfReply<T>> {
  const r = await client.call<T>(method, path, body, headers);
  if (r.body !== undefined && r.status < 400 && path.startsWith('/resourceSpecification') && !/[?&]fields=/.test(path)) {
    for (const item of (Array.isArray(r.body) ? r.body : [r.body]) as Body[]) {
      const type = String(item['@type']);
      if (subclasses.includes(type)) expect(spec.errors(type, item), `${type} from ${path}`).toEqual([]);
    }
  }
  return r;
}

const post = async (path: string, body: Body) => {
  const r = await call('POST', path, body);
  if (r.status !== 201) throw new Error(`POST ${path} → ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
};
const patch = (path: string, body: unknown) => call('PATCH', path, body, { 'content-type': 'application/merge-patch+json' });
const ids = (r: TmfReply<unknown>) => (r.body as Entity[]).map((x) => x.id);

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
  op = await startTestOperon({ components: [resourceCatalogComponent], config: { relay: { retryBaseMs: 50, retryMaxMs: 400, maxAttempts: 6, pollMs: 100 } } });
  api = `${op.url}/tmf-api/resourceCatalog/v4`;
  client = tmfClient({
    baseUrl: api,
    spec: 'TMF634',
    types: {
      resourceCatalog: 'ResourceCatalog', resourceCategory: 'ResourceCategory', resourceCandidate: 'ResourceCandidate', resourceSpecification: 'ResourceSpecification',
      importJob: 'ImportJob', exportJob: 'ExportJob',
    },
  });
  spec = client.oracle!;
});
afterAll(async () => op?.close());

describe('TMF634 resource specification', () => {
  it('creates physical, logical and function specifications and serves them back', async () => {
    const card = await post('/resourceSpecification', {
      name: 'GPON line card', '@type': 'PhysicalResourceSpecification', category: 'Equipment', version: '3',
      vendor: 'Nokia', model: 'FGLT-B', part: '3FE12345', sku: 'FGLT-B-16',
      resourceSpecCharacteristic: [
        { name: 'ports', valueType: 'integer', configurable: false, resourceSpecCharacteristicValue: [{ value: 16, isDefault: true }] },
        { name: 'powerW', valueType: 'integer', resourceSpecCharacteristicValue: [{ valueFrom: 20, valueTo: 60, unitOfMeasure: 'W', rangeInterval: 'closed' }, { value: 45, isDefault: true }] },
      ],
      attachment: [{ name: 'datasheet', url: 'https://vendor.example.com/fglt-b.pdf', mimeType: 'application/pdf' }],
      relatedParty: [{ id: 'nokia', '@referredType': 'Organization', role: 'vendor' }],
      targetResourceSchema: { '@type': 'LineCard', '@schemaLocation': 'https://schemas.example.com/LineCard.json' },
    });
    expect(card).toMatchObject({ '@type': 'PhysicalResourceSpecification', '@baseType': 'ResourceSpecification', lifecycleStatus: 'In design', vendor: 'Nokia' });
    const chassis = await call('POST', '/resourceSpecification', {
      name: 'OLT chassis', '@type': 'PhysicalResourceSpecification', vendor: 'Nokia', model: '7360 FX-16', isBundle: true,
      resourceSpecRelationship: [{
        id: card['id'], name: 'GPON line card', relationshipType: 'dependency', role: 'line card',
        minimumQuantity: 1, defaultQuantity: 4, maximumQuantity: 16,
        characteristic: [{ name: 'slot', valueType: 'integer', resourceSpecCharacteristicValue: [{ valueFrom: 1, valueTo: 16 }] }],
      }],
      featureSpecification: [{ id: 'redundancy', name: 'Controller redundancy', isEnabled: true, featureSpecCharacteristic: [{ name: 'mode', valueType: 'string', featureSpecCharacteristicValue: [{ value: 'hot', isDefault: true }, { value: 'cold' }] }] }],
    });
    expect(chassis.status).toBe(201);
    expect(chassis.headers.get('location')).toBe(chassis.body.href);
    const vlan = await post('/resourceSpecification', {
      name: 'Customer VLAN', '@type': 'LogicalResourceSpecification', category: 'L2Network',
      resourceSpecCharacteristic: [{ name: 'vlanId', valueType: 'integer', configurable: true, resourceSpecCharacteristicValue: [{ valueFrom: 2, valueTo: 4094 }] }],
    });
    const fn = await post('/resourceSpecification', {
      name: 'vBNG', '@type': 'ResourceFunctionSpecification',
      connectionPointSpecification: [{ id: 'cp-uplink', name: 'uplink' }],
      connectivitySpecification: [{ name: 'internal', connectionSpecification: [{ associationType: 'pointtoPoint', endpointSpecification: [{ id: 'vnfc-a', role: 'control' }, { id: 'vnfc-b', role: 'user plane' }] }] }],
    });
    const plain = await post('/resourceSpecification', { name: 'Generic resource' });
    expect(plain['@type']).toBe('ResourceSpecification');
    expect(plain['@baseType']).toBeUndefined();

    expect((await call('GET', `/resourceSpecification/${chassis.body.id}`)).body).toEqual(chassis.body);
    expect(ids(await call('GET', '/resourceSpecification?@type=PhysicalResourceSpecification&sort=name'))).toEqual([card['id'], chassis.body.id]);
    expect(ids(await call('GET', `/resourceSpecification?resourceSpecRelationship.id=${card['id']}`))).toEqual([chassis.body.id]);
    expect(ids(await call('GET', '/resourceSpecification?vendor=Nokia&model=FGLT-B'))).toEqual([card['id']]);
    expect(ids(await call('GET', '/resourceSpecification?category=L2Network&lifecycleStatus=In design'))).toEqual([vlan['id']]);
    expect(ids(await call('GET', '/resourceSpecification?name=vBNG'))).toEqual([fn['id']]);
    expect(ids(await call('GET', '/resourceSpecification?resourceSpecCharacteristic.name=vlanId'))).toEqual([vlan['id']]);
    const page = await call('GET', '/resourceSpecification?limit=2&sort=name');
    expect(page.status).toBe(206);
    expect(page.headers.get('x-total-count')).toBe('5');
  });

  it('patches with merge and JSON patch, honours If-Match, deletes', async () => {
    const s = await post('/resourceSpecification', { name: 'Patch me', '@type': 'LogicalResourceSpecification' });
    const p = await patch(`/resourceSpecification/${s['id']}`, { description: 'an IP address', resourceSpecCharacteristic: [{ name: 'family', valueType: 'string' }] });
    expect(p.status).toBe(200);
    expect(p.headers.get('etag')).toBe('"2"');
    const jp = await call('PATCH', `/resourceSpecification/${s['id']}`, [{ op: 'replace', path: '/description', value: 'an IPv6 prefix' }], { 'content-type': 'application/json-patch+json' });
    expect(jp.body.description).toBe('an IPv6 prefix');
    expect((await call('PATCH', `/resourceSpecification/${s['id']}`, { description: 'stale' }, { 'content-type': 'application/merge-patch+json', 'if-match': '"2"' })).status).toBe(412);
    expect((await call('DELETE', `/resourceSpecification/${s['id']}`)).status).toBe(204);
    expect((await call('GET', `/resourceSpecification/${s['id']}`)).status).toBe(404);
  });

  it('refuses malformed specifications with 400 naming the attribute, and stores nothing', async () => {
    refused(await call('POST', '/resourceSpecification', { description: 'no name' }), 400, 'name');
    refused(await call('POST', '/resourceSpecification', { name: 'Bad', colour: 'red' }), 400, 'colour');
    refused(await call('POST', '/resourceSpecification', { name: 'Bad', '@type': 'LogicalResourceSpecification', vendor: 'Acme' }), 400, 'vendor');
    refused(await call('POST', '/resourceSpecification', { name: 'Bad', sku: 'X1' }), 400, 'sku');
    refused(await call('POST', '/resourceSpecification', { name: 'Bad', '@type': 'PhysicalResourceSpecification', connectionPointSpecification: [{ id: 'cp' }] }), 400, 'connectionPointSpecification');
    refused(await call('POST', '/resourceSpecification', { name: 'Bad', '@type': 'ResourceFunctionSpecification', connectivitySpecification: [{ name: 'g' }] }), 400, 'connectivitySpecification[0].connectionSpecification');
    refused(await call('POST', '/resourceSpecification', { name: 'Bad', '@type': 'SoftwareSpecification' }), 400, '@type');
    refused(await call('POST', '/resourceSpecification', { name: 'Bad', resourceSpecCharacteristic: [{ name: 'c', maxCardinality: 1.5 }] }), 400, 'resourceSpecCharacteristic[0].maxCardinality');
    refused(await call('POST', '/resourceSpecification', { name: 'Bad', resourceSpecRelationship: [{ id: 'x', href: 'nope' }] }), 400, 'resourceSpecRelationship[0].href');
    refused(await call('POST', '/resourceSpecification', { name: 'Bad', targetResourceSchema: { '@type': 'X', '@schemaLocation': 'not a uri' } }), 400, 'targetResourceSchema.@schemaLocation');
    refused(await call('POST', '/resourceSpecification', { name: 'Bad', featureSpecification: [{ featureSpecCharacteristic: [{ valueType: 'string' }] }] }), 400, 'featureSpecification[0].featureSpecCharacteristic[0].name');
    refused(await call('POST', '/resourceSpecification', { name: 'Bad', lifecycleStatus: 'Launched' }), 422, 'lifecycleStatus');
    expect(await count('resourceSpecification', 'name=Bad')).toBe(0);
    const ext = await post('/resourceSpecification', { name: 'Licence', '@type': 'SoftwareLicenceSpecification', '@schemaLocation': 'https://schemas.example.com/licence.json', vendor: 'Acme', seats: 10 });
    expect(ext['seats']).toBe(10);
    const phys = await post('/resourceSpecification', { name: 'Typed', '@type': 'PhysicalResourceSpecification' });
    refused(await patch(`/resourceSpecification/${phys['id']}`, { '@type': 'LogicalResourceSpecification' }), 400, '@type');
  });

  it('refuses inconsistent characteristics and quantities with 422 naming the attribute', async () => {
    const bad = (body: Body) => call('POST', '/resourceSpecification', { name: 'Inconsistent', ...body });
    refused(await bad({ resourceSpecCharacteristic: [{ name: 'a', minCardinality: 3, maxCardinality: 2 }] }), 422, 'resourceSpecCharacteristic[0].minCardinality');
    refused(await bad({ resourceSpecCharacteristic: [{ name: 'a' }, { name: 'a' }] }), 422, 'resourceSpecCharacteristic[1].name');
    refused(await bad({ resourceSpecCharacteristic: [{ name: 'mtu', valueType: 'integer', resourceSpecCharacteristicValue: [{ valueFrom: 1500, valueTo: 9000 }, { value: 64, isDefault: true }] }] }), 422, 'resourceSpecCharacteristic[0].resourceSpecCharacteristicValue[1].value');
    refused(await bad({ resourceSpecCharacteristic: [{ name: 'mtu', valueType: 'string', resourceSpecCharacteristicValue: [{ valueFrom: 1, valueTo: 2 }] }] }), 422, 'resourceSpecCharacteristicValue[0].valueFrom');
    refused(await bad({ resourceSpecCharacteristic: [{ name: 'mac', valueType: 'string', regex: '([0-9a-f]{2}:){5}[0-9a-f]{2}', resourceSpecCharacteristicValue: [{ value: '00:11:22:33:44:zz' }] }] }), 422, 'resourceSpecCharacteristicValue[0].value');
    refused(await bad({ resourceSpecCharacteristic: [{ name: 'enabled', valueType: 'boolean', resourceSpecCharacteristicValue: [{ value: 'yes' }] }] }), 422, 'resourceSpecCharacteristicValue[0].value');
    refused(await bad({ resourceSpecRelationship: [{ id: 'card', relationshipType: 'dependency', minimumQuantity: 5, maximumQuantity: 2 }] }), 422, 'resourceSpecRelationship[0].minimumQuantity');
    refused(await bad({ resourceSpecRelationship: [{ id: 'card', relationshipType: 'dependency', minimumQuantity: 1, defaultQuantity: 20, maximumQuantity: 16 }] }), 422, 'resourceSpecRelationship[0].defaultQuantity');
    refused(await bad({ resourceSpecRelationship: [{ id: 'card', relationshipType: 'dependency', minimumQuantity: -1 }] }), 422, 'resourceSpecRelationship[0].minimumQuantity');
    refused(await bad({ resourceSpecRelationship: [{ relationshipType: 'dependency' }] }), 422, 'resourceSpecRelationship[0].id');
    refused(await bad({ resourceSpecRelationship: [{ id: 'card', characteristic: [{ name: 'slot', minCardinality: 2, maxCardinality: 1 }] }] }), 422, 'resourceSpecRelationship[0].characteristic[0].minCardinality');
    refused(await bad({ featureSpecification: [{ name: 'f', featureSpecCharacteristic: [{ name: 'x', valueType: 'integer', featureSpecCharacteristicValue: [{ value: 1, isDefault: true }, { value: 2, isDefault: true }] }] }] }), 422, 'featureSpecification[0].featureSpecCharacteristic[0].featureSpecCharacteristicValue');
    refused(await bad({ featureSpecification: [{ name: 'f' }, { name: 'f' }] }), 422, 'featureSpecification[1].name');
    refused(await bad({ validFor: { startDateTime: '2026-01-01T00:00:00Z', endDateTime: '2025-01-01T00:00:00Z' } }), 422, 'validFor.endDateTime');
    expect(await count('resourceSpecification', 'name=Inconsistent')).toBe(0);
    const s = await post('/resourceSpecification', { name: 'Self' });
    refused(await patch(`/resourceSpecification/${s['id']}`, { resourceSpecRelationship: [{ id: s['id'], relationshipType: 'dependency' }] }), 422, 'resourceSpecRelationship[0].id');
  });

  it('follows the catalog lifecycle and refuses forbidden moves with 422', async () => {
    const s = await post('/resourceSpecification', { name: 'Lifecycle', lifecycleStatus: 'In study' });
    refused(await patch(`/resourceSpecification/${s['id']}`, { lifecycleStatus: 'Active' }), 422, 'lifecycleStatus');
    await moveTo('resourceSpecification', s['id'], 'In design', 'In test', 'Active', 'Launched');
    const back = await patch(`/resourceSpecification/${s['id']}`, { lifecycleStatus: 'Active' });
    refused(back, 422, 'lifecycleStatus');
    expect(back.body.code).toBe('forbiddenTransition');
    refused(await call('DELETE', `/resourceSpecification/${s['id']}`), 422, 'lifecycleStatus');
    await moveTo('resourceSpecification', s['id'], 'Retired', 'Obsolete');
    expect((await call('DELETE', `/resourceSpecification/${s['id']}`)).status).toBe(204);
    const rejected = await post('/resourceSpecification', { name: 'Rejected' });
    await moveTo('resourceSpecification', rejected['id'], 'Rejected');
    refused(await patch(`/resourceSpecification/${rejected['id']}`, { lifecycleStatus: 'In design' }), 422, 'lifecycleStatus');
  });

  it('becomes Active only once the local specifications it depends on are, and stays in use while relied on', async () => {
    const card = await post('/resourceSpecification', { name: 'Dep card', '@type': 'PhysicalResourceSpecification' });
    const alt = await post('/resourceSpecification', { name: 'Dep replacement', '@type': 'PhysicalResourceSpecification' });
    const chassis = await post('/resourceSpecification', {
      name: 'Dep chassis', '@type': 'PhysicalResourceSpecification',
      resourceSpecRelationship: [
        { id: alt['id'], relationshipType: 'substitution' },
        { id: card['id'], relationshipType: 'dependency', minimumQuantity: 1 },
        { id: 'remote', href: 'https://vendor.example.com/tmf-api/resourceCatalog/v4/resourceSpecification/remote' },
      ],
    });
    await moveTo('resourceSpecification', chassis['id'], 'In test');
    const r = await patch(`/resourceSpecification/${chassis['id']}`, { lifecycleStatus: 'Active' });
    refused(r, 422, 'resourceSpecRelationship[1].id');
    expect(r.body.message).toContain('Dep card');
    await activate('resourceSpecification', card['id']);
    await moveTo('resourceSpecification', chassis['id'], 'Active');

    const orphan = await post('/resourceSpecification', { name: 'Dep orphan', resourceSpecRelationship: [{ id: 'no-such-spec' }] });
    await moveTo('resourceSpecification', orphan['id'], 'In test');
    refused(await patch(`/resourceSpecification/${orphan['id']}`, { lifecycleStatus: 'Active' }), 422, 'resourceSpecRelationship[0].id');

    refused(await patch(`/resourceSpecification/${card['id']}`, { lifecycleStatus: 'Retired' }), 422, chassis['id']);
    await moveTo('resourceSpecification', chassis['id'], 'Retired');
    await moveTo('resourceSpecification', card['id'], 'Retired', 'Obsolete');
  });
});

describe('TMF634 resource candidate', () => {
  it('makes a specification available, and is Active only when the specification is', async () => {
    const s = await post('/resourceSpecification', { name: 'Cand spec', '@type': 'LogicalResourceSpecification' });
    const cat = await post('/resourceCategory', { name: 'Cand category' });
    refused(await call('POST', '/resourceCandidate', { resourceSpecification: { id: s['id'] } }), 400, 'name');
    refused(await call('POST', '/resourceCandidate', { name: 'Bad', resourceSpecification: { name: 'no id' } }), 400, 'resourceSpecification.id');
    const c = await call('POST', '/resourceCandidate', { name: 'Cand', resourceSpecification: { id: s['id'], name: 'Cand spec', '@referredType': 'LogicalResourceSpecification' }, category: [{ id: cat['id'] }] });
    expect(c.status).toBe(201);
    expect(c.body).toMatchObject({ '@type': 'ResourceCandidate', lifecycleStatus: 'In design' });
    expect(ids(await call('GET', `/resourceCandidate?resourceSpecification.id=${s['id']}`))).toEqual([c.body.id]);
    expect(ids(await call('GET', `/resourceCandidate?category.id=${cat['id']}`))).toEqual([c.body.id]);

    await moveTo('resourceCandidate', c.body.id, 'In test');
    refused(await patch(`/resourceCandidate/${c.body.id}`, { lifecycleStatus: 'Active' }), 422, 'resourceSpecification.id');
    await activate('resourceSpecification', s['id']);
    await moveTo('resourceCandidate', c.body.id, 'Active');
    expect((await patch(`/resourceCandidate/${c.body.id}`, { description: 'VLANs for residential access' })).status).toBe(200);
    refused(await patch(`/resourceSpecification/${s['id']}`, { lifecycleStatus: 'Retired' }), 422, c.body.id);

    // a candidate without a specification has nothing to publish
    const bare = await post('/resourceCandidate', { name: 'Bare' });
    await moveTo('resourceCandidate', bare['id'], 'In test');
    refused(await patch(`/resourceCandidate/${bare['id']}`, { lifecycleStatus: 'Active' }), 422, 'resourceSpecification');
    const remote = await post('/resourceCandidate', { name: 'Remote', resourceSpecification: { id: 'r', href: 'https://vendor.example.com/tmf-api/resourceCatalog/v4/resourceSpecification/r' } });
    await activate('resourceCandidate', remote['id']);

    await moveTo('resourceCandidate', c.body.id, 'Retired');
    await moveTo('resourceSpecification', s['id'], 'Retired');
    expect((await call('DELETE', `/resourceCandidate/${bare['id']}`)).status).toBe(204);
  });

  it('never lets a specification be retired while a candidate for it is being activated', async () => {
    for (let round = 0; round < 4; round++) {
      const s = await post('/resourceSpecification', { name: `Race spec ${round}` });
      await activate('resourceSpecification', s['id']);
      const c = await post('/resourceCandidate', { name: `Race candidate ${round}`, resourceSpecification: { id: s['id'] } });
      await moveTo('resourceCandidate', c['id'], 'In test');
      const [retire, activation] = await Promise.all([
        patch(`/resourceSpecification/${s['id']}`, { lifecycleStatus: 'Retired' }),
        patch(`/resourceCandidate/${c['id']}`, { lifecycleStatus: 'Active' }),
      ]);
      // exactly one wins, whichever order the database serialises them in
      expect([retire.status, activation.status].sort()).toEqual([200, 422]);
    }
  });
});

describe('TMF634 resource category', () => {
  it('builds trees without cycles, and keeps sub-categories from being orphaned', async () => {
    const root = await post('/resourceCategory', { name: 'Tree root', isRoot: true, relatedParty: [{ id: 'eng', '@referredType': 'Organization', role: 'owner' }] });
    const mid = await post('/resourceCategory', { name: 'Tree mid', parentId: root['id'] });
    const leaf = await post('/resourceCategory', { name: 'Tree leaf', parentId: mid['id'], resourceCandidate: [{ id: 'rc1' }] });
    expect(ids(await call('GET', `/resourceCategory?parentId=${root['id']}`))).toEqual([mid['id']]);
    expect(ids(await call('GET', '/resourceCategory?resourceCandidate.id=rc1'))).toEqual([leaf['id']]);
    expect(ids(await call('GET', '/resourceCategory?relatedParty.role=owner'))).toEqual([root['id']]);
    refused(await patch(`/resourceCategory/${root['id']}`, { isRoot: false, parentId: leaf['id'] }), 422, 'parentId');
    refused(await patch(`/resourceCategory/${leaf['id']}`, { category: [{ id: root['id'] }] }), 422, 'category');
    refused(await call('POST', '/resourceCategory', { name: 'Tree bad', isRoot: true, parentId: root['id'] }), 422, 'parentId');
    expect(await count('resourceCategory', 'name=Tree bad')).toBe(0);
    expect((await patch(`/resourceCategory/${mid['id']}`, { description: 'Access equipment' })).body.description).toBe('Access equipment');

    refused(await call('DELETE', `/resourceCategory/${mid['id']}`), 422, leaf['id']);
    await activate('resourceCategory', mid['id']);
    await activate('resourceCategory', leaf['id']);
    refused(await patch(`/resourceCategory/${mid['id']}`, { lifecycleStatus: 'Retired' }), 422, 'lifecycleStatus');
    await moveTo('resourceCategory', leaf['id'], 'Retired', 'Obsolete');
    expect((await call('DELETE', `/resourceCategory/${leaf['id']}`)).status).toBe(204);
    await moveTo('resourceCategory', mid['id'], 'Retired');
  });
});

describe('TMF634 resource catalog', () => {
  it('does CRUD with filters and the lifecycle', async () => {
    const c = await call('POST', '/resourceCatalog', { name: 'Access network', version: '1', category: [{ id: 'cat-1' }], relatedParty: [{ id: 'eng', '@referredType': 'Organization', role: 'owner' }] });
    expect(c.status).toBe(201);
    expect(c.body).toMatchObject({ '@type': 'ResourceCatalog', lifecycleStatus: 'In design' });
    expect(ids(await call('GET', '/resourceCatalog?category.id=cat-1'))).toEqual([c.body.id]);
    expect(ids(await call('GET', '/resourceCatalog?lifecycleStatus=In design&name=Access network'))).toEqual([c.body.id]);
    refused(await call('POST', '/resourceCatalog', { description: 'x' }), 400, 'name');
    refused(await call('POST', '/resourceCatalog', { name: 'Bad', relatedParty: [{ id: 'x' }] }), 400, 'relatedParty[0].@referredType');
    refused(await call('POST', '/resourceCatalog', { name: 'Bad', validFor: { startDateTime: '2025-02-01T00:00:00Z', endDateTime: '2025-01-01T00:00:00Z' } }), 422, 'validFor.endDateTime');
    await activate('resourceCatalog', c.body.id);
    expect((await patch(`/resourceCatalog/${c.body.id}`, { description: 'FTTH and FTTC' })).status).toBe(200);
    refused(await call('DELETE', `/resourceCatalog/${c.body.id}`), 422, 'lifecycleStatus');
    await moveTo('resourceCatalog', c.body.id, 'Retired', 'Obsolete');
    expect((await call('DELETE', `/resourceCatalog/${c.body.id}`)).status).toBe(204);
  });
});

describe('service specifications known from the Service Catalog', () => {
  const emit = (eventType: string, serviceSpecification: Body) =>
    op.db.tx(async (tx) => {
      tx.emit({
        api: 'serviceCatalogManagement', eventType, resourceType: 'ServiceSpecification', resourceId: String(serviceSpecification['id']),
        payload: { eventType, event: { serviceSpecification } },
      });
    });
  const uses = async (serviceSpecId: string, expected: number) =>
    until(async () => (await op.db.query('SELECT 1 FROM resource_catalog_service_spec_use WHERE service_spec_id = $1', [serviceSpecId])).rowCount === expected);

  it('keep a resource specification they need from being retired or deleted while they are in use', async () => {
    const port = await post('/resourceSpecification', { name: 'OLT port', '@type': 'PhysicalResourceSpecification' });
    await activate('resourceSpecification', port['id']);
    // an id no specification could have (longer than an index entry holds) is passed over, not a dead letter
    const overlong = randomBytes(3000).toString('base64');
    const rfs = { id: 'rfs-1', name: 'Fibre access RFS', '@type': 'ResourceFacingServiceSpecification', resourceSpecification: [{ id: port['id'] }, { id: 'elsewhere' }, { id: overlong }] };
    await emit('ServiceSpecificationCreateEvent', { ...rfs, lifecycleStatus: 'In design' });
    await uses('rfs-1', 2);
    await moveTo('resourceSpecification', port['id'], 'Launched');

    await emit('ServiceSpecificationChangeEvent', { ...rfs, lifecycleStatus: 'Active' });
    await until(async () => (await op.db.query(`SELECT 1 FROM resource_catalog_service_spec_use WHERE service_spec_id = 'rfs-1' AND service_spec_status = 'Active'`)).rowCount === 2);
    const r = await patch(`/resourceSpecification/${port['id']}`, { lifecycleStatus: 'Retired' });
    refused(r, 422, 'rfs-1');
    expect(r.body.message).toContain('Fibre access RFS');

    // once the service specification no longer needs it, it can go
    await emit('ServiceSpecificationChangeEvent', { ...rfs, lifecycleStatus: 'Active', resourceSpecification: [{ id: 'elsewhere' }] });
    await uses('rfs-1', 1);
    await moveTo('resourceSpecification', port['id'], 'Retired');
    await emit('ServiceSpecificationDeleteEvent', { ...rfs, lifecycleStatus: 'Obsolete' });
    await uses('rfs-1', 0);
  });
});

describe('conformance to the official TMF634 v4.1 specification', () => {
  it('serves every operation of the specification', async () => {
    const res = await fetch(`${op.url}/docs/json`);
    const doc = (await res.json()) as { paths: Record<string, Record<string, unknown>> };
    for (const [path, ops] of Object.entries(spec.paths)) {
      if (path.startsWith('/listener')) continue;
      const ours = doc.paths[`/tmf-api/resourceCatalog/v4${path}`];
      expect(ours, path).toBeDefined();
      for (const m of Object.keys(ops)) expect(ours![m], `${m} ${path}`).toBeDefined();
    }
  });

  it('registers hub listeners', async () => {
    const hub = await call('POST', '/hub', { callback: 'http://127.0.0.1:9/cb' });
    expect(hub.status).toBe(201);
    expect((await call('DELETE', `/hub/${hub.body.id}`)).status).toBe(204);
  });

  it('publishes events whose payloads validate', async () => {
    const events = await op.db.query<{ event_type: string; payload: Body }>(`SELECT event_type, payload FROM outbox WHERE api = 'resourceCatalog'`);
    const kinds = new Set(events.rows.map((e) => e.event_type));
    for (const t of ['ResourceSpecification', 'ResourceCandidate', 'ResourceCategory', 'ResourceCatalog']) {
      for (const k of ['CreateEvent', 'ChangeEvent', 'DeleteEvent']) expect(kinds, `${t}${k}`).toContain(`${t}${k}`);
    }
    for (const e of events.rows) {
      expect(spec.definitions, e.event_type).toContain(e.event_type);
      expect(spec.errors(e.event_type, e.payload), e.event_type).toEqual([]);
      const resource = (e.payload['event'] as Body)['resourceSpecification'] as Body | undefined;
      const type = String(resource?.['@type']);
      if (resource && subclasses.includes(type)) expect(spec.errors(type, resource)).toEqual([]);
    }
  });
});
