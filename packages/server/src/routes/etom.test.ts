import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { partyComponent } from '@operon/party';
import { startTestOperon, type TestOperon } from '../testing.ts';

let op: TestOperon;

async function get(path: string) {
  const res = await fetch(op.url + path);
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined };
}

beforeAll(async () => {
  op = await startTestOperon({ components: [partyComponent] });
});
afterAll(async () => op?.close());

describe('/etom', () => {
  it('lists the 13 areas with their counts, and one area with its L2 and L3', async () => {
    const list = await get('/etom/areas');
    expect(list.status).toBe(200);
    expect(list.body).toHaveLength(13);
    expect(list.body[0]).toMatchObject({ id: 'fulfilment-crm', name: 'Fulfilment / CRM', l2Count: 3, l3Count: 14 });
    expect(list.body.reduce((n: number, a: { l3Count: number }) => n + a.l3Count, 0)).toBe(108);

    const one = await get('/etom/areas/billing-revenue');
    expect(one.status).toBe(200);
    expect(one.body.l2.map((c: { id: string }) => c.id)).toEqual(['billing-and-collections-management', 'charging', 'revenue-assurance-management', 'manage-balances']);
    expect(one.body.l2[0].l3.map((t: { id: string }) => t.id)).toContain('manage-customer-billing');
  });

  it('lists L2 capabilities, of one area too, and one L2 with its tasks', async () => {
    expect((await get('/etom/l2')).body).toHaveLength(31);
    const sip = await get('/etom/l2?area=sip-infrastructure');
    expect(sip.body.map((c: { name: string }) => c.name)).toEqual(['API & Integration Governance', 'Data Platform Governance', 'Platform & Cloud Governance']);
    const oh = await get('/etom/l2/order-handling');
    expect(oh.body).toMatchObject({ name: 'Order Handling', area: { id: 'fulfilment-crm' }, l3Count: 7 });
    expect(oh.body.l3).toHaveLength(7);
    expect(oh.body.l3[0].description).toBeTruthy();
  });

  it('filters and searches L3 tasks', async () => {
    const all = await get('/etom/l3');
    expect(all.body).toHaveLength(108);
    expect(all.headers.get('x-total-count')).toBe('108');
    const oss = await get('/etom/l3?systemType=OSS&area=assurance-rmo');
    expect(oss.body.length).toBeGreaterThan(0);
    expect(oss.body.every((t: { systemType: string; area: { id: string } }) => t.systemType === 'OSS' && t.area.id === 'assurance-rmo')).toBe(true);
    const api = await get('/etom/l3?tmfApi=TMF642');
    expect(api.body.map((t: { id: string }) => t.id)).toContain('survey-and-analyze-resource-trouble');
    const byOwner = await get(`/etom/l3?owner=${encodeURIComponent('credit & collections')}`);
    expect(byOwner.body.map((t: { id: string }) => t.id).sort()).toEqual(['authorize-credit', 'manage-customer-debt-collection']);
    const q = await get('/etom/l3?q=trouble%20ticket');
    expect(q.body.length).toBeGreaterThan(0);
    expect(q.body[0].name).toMatch(/Problem|Trouble/);
    const byArea = await get(`/etom/l3?area=${encodeURIComponent('SIP / Service')}`);
    expect(byArea.body).toHaveLength(4);
  });

  it('answers 400 with the TMF Error body for bad filters, naming the parameter', async () => {
    const cases: [string, RegExp][] = [
      ['/etom/l3?systemType=ERP', /systemType must be one of BSS, OSS, Shared, not 'ERP'/],
      ['/etom/l3?tmfApi=622', /'622' is not a TMF API id/],
      ['/etom/l3?area=atlantis', /unknown area 'atlantis'; areas are fulfilment-crm/],
      ['/etom/l3?l2=nope', /unknown L2 capability 'nope'/],
      ['/etom/l3?colour=red', /unknown query parameter 'colour'; use area, l2, systemType, owner, tmfApi, q/],
      ['/etom/l3?area=sip-service&area=sip-resource', /give 'area' once/],
      ['/etom/l2?area=atlantis', /unknown area 'atlantis'/],
    ];
    for (const [path, message] of cases) {
      const r = await get(path);
      expect(r.status, path).toBe(400);
      expect(r.body, path).toMatchObject({ '@type': 'Error', code: '400', status: '400', reason: 'Bad Request' });
      expect(r.body.message, path).toMatch(message);
    }
  });

  it('returns one L3 task with its implementing components, and 404 for unknown ids', async () => {
    const t = await get('/etom/l3/manage-prospect');
    expect(t.status).toBe(200);
    expect(t.body).toMatchObject({ id: 'manage-prospect', origin: 'seed', etomRef: { exact: true }, tmfApis: ['TMF699', 'TMF632'] });
    expect(t.body.implementedBy).toEqual([{ component: 'party', title: 'Party Management', apis: [{ id: 'TMF632', title: 'Party Management' }] }]);
    for (const path of ['/etom/l3/no-such-task', '/etom/l2/no-such-l2', '/etom/areas/no-such-area']) {
      const r = await get(path);
      expect(r.status, path).toBe(404);
      expect(r.body).toMatchObject({ '@type': 'Error', status: '404', code: '404' });
      expect(r.body.message).toMatch(/no-such/);
    }
  });

  it('derives coverage from the mounted manifests', async () => {
    const c = await get('/etom/coverage');
    expect(c.status).toBe(200);
    expect(c.body.totals).toMatchObject({ l3: 108, covered: 1, uncovered: 107, components: 1 });
    expect(c.body.implemented).toEqual([
      expect.objectContaining({ task: expect.objectContaining({ id: 'manage-prospect' }), apisServed: ['TMF632'] }),
    ]);
    expect(c.body.areas.find((a: { id: string }) => a.id === 'fulfilment-crm')).toMatchObject({ l3: 14, covered: 1, percent: 7 });
    expect(c.body.l2.find((x: { id: string }) => x.id === 'selling')).toMatchObject({ covered: 1, l3: 4 });
    expect(c.body.problems).toEqual([]);
  });

  it('describes the mounted components with their APIs and events', async () => {
    const r = await get('/etom/components');
    expect(r.body).toHaveLength(1);
    const party = r.body[0];
    expect(party).toMatchObject({
      name: 'party',
      exposes: [{ id: 'TMF632', name: 'party', basePath: '/tmf-api/party/v4', version: '4.0.0', resources: ['individual', 'organization'] }],
      dependsOn: [],
      subscribes: [],
      etomTasks: [{ id: 'manage-prospect', name: 'Manage Prospect' }],
    });
    expect(party.publishes).toEqual(expect.arrayContaining(['IndividualCreateEvent', 'IndividualStateChangeEvent', 'OrganizationDeleteEvent']));
  });

  it('lists the known TMF APIs and appears in the OpenAPI document', async () => {
    const apis = await get('/etom/apis');
    expect(apis.body.find((a: { id: string }) => a.id === 'TMF641')).toMatchObject({ title: 'Service Ordering Management' });
    const doc = (await get('/docs/json')).body as { paths: Record<string, Record<string, { parameters?: { name: string }[] }>> };
    for (const p of ['/etom/areas', '/etom/areas/{id}', '/etom/l2', '/etom/l2/{id}', '/etom/l3', '/etom/l3/{id}', '/etom/coverage', '/etom/components']) expect(doc.paths).toHaveProperty([p]);
    expect(doc.paths['/etom/l3']!['get']!.parameters!.map((x) => x.name)).toEqual(expect.arrayContaining(['area', 'l2', 'systemType', 'owner', 'tmfApi', 'q']));
  });
});
