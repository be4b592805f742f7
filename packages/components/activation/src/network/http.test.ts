/**
 * The HTTP adapter against a real external activation system: a second Operon
 * whose TMF640/TMF702 APIs run on its own simulated network. Activations
 * succeed through both APIs and the flow's activator, long operations are
 * followed through the external monitors, failures come back with their
 * cause, and a repeated call (even after the local record was lost) never
 * configures anything twice.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestOperon, type TestOperon } from '@operon/server/testing';
import { tmfClient, type TmfClient } from '@operon/tmf/testing';
import { activator, createActivationComponent, createActivator, HttpNetworkAdapter, NetworkError, TMF640_BASE_PATH, TMF702_BASE_PATH, type Activator } from '../index.ts';
import { char, ontPort, refused, simulatedConfig, startActivationOperon, vlan, type ActivationOperon } from '../test-api.ts';

type Doc = Record<string, unknown> & { id: string; href: string };

/** The external system: answers 202 and a monitor for anything slower than 200 ms. */
let remote: ActivationOperon;
/** Operon whose network is the external system. */
let local: TestOperon;
let services: TmfClient;
let resources: TmfClient;
let act: Activator;

beforeAll(async () => {
  remote = await startActivationOperon(simulatedConfig({}, 200));
  local = await startTestOperon({
    components: [createActivationComponent({
      config: {
        waitMs: 3000,
        network: { adapter: 'http', http: { serviceApiUrl: `${remote.op.url}${TMF640_BASE_PATH}`, resourceApiUrl: `${remote.op.url}${TMF702_BASE_PATH}`, timeoutMs: 10_000, pollMs: 50 } },
      },
    })],
  });
  services = tmfClient({ baseUrl: `${local.url}${TMF640_BASE_PATH}`, spec: 'TMF640', types: { service: 'Service', monitor: 'Monitor' } });
  resources = tmfClient({ baseUrl: `${local.url}${TMF702_BASE_PATH}`, spec: 'TMF702', types: { resource: 'Resource', monitor: 'Monitor' } });
  act = activator(local.runtime);
});
afterAll(async () => {
  await local?.close();
  await remote?.op.close();
});

async function failure(p: Promise<unknown>): Promise<NetworkError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(NetworkError);
    return e as NetworkError;
  }
  throw new Error('expected a NetworkError');
}

const inInventory = <T extends { id: string }>(r: T) => ({ ...r, href: `https://inventory.example/resource/${r.id}` });
const remoteCount = async (table: string, where: string, params: unknown[]) =>
  (await remote.op.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table} WHERE ${where}`, params)).rows[0]!.n;
const externalId = async (kind: string, localId: string) =>
  (await local.db.query<{ external_id: string }>('SELECT external_id FROM activation_http_binding WHERE kind = $1 AND local_id = $2', [kind, localId])).rows[0]?.external_id;

describe('the HTTP adapter, behind the TMF640 and TMF702 APIs', () => {
  it('activates, reconfigures and deactivates resources and services on the external system', async () => {
    expect(act.adapter.kind).toBe('http');
    const port = await resources.post<Doc>('/resource', inInventory(ontPort('x-port-1', 'OLT-EXT-1', '1/1/1')));
    expect(port.status, JSON.stringify(port.body)).toBe(201);
    expect(port.body).toMatchObject({ id: 'x-port-1', administrativeState: 'unlocked', operationalState: 'enable' });
    // what the external network chose comes back
    expect(port.body['resourceCharacteristic']).toContainEqual({ name: 'onuId', value: 1, valueType: 'integer' });
    expect((await remote.resources.get<Doc>('/resource/x-port-1')).body).toMatchObject({ administrativeState: 'unlocked' });
    expect((await remote.network.view('x-port-1')).resource?.kind).toBe('ontPort');

    const svc = await services.post<Doc>('/service', {
      name: 'FTTH access', state: 'active', serviceSpecification: { id: 'rfs-ftth' },
      serviceCharacteristic: [char('downloadMbps', 500)], supportingResource: [{ id: 'x-port-1' }],
    });
    expect(svc.status, JSON.stringify(svc.body)).toBe(201);
    expect(svc.body).toMatchObject({ state: 'active', isServiceEnabled: true });
    // the external system chose its own id for the service: the adapter keeps the binding
    const ext = (await externalId('service', svc.body.id))!;
    expect(ext).toBeTruthy();
    expect((await remote.services.get<Doc>(`/service/${ext}`)).body).toMatchObject({ state: 'active', name: 'FTTH access' });
    expect((await remote.network.view(ext)).service).toEqual({ characteristics: [char('downloadMbps', 500)], supportingResources: ['x-port-1'] });

    const faster = await services.patch<Doc>(`/service/${svc.body.id}`, { serviceCharacteristic: [char('downloadMbps', 1000)] });
    expect(faster.status, JSON.stringify(faster.body)).toBe(200);
    expect((await remote.network.view(ext)).service?.characteristics).toEqual([char('downloadMbps', 1000)]);

    const off = await services.patch<Doc>(`/service/${svc.body.id}`, { state: 'inactive' });
    expect(off.status, JSON.stringify(off.body)).toBe(200);
    expect((await remote.services.get<Doc>(`/service/${ext}`)).body['state']).toBe('inactive');
    expect(await remote.network.view(ext)).toEqual({});
    const portOff = await resources.patch<Doc>('/resource/x-port-1', { administrativeState: 'locked' });
    expect(portOff.status, JSON.stringify(portOff.body)).toBe(200);
    expect(await remote.network.view('x-port-1')).toEqual({});
  });

  it('follows the external monitor of a slow operation to its end', async () => {
    const slow = await act.activateResource(vlan('x-vlan-slow', 3001, [char('simulateLatencyMs', 500)]), { idempotencyKey: 'x-slow-1' });
    expect(slow.state).toBe('active');
    const op = await local.db.query<{ monitor_url: string }>('SELECT monitor_url FROM activation_http_operation WHERE idempotency_key = $1', ['x-slow-1']);
    // the external system answered 202: the adapter followed its monitor
    expect(op.rows[0]!.monitor_url).toMatch(new RegExp(`^${remote.op.url}${TMF702_BASE_PATH}/monitor/`));
    expect((await remote.resources.get<Doc>(op.rows[0]!.monitor_url.replace(remote.resources.baseUrl, ''))).body['state']).toBe('Completed');
    expect((await remote.network.view('x-vlan-slow')).resource).toBeDefined();

    // the caller's shorter wait ends the wait, not the operation
    const impatient = await failure(act.activateResource(vlan('x-vlan-slow-2', 3002, [char('simulateLatencyMs', 1500)]), { idempotencyKey: 'x-slow-2', timeoutMs: 150 }));
    expect(impatient).toMatchObject({ networkCode: 'timeout', retryable: true });
    expect((await act.activateResource(vlan('x-vlan-slow-2', 3002, [char('simulateLatencyMs', 1500)]), { idempotencyKey: 'x-slow-2' })).state).toBe('active');
    expect(await remoteCount('activation_sim_vlan', 'resource_id = $1', ['x-vlan-slow-2'])).toBe(1);
  });
});

describe('failures of the external system', () => {
  it('come back with their cause, at once or through the monitor', async () => {
    const now = await failure(act.activateResource(vlan('x-vlan-refused', 3100, [char('simulateFailure', 'refused')]), { idempotencyKey: 'x-refused' }));
    expect(now).toMatchObject({ networkCode: 'refused', retryable: false, status: 422 });
    expect(now.message).toContain('422');

    await act.activateResource(vlan('x-vlan-a', 3101), { idempotencyKey: 'x-a' });
    const clash = await failure(act.activateResource(vlan('x-vlan-b', 3101), { idempotencyKey: 'x-b' }));
    expect(clash).toMatchObject({ networkCode: 'conflict', status: 409 });
    expect(clash.message).toContain('x-vlan-a');

    const late = await failure(act.activateResource(vlan('x-vlan-late', 3102, [char('simulateFailure', 'refused'), char('simulateLatencyMs', 400)]), { idempotencyKey: 'x-late' }));
    expect(late.networkCode).toBe('refused');
    expect(late.message).toContain('monitor');

    // through the local API: the same TMF Error, and the local monitor InError
    const api = await services.post('/service', { name: 'On nothing', state: 'active', serviceSpecification: { id: 'rfs-x' }, supportingResource: [{ id: 'x-missing' }] });
    expect(refused(api, 422, 'x-missing').code).toBe('refused');
    const m = (await services.get<Doc[]>('/monitor?state=InError')).body;
    expect(m.length).toBeGreaterThan(0);

    // a deactivation of what the external system never configured
    const never = await failure(act.deactivateResource({ id: 'x-never' }, { idempotencyKey: 'x-never' }));
    expect(never.networkCode).toBe('notConfigured');
  });

  it('report an unreachable system as retryable, and the retry with the same key goes through once it answers', async () => {
    // a proxy to the external system that drops its first request
    let dropped = 0;
    const proxy = http.createServer((req, res) => {
      if (dropped++ === 0) {
        req.socket.destroy();
        return;
      }
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const headers = Object.fromEntries(Object.entries(req.headers).filter(([k]) => !['host', 'content-length', 'connection'].includes(k))) as Record<string, string>;
        void fetch(`${remote.op.url}${req.url}`, { method: req.method!, headers, ...(chunks.length ? { body: Buffer.concat(chunks) } : {}) }).then(async (r) => {
          const body = await r.text();
          res.writeHead(r.status, Object.fromEntries([...r.headers].filter(([k]) => !['content-length', 'transfer-encoding', 'connection', 'content-encoding'].includes(k))));
          res.end(body);
        });
      });
    });
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
    try {
      const flaky = createActivator(new HttpNetworkAdapter(local.db, { serviceApiUrl: `${url}${TMF640_BASE_PATH}`, resourceApiUrl: `${url}${TMF702_BASE_PATH}`, timeoutMs: 5000, pollMs: 50 }));
      const first = await failure(flaky.activateResource(vlan('x-vlan-flaky', 3200), { idempotencyKey: 'x-flaky' }));
      expect(first).toMatchObject({ networkCode: 'unavailable', retryable: true, status: 503 });
      expect((await flaky.activateResource(vlan('x-vlan-flaky', 3200), { idempotencyKey: 'x-flaky' })).state).toBe('active');
      expect(await remoteCount('activation_sim_vlan', 'resource_id = $1', ['x-vlan-flaky'])).toBe(1);
      const row = await local.db.query<{ attempts: number; state: string }>('SELECT attempts, state FROM activation_http_operation WHERE idempotency_key = $1', ['x-flaky']);
      expect(row.rows[0]).toEqual({ attempts: 2, state: 'Completed' });
    } finally {
      await new Promise((r) => proxy.close(r));
    }
  });
});

describe('idempotency keys', () => {
  it('make a repeated call harmless: one request to the external system, one configuration', async () => {
    const req = { id: 'x-svc-idem', name: 'Idempotent access', serviceSpecification: { id: 'rfs-ftth' }, serviceCharacteristic: [char('downloadMbps', 300)] };
    const first = await act.activateService(req, { idempotencyKey: 'x-idem-svc' });
    const again = await Promise.all([act.activateService(req, { idempotencyKey: 'x-idem-svc' }), act.activateService(req, { idempotencyKey: 'x-idem-svc' })]);
    expect(again).toEqual([first, first]);
    expect(await remoteCount('activation_service', `doc->>'name' = $1`, ['Idempotent access'])).toBe(1);
    const reused = await failure(act.activateService({ ...req, name: 'Something else' }, { idempotencyKey: 'x-idem-svc' }));
    expect(reused.networkCode).toBe('invalidRequest');
  });

  it('are sent to the external system, which answers a resend after a lost local record with its first answer', async () => {
    const req = vlan('x-vlan-lost', 3300);
    const first = await act.activateResource(req, { idempotencyKey: 'x-lost-1' });
    // the node crashed after the external system did the work, before the local record of the answer survived
    await local.db.query('DELETE FROM activation_http_operation WHERE idempotency_key = $1', ['x-lost-1']);
    await local.db.query(`DELETE FROM activation_http_binding WHERE local_id = $1`, ['x-vlan-lost']);
    // the resend carries the same Idempotency-Key: the external system replays its 201 instead of refusing a second resource
    expect(await act.activateResource(req, { idempotencyKey: 'x-lost-1' })).toEqual(first);
    expect(await remoteCount('activation_resource', 'id = $1', ['x-vlan-lost'])).toBe(1);
    expect(await remoteCount('activation_sim_operation', `kind = 'activateResource' AND target_id = $1`, ['x-vlan-lost'])).toBe(1);

    // without the key the external system would have refused the resend
    const plain = await fetch(`${remote.resources.baseUrl}/resource`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(inInventory(req)) });
    expect(plain.status).toBe(409);

    // the same after a 202: the resend follows the first monitor
    const slow = vlan('x-vlan-lost-slow', 3301, [char('simulateLatencyMs', 400)]);
    await act.activateResource(slow, { idempotencyKey: 'x-lost-2' });
    const monitor = (await local.db.query<{ monitor_url: string }>('SELECT monitor_url FROM activation_http_operation WHERE idempotency_key = $1', ['x-lost-2'])).rows[0]!.monitor_url;
    await local.db.query('DELETE FROM activation_http_operation WHERE idempotency_key = $1', ['x-lost-2']);
    await local.db.query(`DELETE FROM activation_http_binding WHERE local_id = $1`, ['x-vlan-lost-slow']);
    expect((await act.activateResource(slow, { idempotencyKey: 'x-lost-2' })).state).toBe('active');
    expect((await local.db.query<{ monitor_url: string }>('SELECT monitor_url FROM activation_http_operation WHERE idempotency_key = $1', ['x-lost-2'])).rows[0]!.monitor_url).toBe(monitor);
    expect(await remoteCount('activation_sim_operation', `kind = 'activateResource' AND target_id = $1`, ['x-vlan-lost-slow'])).toBe(1);
  });
});
