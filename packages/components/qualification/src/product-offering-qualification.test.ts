import { describe, expect, it } from 'vitest';
import { productOfferingQualificationLifecycle } from './index.ts';
import { customer, eventsOf, installation, poqs, refused, settled, withQualificationOperon, type Poq } from './test-api.ts';
import { ANSWER_EXPIRES, PANKOW_EXTENSION, asked, productOfferingQualifier, serviceQualifier } from './test-qualifiers.ts';

withQualificationOperon({ productOfferingQualifier, serviceQualifier });

const item = (id: string, offering: string, extra: Record<string, unknown> = {}) => ({ id, productOffering: { id: offering, name: offering }, ...extra });
function poq(items: Array<Record<string, unknown>>, extra: Record<string, unknown> = {}) {
  return { instantSyncQualification: true, place: [installation()], relatedParty: [customer()], channel: { id: 'ch-web', name: 'Web shop' }, productOfferingQualificationItem: items, ...extra };
}
const results = (p: Poq) => p.productOfferingQualificationItem!.map((i) => [i.id, i.state, i['qualificationItemResult']]);

describe('product offering qualification (TMF679)', () => {
  it('answers an instant qualification in the response: qualified where the catalog sells it and the area has capacity', async () => {
    const before = Date.now();
    const r = await poqs.post<Poq>('/productOfferingQualification', poq([item('1', 'po-fibre-1g'), item('2', 'po-mobile')], { description: 'Jeanne moves in' }));
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body).toMatchObject({ '@type': 'ProductOfferingQualification', state: 'done', qualificationResult: 'qualified', expirationDate: ANSWER_EXPIRES });
    expect(results(r.body)).toEqual([['1', 'done', 'qualified'], ['2', 'done', 'qualified']]);
    expect(r.body.productOfferingQualificationItem![0]!['eligibilityUnavailabilityReason']).toBeUndefined();
    for (const d of ['productOfferingQualificationDate', 'effectiveQualificationDate', 'expectedPOQCompletionDate']) {
      expect(Date.parse(String(r.body[d])), d).toBeGreaterThanOrEqual(before - 1000);
    }
    expect(r.body.href).toBe(`${poqs.baseUrl}/productOfferingQualification/${r.body.id}`);
    expect(r.headers.get('location')).toBe(r.body.href);
    expect(r.headers.get('etag')).toBe('"3"');
    expect((await poqs.get(`/productOfferingQualification/${r.body.id}`)).body).toEqual(r.body);
    // the port was asked with the question as stored: place, channel, party, items
    const question = asked.poq.at(-1)!;
    expect(question).toMatchObject({ id: r.body.id, state: 'inProgress', channel: { id: 'ch-web' }, place: [installation()] });
    expect(question.productOfferingQualificationItem!.map((i) => i.state)).toEqual(['inProgress', 'inProgress']);
    // never seen unanswered, but its way there is on record: created, then inProgress, then done
    const events = await eventsOf({ resourceId: r.body.id });
    expect(events.map((e) => e.event_type)).toEqual([
      'ProductOfferingQualificationCreateEvent',
      'ProductOfferingQualificationStateChangeEvent', 'ProductOfferingQualificationAttributeValueChangeEvent',
      'ProductOfferingQualificationStateChangeEvent', 'ProductOfferingQualificationAttributeValueChangeEvent',
    ]);
    expect(events.map((e) => e.payload.event['productOfferingQualification']!['state'])).toEqual(['acknowledged', 'inProgress', 'inProgress', 'done', 'done']);
  });

  it('answers unqualified with the reasons, or alternate with the proposals, as the request allows', async () => {
    const mixed = await poqs.post<Poq>('/productOfferingQualification', poq([item('1', 'po-fibre-1g'), item('2', 'po-isdn'), item('3', 'po-fibre-10g')]));
    expect(mixed.body.qualificationResult).toBe('unqualified');
    expect(results(mixed.body)).toEqual([['1', 'done', 'qualified'], ['2', 'done', 'unqualified'], ['3', 'done', 'alternate']]);
    expect(mixed.body.productOfferingQualificationItem![1]!['eligibilityUnavailabilityReason']).toEqual([{ code: 'offeringNotSold', label: 'ISDN line is Retired' }]);
    expect(mixed.body.productOfferingQualificationItem![2]!['alternateProductOfferingProposal']).toEqual([{ id: 'alt-1', alternateProductOffering: { id: 'po-fibre-1g', name: 'Fibre 1 Gbit/s' } }]);

    // an area without free ports: the same offering later, or another one now
    const full = await poqs.post<Poq>('/productOfferingQualification', poq([item('1', 'po-fibre-1g'), item('2', 'po-mobile')], { place: [installation('addr-full')] }));
    expect(full.body.qualificationResult).toBe('alternate');
    const alternates = full.body.productOfferingQualificationItem![0]!['alternateProductOfferingProposal'] as Array<Record<string, unknown>>;
    expect(alternates.map((a) => a['alternateActivationDate'] ?? (a['alternateProductOffering'] as { id: string }).id)).toEqual([PANKOW_EXTENSION, 'po-dsl-100']);

    // without alternatives wanted, an alternate is simply not available; without reasons wanted, none are given
    const plain = await poqs.post<Poq>('/productOfferingQualification', poq([item('1', 'po-fibre-1g')], { place: [installation('addr-full')], provideAlternative: false, provideUnavailabilityReason: false }));
    expect(plain.body.qualificationResult).toBe('unqualified');
    expect(plain.body.productOfferingQualificationItem![0]).not.toHaveProperty('alternateProductOfferingProposal');
    expect(plain.body.productOfferingQualificationItem![0]).not.toHaveProperty('eligibilityUnavailabilityReason');
    const remote = await poqs.post<Poq>('/productOfferingQualification', poq([item('1', 'po-fibre-1g')], { place: [installation('addr-remote')] }));
    expect(remote.body.qualificationResult).toBe('unqualified');
    expect(remote.body.productOfferingQualificationItem![0]!['eligibilityUnavailabilityReason']).toEqual([{ code: 'noCapacity', label: 'no free FTTH port in BRB-LAND-DSLAM7' }]);

    // only what is available, when that is all the requester wants to see
    const available = await poqs.post<Poq>('/productOfferingQualification', poq([item('1', 'po-fibre-1g'), item('2', 'po-isdn')], { provideOnlyAvailable: true }));
    expect(results(available.body)).toEqual([['1', 'done', 'qualified']]);
    expect(available.body.qualificationResult).toBe('qualified');
  });

  it('adds the offerings of a requested category, as the qualifier finds them', async () => {
    const r = await poqs.post<Poq>('/productOfferingQualification', poq([item('1', 'po-fibre-1g')], { category: { id: 'cat-internet', name: 'Internet' } }));
    expect(r.status).toBe(200);
    expect(r.body.productOfferingQualificationItem!.map((i) => [i.id, (i['productOffering'] as { id: string }).id, i['qualificationItemResult']])).toEqual([
      ['1', 'po-fibre-1g', 'qualified'], ['cat-po-dsl-100', 'po-dsl-100', 'qualified'],
    ]);
  });

  it('ends an item the qualifier cannot evaluate terminatedWithError, and the whole when none could be', async () => {
    const some = await poqs.post<Poq>('/productOfferingQualification', poq([item('1', 'po-fibre-1g'), item('2', 'po-unheard-of')]));
    expect(some.body.state).toBe('done');
    expect(results(some.body)).toEqual([['1', 'done', 'qualified'], ['2', 'terminatedWithError', undefined]]);
    expect(some.body.productOfferingQualificationItem![1]!['terminationError']).toEqual([{ value: 'offering po-unheard-of is not in the catalog' }]);
    // an item without an answer is not qualified: the qualification as a whole is not either
    expect(some.body.qualificationResult).toBe('unqualified');

    const none = await poqs.post<Poq>('/productOfferingQualification', poq([item('1', 'po-unheard-of')]));
    expect(none.body.state).toBe('terminatedWithError');
    expect(none.body.terminationError![0]!.value).toContain('no item could be evaluated');
    expect(none.body.qualificationResult).toBeUndefined();

    // the qualifier refuses the question itself (an address it does not know): the reason is on the qualification and its items
    const unknown = await poqs.post<Poq>('/productOfferingQualification', poq([item('1', 'po-fibre-1g')], { place: [installation('addr-nowhere')] }));
    expect(unknown.status).toBe(200);
    expect(unknown.body.state).toBe('terminatedWithError');
    expect(unknown.body.terminationError![0]!.value).toContain('access area is unknown');
    expect(results(unknown.body)).toEqual([['1', 'terminatedWithError', undefined]]);
    expect(unknown.body.qualificationResult).toBeUndefined();
  });

  it('runs as a task when not instant: acknowledged at once (201), then inProgress and done through its events', async () => {
    const r = await poqs.post<Poq>('/productOfferingQualification', poq([item('1', 'po-fibre-10g')], { instantSyncQualification: false, description: 'task' }));
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    expect(r.body.state).toBe('acknowledged');
    expect(r.body.productOfferingQualificationItem![0]!.state).toBe('acknowledged');
    expect(r.body.qualificationResult).toBeUndefined();
    const done = await settled<Poq>(poqs, `/productOfferingQualification/${r.body.id}`);
    expect(done).toMatchObject({ state: 'done', qualificationResult: 'alternate' });
    const states = (await eventsOf({ resourceId: r.body.id })).filter((e) => e.event_type.endsWith('StateChangeEvent')).map((e) => e.payload.event['productOfferingQualification']!['state']);
    expect(states).toEqual(['inProgress', 'done']);
  });

  it('retries a task whose qualifier failed for a reason that is not the request\'s, then answers it', async () => {
    const r = await poqs.post<Poq>('/productOfferingQualification', poq([item('1', 'po-fibre-1g')], { instantSyncQualification: false, description: 'flaky catalog' }));
    expect(r.status).toBe(201);
    const done = await settled<Poq>(poqs, `/productOfferingQualification/${r.body.id}`);
    expect(done).toMatchObject({ state: 'done', qualificationResult: 'qualified' });
    expect(asked.poq.filter((q) => q.id === r.body.id)).toHaveLength(2);
  });

  it('refuses malformed requests with a TMF Error, stores nothing and does not ask the qualifier', async () => {
    const count = (await poqs.get<Poq[]>('/productOfferingQualification')).body.length;
    const n = asked.poq.length;
    refused(await poqs.post('/productOfferingQualification', poq([{ productOffering: { id: 'po-fibre-1g' } }])), 400, 'productOfferingQualificationItem[0].id');
    refused(await poqs.post('/productOfferingQualification', poq([item('1', 'po-fibre-1g'), item('1', 'po-mobile')])), 422, 'productOfferingQualificationItem[1].id');
    refused(await poqs.post('/productOfferingQualification', poq([item('1', 'po-fibre-1g', { action: 'replace' })])), 400, 'productOfferingQualificationItem[0].action');
    refused(await poqs.post('/productOfferingQualification', poq([item('1', 'po-fibre-1g')], { state: 'done' })), 400, 'state');
    refused(await poqs.post('/productOfferingQualification', poq([item('1', 'po-fibre-1g')], { qualificationResult: 'qualified' })), 400, 'qualificationResult');
    refused(await poqs.post('/productOfferingQualification', poq([item('1', 'po-fibre-1g')], { place: [{ id: 'addr-served' }] })), 400, 'place[0].role');
    refused(await poqs.post('/productOfferingQualification', poq([item('1', 'po-fibre-1g')], { relatedParty: [{ id: 'x' }] })), 400, 'relatedParty[0].@referredType');
    refused(await poqs.post('/productOfferingQualification', poq([item('1', 'po-fibre-1g')], { requestedPOQCompletionDate: 'tomorrow' })), 400, 'requestedPOQCompletionDate');
    refused(await poqs.post('/productOfferingQualification', poq([item('1', 'po-fibre-1g')], { colour: 'red' })), 400, 'colour');
    refused(await poqs.post('/productOfferingQualification', []), 400, 'JSON object');
    const bad = await poqs.call('POST', '/productOfferingQualification', poq([]), { 'content-type': 'text/plain' });
    expect(bad.status).toBe(415);
    expect((await poqs.get<Poq[]>('/productOfferingQualification')).body.length).toBe(count);
    expect(asked.poq.length).toBe(n);
  });

  it('keeps the question and the answer fixed: only notes and the description change; moves are the server\'s', async () => {
    const p = (await poqs.post<Poq>('/productOfferingQualification', poq([item('1', 'po-fibre-1g')]))).body;
    const noted = await poqs.patch<Poq>(`/productOfferingQualification/${p.id}`, { description: 'checked with Jeanne', note: [{ text: 'she wants it in May' }] });
    expect(noted.status).toBe(200);
    expect((noted.body['note'] as Array<{ id: string }>)[0]!.id).toEqual(expect.any(String));
    refused(await poqs.patch(`/productOfferingQualification/${p.id}`, { state: 'acknowledged' }), 400, 'state');
    refused(await poqs.patch(`/productOfferingQualification/${p.id}`, { qualificationResult: 'unqualified' }), 400, 'qualificationResult');
    refused(await poqs.patch(`/productOfferingQualification/${p.id}`, { productOfferingQualificationItem: [item('1', 'po-mobile')] }), 400, 'productOfferingQualificationItem');
    refused(await poqs.patch(`/productOfferingQualification/${p.id}`, { place: [installation('addr-full')] }), 400, 'place');
    refused(await poqs.get('/productOfferingQualification/nope'), 404, 'nope');
    // the transition table: the task moves forward only, and a finished one never again
    expect(productOfferingQualificationLifecycle.next('acknowledged')).toEqual(['inProgress', 'terminatedWithError']);
    expect(productOfferingQualificationLifecycle.canMove('done', 'inProgress')).toBe(false);
    expect(productOfferingQualificationLifecycle.isTerminal('terminatedWithError')).toBe(true);
    expect((await poqs.del(`/productOfferingQualification/${p.id}`)).status).toBe(204);
    expect((await poqs.get(`/productOfferingQualification/${p.id}`)).status).toBe(404);
  });

  it('is listed and filtered as a sales console does: customer, state, result, offering', async () => {
    const mine = customer('ind-list');
    const a = (await poqs.post<Poq>('/productOfferingQualification', poq([item('1', 'po-fibre-1g')], { relatedParty: [mine] }))).body;
    const b = (await poqs.post<Poq>('/productOfferingQualification', poq([item('1', 'po-isdn')], { relatedParty: [mine] }))).body;
    const ids = async (q: string) => (await poqs.get<Poq[]>(`/productOfferingQualification?${q}`)).body.map((x) => x.id);
    expect(await ids('relatedParty.id=ind-list&sort=productOfferingQualificationDate')).toEqual([a.id, b.id]);
    expect(await ids('relatedParty.id=ind-list&qualificationResult=unqualified')).toEqual([b.id]);
    expect(await ids('relatedParty.id=ind-list&productOfferingQualificationItem.productOffering.id=po-fibre-1g')).toEqual([a.id]);
    expect(await ids('relatedParty.id=ind-list&state=done')).toHaveLength(2);
    const page = await poqs.get<Poq[]>('/productOfferingQualification?relatedParty.id=ind-list&fields=qualificationResult&limit=1');
    expect(page.status).toBe(206);
    expect(Object.keys(page.body[0]!).sort()).toEqual(['@type', 'href', 'id', 'qualificationResult']);
  });
});
