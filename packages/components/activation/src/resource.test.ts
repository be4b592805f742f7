/**
 * TMF702 through HTTP: resources of the inventory activated, reconfigured and
 * deactivated on the simulated network, long operations followed by monitors,
 * failures reported, events, and bad input refused with the TMF Error body.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { char, monitorDone, ontPort, refused, simulatedConfig, startActivationOperon, vlan, type ActivationOperon } from './test-api.ts';

type Doc = Record<string, unknown> & { id: string; href: string };

let a: ActivationOperon;
// a short wait, so that a request told to be slow (simulateLatencyMs) is answered 202
beforeAll(async () => {
  a = await startActivationOperon(simulatedConfig({}, 300));
});
afterAll(async () => a?.op.close());

/** The resource as TMF702 names it: its inventory id and href. */
const inInventory = <T extends { id: string }>(r: T) => ({ ...r, href: `https://inventory.example/tmf-api/resourceInventoryManagement/v4/resource/${r.id}` });
const chars = (d: Record<string, unknown>) => (d['resourceCharacteristic'] ?? []) as { name: string; value: unknown }[];
const valueOf = (d: Record<string, unknown>, name: string) => chars(d).find((c) => c.name === name)?.value;

describe('TMF702 resource activation', () => {
  it('activates a resource under its inventory id, reconfigures it, and deactivates it', async () => {
    const post = await a.resources.post<Doc>('/resource', inInventory(ontPort('ont-1', 'OLT-LYON-1', '1/1/4')));
    expect(post.status, JSON.stringify(post.body)).toBe(201);
    expect(post.body).toMatchObject({ id: 'ont-1', '@type': 'PhysicalResource', administrativeState: 'unlocked', operationalState: 'enable' });
    expect(post.body.href).toBe(`${a.resources.baseUrl}/resource/ont-1`);
    expect(post.headers.get('location')).toBe(post.body.href);
    expect(typeof post.body['startOperatingDate']).toBe('string');
    // the ONU id the network chose is part of the resource from now on
    expect(valueOf(post.body, 'onuId')).toBe(1);
    expect((await a.network.view('ont-1')).resource?.kind).toBe('ontPort');
    expect((await a.resources.get<Doc>('/resource/ont-1')).body).toEqual(post.body);
    expect((await a.resources.get<Doc[]>('/resource?administrativeState=unlocked')).body.map((r) => r.id)).toContain('ont-1');

    const moved = await a.resources.patch<Doc>('/resource/ont-1', { resourceCharacteristic: [char('oltId', 'OLT-LYON-1'), char('ponPort', '1/1/5')] });
    expect(moved.status, JSON.stringify(moved.body)).toBe(200);
    expect(valueOf(moved.body, 'ponPort')).toBe('1/1/5');
    expect(valueOf(moved.body, 'onuId')).toBe(1);
    const onNetwork = await a.op.db.query<{ pon_port: string }>('SELECT pon_port FROM activation_sim_ont_port WHERE resource_id = $1', ['ont-1']);
    expect(onNetwork.rows).toEqual([{ pon_port: '1/1/5' }]);

    // a change the network does not care about is only recorded
    const named = await a.resources.patch<Doc>('/resource/ont-1', { name: 'ONT of Mrs Martin' });
    expect(named.status).toBe(200);
    expect(named.body['name']).toBe('ONT of Mrs Martin');

    const off = await a.resources.patch<Doc>('/resource/ont-1', { administrativeState: 'locked' });
    expect(off.status, JSON.stringify(off.body)).toBe(200);
    expect(off.body).toMatchObject({ administrativeState: 'locked', operationalState: 'disable' });
    expect(await a.network.view('ont-1')).toEqual({});
    expect((await a.resources.del('/resource/ont-1')).status).toBe(204);
    expect((await a.resources.get('/resource/ont-1')).status).toBe(404);
  });

  it('records a locked resource without touching the network, and activates it on unlock', async () => {
    const post = await a.resources.post<Doc>('/resource', inInventory({ ...vlan('vlan-later', 120), administrativeState: 'locked' }));
    expect(post.status).toBe(201);
    expect(post.body['administrativeState']).toBe('locked');
    expect(await a.network.view('vlan-later')).toEqual({});
    const on = await a.resources.patch<Doc>('/resource/vlan-later', { administrativeState: 'unlocked' });
    expect(on.status, JSON.stringify(on.body)).toBe(200);
    expect(on.body).toMatchObject({ administrativeState: 'unlocked', operationalState: 'enable' });
    expect((await a.network.view('vlan-later')).resource).toEqual({ kind: 'vlan', config: [{ name: 'vlanId', value: 120 }] });
  });

  it('answers 202 with a monitor when the network is slow, and completes it when the network is done', async () => {
    const slow = inInventory(vlan('vlan-slow', 130, [char('simulateLatencyMs', 1500)]));
    const post = await a.resources.post<Doc>('/resource', slow);
    expect(post.status, JSON.stringify(post.body)).toBe(202);
    const monitorId = post.headers.get('monitorid')!;
    expect(monitorId).toBeTruthy();
    expect(post.headers.get('location')).toBe(`${a.resources.baseUrl}/monitor/${monitorId}`);
    // until the network answers the resource is known, and not in service
    expect(post.body).toMatchObject({ id: 'vlan-slow', administrativeState: 'locked', operationalState: 'disable' });
    const m = await a.resources.get<Doc>(`/monitor/${monitorId}`);
    expect(m.body).toMatchObject({ state: 'InProgress', sourceHref: `${a.resources.baseUrl}/resource/vlan-slow` });
    expect(m.body['request']).toMatchObject({ method: 'POST', to: `${a.resources.baseUrl}/resource` });
    expect(JSON.parse(String((m.body['request'] as Record<string, unknown>)['body']))).toMatchObject({ id: 'vlan-slow' });

    // the network is working on it: no other change meanwhile
    refused(await a.resources.patch('/resource/vlan-slow', { administrativeState: 'locked' }), 409, 'working on');
    refused(await a.resources.del('/resource/vlan-slow'), 409, 'working on');

    const done = await monitorDone(a.resources, monitorId);
    expect(done['state']).toBe('Completed');
    const response = done['response'] as { statusCode: string; body: string };
    expect(response.statusCode).toBe('201');
    expect(JSON.parse(response.body)).toMatchObject({ id: 'vlan-slow', administrativeState: 'unlocked' });
    expect((await a.resources.get<Doc>('/resource/vlan-slow')).body).toMatchObject({ administrativeState: 'unlocked', operationalState: 'enable' });
    expect((await a.resources.get<Doc[]>('/monitor?state=Completed')).body.map((x) => x.id)).toContain(monitorId);

    // a slow deactivation is followed the same way
    const off = await a.resources.patch<Doc>('/resource/vlan-slow', { administrativeState: 'locked', resourceCharacteristic: [char('vlanId', 130), char('simulateLatencyMs', 1500)] });
    expect(off.status, JSON.stringify(off.body)).toBe(202);
    expect((await monitorDone(a.resources, off.headers.get('monitorid')!))['state']).toBe('Completed');
    expect((await a.resources.get<Doc>('/resource/vlan-slow')).body['administrativeState']).toBe('locked');
    expect(await a.network.view('vlan-slow')).toEqual({});
  });

  it('reports a failure: the error to the client, the monitor InError with the reason, a note on the resource', async () => {
    const r = await a.resources.post('/resource', inInventory(vlan('vlan-refused', 140, [char('simulateFailure', 'refused')])));
    const error = refused(r, 422, 'refused');
    expect(error.code).toBe('refused');
    const monitors = await a.resources.get<Doc[]>('/monitor?state=InError');
    const m = monitors.body.find((x) => x['sourceHref'] === `${a.resources.baseUrl}/resource/vlan-refused`)!;
    expect(m).toBeDefined();
    const response = m['response'] as { statusCode: string; body: string };
    expect(response.statusCode).toBe('422');
    expect(JSON.parse(response.body)).toMatchObject({ '@type': 'Error', code: 'refused', reason: 'Unprocessable Entity' });
    const stored = (await a.resources.get<Doc>('/resource/vlan-refused')).body;
    expect(stored).toMatchObject({ administrativeState: 'locked', operationalState: 'disable' });
    expect(JSON.stringify(stored['note'])).toContain('activate failed (refused)');
    expect(await a.network.view('vlan-refused')).toEqual({});

    // a failure after a 202 is found on the monitor
    const slow = await a.resources.post<Doc>('/resource', inInventory(vlan('vlan-late-fail', 141, [char('simulateFailure', 'conflict'), char('simulateLatencyMs', 600)])));
    expect(slow.status).toBe(202);
    const failed = await monitorDone(a.resources, slow.headers.get('monitorid')!);
    expect(failed['state']).toBe('InError');
    expect(JSON.parse((failed['response'] as { body: string }).body)).toMatchObject({ code: 'conflict' });

    // what the network holds for another resource is refused by its own rules
    await a.resources.post('/resource', inInventory(vlan('vlan-a', 150)));
    const clash = refused(await a.resources.post('/resource', inInventory(vlan('vlan-b', 150))), 409, 'vlan-a');
    expect(clash.code).toBe('conflict');

    // a failed resource can be asked again once the cause is gone
    const again = await a.resources.patch<Doc>('/resource/vlan-refused', { administrativeState: 'unlocked', resourceCharacteristic: [char('vlanId', 140)] });
    expect(again.status, JSON.stringify(again.body)).toBe(200);
    expect(again.body['administrativeState']).toBe('unlocked');
  });

  it('publishes resource and monitor events', async () => {
    await a.resources.post('/resource', inInventory(vlan('vlan-events', 160)));
    await a.resources.patch('/resource/vlan-events', { administrativeState: 'locked' });
    const events = await a.op.db.query<{ event_type: string; payload: { event: Record<string, Record<string, unknown>> } }>(
      `SELECT event_type, payload FROM outbox WHERE api = 'ResourceActivationAndConfiguration' ORDER BY seq`,
    );
    const mine = events.rows.filter((e) => JSON.stringify(e.payload).includes('vlan-events'));
    const types = mine.map((e) => e.event_type);
    for (const t of ['ResourceCreateEvent', 'ResourceStateChangeEvent', 'MonitorCreateEvent', 'MonitorStateChangeEvent']) expect(types).toContain(t);
    const states = mine.filter((e) => e.event_type === 'ResourceStateChangeEvent').map((e) => e.payload.event['resource']!['administrativeState']);
    expect(states).toEqual(['unlocked', 'locked']);
  });

  it('refuses bad input with the TMF Error body', async () => {
    refused(await a.resources.post('/resource', vlan('no-href', 170)), 400, 'href');
    refused(await a.resources.post('/resource', { href: 'https://inventory.example/r/x', name: 'no id' }), 400, 'id');
    refused(await a.resources.post('/resource', inInventory({ ...vlan('bad-state', 171), administrativeState: 'sleeping' })), 400, 'administrativeState');
    refused(await a.resources.post('/resource', inInventory({ ...vlan('bad-attr', 172), colour: 'blue' })), 400, 'colour');
    refused(await a.resources.post('/resource', [1, 2]), 400);
    refused(await a.resources.call('POST', '/resource', 'id=1', { 'content-type': 'text/plain' }), 415);
    // what the network cannot identify or read is refused by it, as unprocessable
    refused(await a.resources.post('/resource', inInventory({ id: 'mystery', resourceCharacteristic: [char('colour', 'blue')] })), 422, 'does not know');
    refused(await a.resources.post('/resource', inInventory(vlan('vlan-4095', 4095))), 422, 'vlanId');

    await a.resources.post('/resource', inInventory(vlan('vlan-taken-id', 180)));
    refused(await a.resources.post('/resource', inInventory(vlan('vlan-taken-id', 181))), 409);
    refused(await a.resources.patch('/resource/none', { administrativeState: 'locked' }), 404);
    refused(await a.resources.patch('/resource/vlan-taken-id', { administrativeState: 'locked' }, { 'if-match': '"99"' }), 412);
    refused(await a.resources.call('PATCH', '/resource/vlan-taken-id', '{}', { 'content-type': 'text/plain' }), 415);
    refused(await a.resources.patch('/resource/vlan-taken-id', { administrativeState: 'gone' }), 400, 'administrativeState');
    // an unlocked resource is configured on the network: deactivate it before deleting it
    refused(await a.resources.del('/resource/vlan-taken-id'), 422);
    refused(await a.resources.get('/monitor/none'), 404);
    refused(await a.resources.call('POST', '/monitor', {}), 404);
    expect((await a.resources.get<Doc>('/resource/vlan-taken-id')).body['administrativeState']).toBe('unlocked');
  });
});
