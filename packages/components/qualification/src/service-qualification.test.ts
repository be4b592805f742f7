import { describe, expect, it } from 'vitest';
import { checkServiceQualificationLifecycle } from './index.ts';
import { customer, eventsOf, installation, refused, settled, sq, withQualificationOperon, type Check, type Query } from './test-api.ts';
import { ANSWER_EXPIRES, PANKOW_EXTENSION, asked, productOfferingQualifier, serviceQualifier } from './test-qualifiers.ts';

withQualificationOperon({ productOfferingQualifier, serviceQualifier });

const service = (spec: string, address = 'addr-served') => ({
  serviceSpecification: { id: spec },
  serviceCharacteristic: [{ name: 'downloadSpeed', value: '1 Gbps' }],
  place: [installation(address)],
});
function check(items: Array<Record<string, unknown>>, extra: Record<string, unknown> = {}) {
  return { instantSyncQualification: true, relatedParty: [customer()], serviceQualificationItem: items, ...extra };
}
const answers = (c: Check) => c.serviceQualificationItem.map((i) => [i.id, i.state, i['qualificationResult']]);

describe('check service qualification (TMF645)', () => {
  it('checks configured services at their place: qualified, alternate with a later date, unqualified', async () => {
    const r = await sq.post<Check>('/checkServiceQualification', check([
      { service: service('ss-internet-access') },
      { service: service('ss-internet-access', 'addr-full') },
      { id: 'voip', service: service('ss-voip', 'addr-full') },
      { service: service('ss-internet-access', 'addr-remote') },
    ], { externalId: 'CRM-7', description: 'Jeanne and her neighbours' }));
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body).toMatchObject({ '@type': 'CheckServiceQualification', state: 'done', qualificationResult: 'unqualified', expirationDate: ANSWER_EXPIRES, externalId: 'CRM-7' });
    // items without an id are numbered, so that every answer names its item
    expect(answers(r.body)).toEqual([['1', 'done', 'qualified'], ['2', 'done', 'alternate'], ['voip', 'done', 'qualified'], ['3', 'done', 'unqualified']]);
    const [, later, , remote] = r.body.serviceQualificationItem;
    expect(later).toMatchObject({
      expectedServiceAvailabilityDate: PANKOW_EXTENSION,
      eligibilityUnavailabilityReason: [{ code: 'noCapacity', label: 'no free FTTH port in BER-PANKOW-OLT02' }],
      alternateServiceProposal: [{ id: 'later', alternateServiceAvailabilityDate: PANKOW_EXTENSION }],
    });
    expect(remote!['alternateServiceProposal']).toBeUndefined();
    expect(r.body.serviceQualificationItem[0]!['expirationDate']).toBe(ANSWER_EXPIRES);
    for (const d of ['checkServiceQualificationDate', 'effectiveQualificationDate', 'estimatedResponseDate']) expect(Date.parse(String(r.body[d])), d).not.toBeNaN();
    expect((await sq.get(`/checkServiceQualification/${r.body.id}`)).body).toEqual(r.body);

    const alternate = await sq.post<Check>('/checkServiceQualification', check([{ service: service('ss-internet-access', 'addr-full') }, { service: service('ss-voip') }]));
    expect(alternate.body.qualificationResult).toBe('alternate');
    const declined = await sq.post<Check>('/checkServiceQualification', check([{ service: service('ss-internet-access', 'addr-full') }], { provideAlternative: false, provideUnavailabilityReason: false }));
    expect(declined.body.qualificationResult).toBe('unqualified');
    expect(declined.body.serviceQualificationItem[0]).not.toHaveProperty('alternateServiceProposal');
    expect(declined.body.serviceQualificationItem[0]).not.toHaveProperty('eligibilityUnavailabilityReason');
  });

  it('ends an item it cannot evaluate terminatedWithError, with the reason', async () => {
    const r = await sq.post<Check>('/checkServiceQualification', check([{ service: service('ss-voip') }, { service: service('ss-iptv') }]));
    expect(r.body.state).toBe('done');
    expect(answers(r.body)).toEqual([['1', 'done', 'qualified'], ['2', 'terminatedWithError', undefined]]);
    expect(r.body.serviceQualificationItem[1]!['terminationError']).toEqual([{ value: 'service specification ss-iptv is unknown' }]);
    const none = await sq.post<Check>('/checkServiceQualification', check([{ service: service('ss-iptv') }]));
    expect(none.body.state).toBe('terminatedWithError');
    expect(none.body.terminationError![0]!.value).toContain('no item could be evaluated');
    expect(none.body.qualificationResult).toBeUndefined();
  });

  it('runs as a task when not instant: accepted (201), then inProgress and done, each a state change event', async () => {
    const r = await sq.post<Check>('/checkServiceQualification', check([{ service: service('ss-voip') }], { instantSyncQualification: false }));
    expect(r.status).toBe(201);
    expect(r.body.state).toBe('accepted');
    expect(r.body.serviceQualificationItem[0]!.state).toBe('accepted');
    const done = await settled<Check>(sq, `/checkServiceQualification/${r.body.id}`);
    expect(done).toMatchObject({ state: 'done', qualificationResult: 'qualified' });
    const events = await eventsOf({ resourceId: r.body.id });
    expect(events.filter((e) => e.event_type === 'CheckServiceQualificationStateChangeEvent').map((e) => e.payload.event['checkServiceQualification']!['state'])).toEqual(['inProgress', 'done']);
    expect(events[0]!.event_type).toBe('CheckServiceQualificationCreateEvent');
    expect(checkServiceQualificationLifecycle.next('accepted')).toEqual(['inProgress', 'terminatedWithError']);
  });

  it('refuses malformed checks with a TMF Error, stores nothing and does not ask the qualifier', async () => {
    const count = (await sq.get<Check[]>('/checkServiceQualification')).body.length;
    const n = asked.check;
    refused(await sq.post('/checkServiceQualification', { instantSyncQualification: true }), 400, 'serviceQualificationItem');
    refused(await sq.post('/checkServiceQualification', check([])), 422, 'serviceQualificationItem');
    refused(await sq.post('/checkServiceQualification', check([{ id: 'a', service: service('ss-voip') }, { id: 'a', service: service('ss-voip') }])), 422, 'serviceQualificationItem[1].id');
    refused(await sq.post('/checkServiceQualification', check([{ service: { ...service('ss-voip'), state: 'running' } }])), 400, 'serviceQualificationItem[0].service.state');
    refused(await sq.post('/checkServiceQualification', check([{ service: service('ss-voip') }], { relatedParty: [{ id: 'x' }] })), 400, 'relatedParty[0].@referredType');
    refused(await sq.post('/checkServiceQualification', check([{ service: service('ss-voip') }], { qualificationResult: 'qualified' })), 400, 'qualificationResult');
    refused(await sq.post('/checkServiceQualification', check([{ service: service('ss-voip') }], { expectedQualificationDate: 'soon' })), 400, 'expectedQualificationDate');
    expect((await sq.call('POST', '/checkServiceQualification', check([]), { 'content-type': 'text/xml' })).status).toBe(415);
    expect((await sq.get<Check[]>('/checkServiceQualification')).body.length).toBe(count);
    expect(asked.check).toBe(n);
    const c = (await sq.post<Check>('/checkServiceQualification', check([{ service: service('ss-voip') }]))).body;
    refused(await sq.patch(`/checkServiceQualification/${c.id}`, { state: 'accepted' }), 400, 'state');
    refused(await sq.patch(`/checkServiceQualification/${c.id}`, { serviceQualificationItem: [] }), 400, 'serviceQualificationItem');
    expect((await sq.patch<Check>(`/checkServiceQualification/${c.id}`, { description: 'for the shop' })).body['description']).toBe('for the shop');
    expect((await sq.get<Check[]>(`/checkServiceQualification?externalId=none`)).body).toEqual([]);
  });
});

describe('query service qualification (TMF645)', () => {
  const query = (address: string, extra: Record<string, unknown> = {}) => ({
    instantSyncQualification: true, relatedParty: [customer()], searchCriteria: { service: { place: [installation(address)] } }, ...extra,
  });
  const found = (q: Query) => q.serviceQualificationItem!.map((i) => [i.id, (i['service'] as { serviceSpecification: { id: string } }).serviceSpecification.id]);

  it('lists the services that can be delivered at a place', async () => {
    const r = await sq.post<Query>('/queryServiceQualification', query('addr-served', { externalId: 'Q-1' }));
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body).toMatchObject({ '@type': 'QueryServiceQualification', state: 'done' });
    expect(found(r.body)).toEqual([['1', 'ss-internet-access'], ['2', 'ss-voip']]);
    const full = await sq.post<Query>('/queryServiceQualification', query('addr-full'));
    expect(found(full.body)).toEqual([['1', 'ss-voip']]);
    expect((await sq.get<Query[]>('/queryServiceQualification?externalId=Q-1')).body.map((q) => q.id)).toEqual([r.body.id]);
  });

  it('runs as a task, and ends terminatedWithError when the criteria cannot be answered', async () => {
    const r = await sq.post<Query>('/queryServiceQualification', query('addr-served', { instantSyncQualification: false }));
    expect(r.status).toBe(201);
    expect(r.body.state).toBe('accepted');
    expect(r.body.serviceQualificationItem).toBeUndefined();
    expect((await settled<Query>(sq, `/queryServiceQualification/${r.body.id}`)).serviceQualificationItem).toHaveLength(2);
    const types = (await eventsOf({ resourceId: r.body.id })).map((e) => e.event_type);
    // TMF645 defines no attribute change event for a query
    expect(types).toEqual(['QueryServiceQualificationCreateEvent', 'QueryServiceQualificationStateChangeEvent', 'QueryServiceQualificationStateChangeEvent']);

    const unknown = await sq.post<Query>('/queryServiceQualification', query('addr-nowhere'));
    expect(unknown.body.state).toBe('terminatedWithError');
    expect(unknown.body.terminationError![0]!.value).toContain('names no known address');
  });

  it('refuses malformed queries with a TMF Error and does not ask the qualifier', async () => {
    const n = asked.query;
    refused(await sq.post('/queryServiceQualification', { instantSyncQualification: true }), 400, 'searchCriteria');
    refused(await sq.post('/queryServiceQualification', query('addr-served', { serviceQualificationItem: [] })), 400, 'serviceQualificationItem');
    refused(await sq.post('/queryServiceQualification', { searchCriteria: { service: { place: [{ id: 'addr-served' }] } } }), 400, 'searchCriteria.service.place[0].role');
    expect(asked.query).toBe(n);
    const q = (await sq.post<Query>('/queryServiceQualification', query('addr-served'))).body;
    refused(await sq.patch(`/queryServiceQualification/${q.id}`, { searchCriteria: { service: { place: [installation('addr-full')] } } }), 400, 'searchCriteria');
    expect((await sq.del(`/queryServiceQualification/${q.id}`)).status).toBe(204);
    refused(await sq.get(`/queryServiceQualification/${q.id}`), 404, q.id);
  });
});
