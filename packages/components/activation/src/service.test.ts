/**
 * TMF640 through HTTP: services created, activated on the simulated network
 * (on resources activated through TMF702), reconfigured, deactivated and
 * terminated; long operations followed by monitors; failures reported; events;
 * bad input refused with the TMF Error body.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { char, monitorDone, refused, simulatedConfig, startActivationOperon, type ActivationOperon } from './test-api.ts';

type Doc = Record<string, unknown> & { id: string; href: string };

let a: ActivationOperon;
beforeAll(async () => {
  a = await startActivationOperon(simulatedConfig({}, 300));
});
afterAll(async () => a?.op.close());

const inventoryHref = (id: string) => `https://inventory.example/tmf-api/resourceInventoryManagement/v4/resource/${id}`;

/** A SIM and a number active on the network, for a mobile subscription to run on. */
async function simAndNumber(n: string): Promise<{ id: string }[]> {
  const sim = { id: `sim-${n}`, href: inventoryHref(`sim-${n}`), resourceCharacteristic: [char('iccid', `89331503190000000${n}`), char('imsi', `2081500000000${n}`)] };
  const msisdn = { id: `msisdn-${n}`, href: inventoryHref(`msisdn-${n}`), resourceCharacteristic: [char('msisdn', `+336123456${n}`)] };
  for (const r of [sim, msisdn]) expect((await a.resources.post('/resource', r)).status).toBe(201);
  return [{ id: sim.id }, { id: msisdn.id }];
}

const mobile = (extra: Record<string, unknown> = {}) => ({
  name: 'Mobile subscription', category: 'RFS', '@type': 'Service',
  serviceSpecification: { id: 'rfs-mobile', name: 'Mobile access', version: '1.0' },
  serviceCharacteristic: [char('roaming', true), char('dataCapGb', 50)],
  relatedParty: [{ id: 'ind-1', role: 'customer', '@referredType': 'Individual' }],
  ...extra,
});

describe('TMF640 service activation', () => {
  it('records a designed service without the network, then activates, reconfigures, deactivates and terminates it', async () => {
    const supportingResource = await simAndNumber('01');
    const post = await a.services.post<Doc>('/service', mobile({ state: 'designed', supportingResource }));
    expect(post.status, JSON.stringify(post.body)).toBe(201);
    expect(post.body).toMatchObject({ '@type': 'Service', state: 'designed' });
    expect(typeof post.body['serviceDate']).toBe('string');
    expect(post.body.href).toBe(`${a.services.baseUrl}/service/${post.body.id}`);
    const id = post.body.id;
    expect(await a.network.view(id)).toEqual({});

    const on = await a.services.patch<Doc>(`/service/${id}`, { state: 'active' });
    expect(on.status, JSON.stringify(on.body)).toBe(200);
    expect(on.body).toMatchObject({ state: 'active', hasStarted: true, isServiceEnabled: true });
    expect(typeof on.body['startDate']).toBe('string');
    const view = await a.network.view(id);
    expect(view.service).toEqual({ characteristics: [char('roaming', true), char('dataCapGb', 50)], supportingResources: ['sim-01', 'msisdn-01'] });
    expect(view.subscriber).toEqual({ imsi: '208150000000001', msisdn: '+33612345601' });

    const changed = await a.services.patch<Doc>(`/service/${id}`, { serviceCharacteristic: [char('roaming', false), char('dataCapGb', 100)] });
    expect(changed.status, JSON.stringify(changed.body)).toBe(200);
    expect((await a.network.view(id)).service?.characteristics).toEqual([char('roaming', false), char('dataCapGb', 100)]);

    // JSON Patch reaches the network too
    const jp = await a.services.jsonPatch<Doc>(`/service/${id}`, [{ op: 'replace', path: '/state', value: 'inactive' }]);
    expect(jp.status, JSON.stringify(jp.body)).toBe(200);
    expect(jp.body).toMatchObject({ state: 'inactive', isServiceEnabled: false });
    expect(await a.network.view(id)).toEqual({});

    // an active service cannot be deleted: the network would keep what nobody knows
    const again = await a.services.patch<Doc>(`/service/${id}`, { state: 'active' });
    expect(again.body['state']).toBe('active');
    refused(await a.services.del(`/service/${id}`), 422);
    const ended = await a.services.patch<Doc>(`/service/${id}`, { state: 'terminated' });
    expect(ended.status, JSON.stringify(ended.body)).toBe(200);
    expect(ended.body).toMatchObject({ state: 'terminated', isServiceEnabled: false });
    expect(typeof ended.body['endDate']).toBe('string');
    expect(await a.network.view(id)).toEqual({});
    refused(await a.services.patch(`/service/${id}`, { state: 'active' }), 422, 'terminated');
    expect((await a.services.del(`/service/${id}`)).status).toBe(204);
  });

  it('activates a service posted active, answering 202 and a monitor when the network is slow', async () => {
    const supportingResource = await simAndNumber('02');
    const fast = await a.services.post<Doc>('/service', mobile({ state: 'active', supportingResource: [supportingResource[0]] }));
    expect(fast.status, JSON.stringify(fast.body)).toBe(201);
    expect(fast.body).toMatchObject({ state: 'active', isServiceEnabled: true });
    expect((await a.network.view(fast.body.id)).service?.supportingResources).toEqual(['sim-02']);

    const slow = await a.services.post<Doc>('/service', mobile({ state: 'active', serviceCharacteristic: [char('simulateLatencyMs', 1500)] }));
    expect(slow.status, JSON.stringify(slow.body)).toBe(202);
    expect(slow.body).toMatchObject({ state: 'inactive', hasStarted: false, isServiceEnabled: false });
    const monitorId = slow.headers.get('monitorid')!;
    expect(slow.headers.get('location')).toBe(`${a.services.baseUrl}/monitor/${monitorId}`);
    expect((await a.services.get<Doc>(`/monitor/${monitorId}`)).body).toMatchObject({ state: 'InProgress', sourceHref: slow.body.href });
    refused(await a.services.patch(`/service/${slow.body.id}`, { state: 'inactive' }), 409, 'working on');
    const done = await monitorDone(a.services, monitorId);
    expect(done['state']).toBe('Completed');
    expect(JSON.parse((done['response'] as { body: string }).body)).toMatchObject({ id: slow.body.id, state: 'active' });
    expect((await a.services.get<Doc>(`/service/${slow.body.id}`)).body).toMatchObject({ state: 'active', hasStarted: true, isServiceEnabled: true });
  });

  it('reports a failure: the reason to the client, on the monitor (InError) and on the service (started, not enabled)', async () => {
    // the SIM was never activated: the network refuses to run the service on it
    const r = await a.services.post('/service', mobile({ name: 'Orphan', state: 'active', supportingResource: [{ id: 'sim-unknown' }] }));
    const error = refused(r, 422, 'sim-unknown');
    expect(error.code).toBe('refused');
    const failed = (await a.services.get<Doc[]>('/service?name=Orphan')).body;
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({ state: 'inactive', hasStarted: true, isServiceEnabled: false });
    expect(JSON.stringify(failed[0]!['note'])).toContain('sim-unknown');
    const monitor = (await a.services.get<Doc[]>('/monitor?state=InError')).body.find((m) => m['sourceHref'] === failed[0]!.href)!;
    expect((monitor['response'] as { statusCode: string }).statusCode).toBe('422');
    expect(JSON.parse((monitor['response'] as { body: string }).body)).toMatchObject({ code: 'refused' });
    expect(await a.network.view(failed[0]!.id)).toEqual({});

    // a transient failure answers 503: the network did nothing, so the request may be repeated
    const flaky = await a.services.post('/service', mobile({ name: 'Flaky', state: 'active', serviceCharacteristic: [char('simulateFailure', 'unavailable')] }));
    expect(refused(flaky, 503).code).toBe('unavailable');

    // a failure after a 202 is on the monitor
    const late = await a.services.post<Doc>('/service', mobile({ name: 'Late', state: 'active', serviceCharacteristic: [char('simulateFailure', 'refused'), char('simulateLatencyMs', 600)] }));
    expect(late.status).toBe(202);
    const m = await monitorDone(a.services, late.headers.get('monitorid')!);
    expect(m['state']).toBe('InError');
    expect((await a.services.get<Doc>(`/service/${late.body.id}`)).body).toMatchObject({ hasStarted: true, isServiceEnabled: false });
  });

  it('publishes service and monitor events', async () => {
    const s = await a.services.post<Doc>('/service', mobile({ name: 'Evented', state: 'active' }));
    await a.services.patch(`/service/${s.body.id}`, { state: 'inactive' });
    const events = await a.op.db.query<{ event_type: string; resource_id: string; payload: { event: Record<string, Record<string, unknown>> } }>(
      `SELECT event_type, resource_id, payload FROM outbox WHERE api = 'ServiceActivationAndConfiguration' ORDER BY seq`,
    );
    const mine = events.rows.filter((e) => e.resource_id === s.body.id);
    expect(mine.map((e) => e.event_type)).toEqual(expect.arrayContaining(['ServiceCreateEvent', 'ServiceStateChangeEvent']));
    expect(mine.filter((e) => e.event_type === 'ServiceStateChangeEvent').map((e) => e.payload.event['service']!['state'])).toEqual(['active', 'inactive']);
    const monitors = events.rows.filter((e) => e.event_type.startsWith('Monitor') && e.payload.event['monitor']?.['sourceHref'] === s.body.href);
    expect(monitors.map((e) => e.event_type)).toEqual(expect.arrayContaining(['MonitorCreateEvent', 'MonitorStateChangeEvent']));
  });

  it('refuses bad input with the TMF Error body', async () => {
    refused(await a.services.post('/service', { state: 'active', name: 'no spec' }), 400, 'serviceSpecification');
    refused(await a.services.post('/service', mobile({ state: 'running' })), 400, 'state');
    refused(await a.services.post('/service', mobile({ state: 'designed', colour: 'blue' })), 400, 'colour');
    refused(await a.services.post('/service', mobile({ state: 'designed', serviceCharacteristic: 'fast' })), 400, 'serviceCharacteristic');
    refused(await a.services.post('/service', 'active'), 400);
    refused(await a.services.call('POST', '/service', '<service/>', { 'content-type': 'application/xml' }), 415);
    // services are born before they end
    refused(await a.services.post('/service', mobile({ state: 'terminated' })), 422, 'terminated');

    const s = await a.services.post<Doc>('/service', mobile({ state: 'active' }));
    refused(await a.services.patch(`/service/${s.body.id}`, { state: 'designed' }), 422, 'designed');
    refused(await a.services.patch(`/service/${s.body.id}`, { serviceDate: '2020-01-01' }), 400, 'serviceDate');
    refused(await a.services.patch(`/service/${s.body.id}`, { state: 'inactive' }, { 'if-match': '"42"' }), 412);
    refused(await a.services.jsonPatch(`/service/${s.body.id}`, [{ op: 'replace', path: '/nothing/there', value: 1 }]), 400);
    refused(await a.services.patch('/service/none', { state: 'inactive' }), 404);
    refused(await a.services.get('/service/none'), 404);
    refused(await a.services.del('/service/none'), 404);
    // nothing reached the network for a refused change
    expect((await a.services.get<Doc>(`/service/${s.body.id}`)).body['state']).toBe('active');
    expect((await a.network.view(s.body.id)).service).toBeDefined();
  });
});
