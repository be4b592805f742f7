/**
 * The simulated network on its own: what it configures and refuses, idempotency
 * by key, latency, injected failures, and that nothing is ever half-configured.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Tx } from '@operon/store';
import type { TestDatabase } from '@operon/store/testing';
import { activationDatabase, char, ontPort, vlan } from '../test-api.ts';
import { NetworkError, type NetworkOperation, type ResourceActivationRequest, type ServiceActivationRequest } from './adapter.ts';
import { SimulatedNetwork } from './simulated.ts';

let t: TestDatabase;
let net: SimulatedNetwork;
let n = 0;
const key = (what: string) => `${what}-${++n}`;

beforeAll(async () => {
  t = await activationDatabase();
  net = new SimulatedNetwork(t.db, { latencyMs: 0, jitterMs: 0, failureRate: 0 });
});
afterAll(async () => t?.drop());

async function failure(p: Promise<unknown>): Promise<NetworkError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(NetworkError);
    return e as NetworkError;
  }
  throw new Error('expected a NetworkError');
}

const run = async <R>(op: Promise<NetworkOperation<R>>) => (await op).done();
const count = async (table: string, where = 'true', params: unknown[] = []) =>
  (await t.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table} WHERE ${where}`, params)).rows[0]!.n;

describe('what the simulated network configures', () => {
  it('configures an ONT port once, choosing the ONU id, and refuses the same port twice', async () => {
    const a = await run(net.activateResource(ontPort('port-a', 'OLT-PAR-1', '1/1/1'), { idempotencyKey: key('a') }));
    expect(a.state).toBe('active');
    expect(a.resourceCharacteristic).toEqual(expect.arrayContaining([{ name: 'onuId', value: 1, valueType: 'integer' }, { name: 'oltId', value: 'OLT-PAR-1' }]));
    const b = await run(net.activateResource(ontPort('port-b', 'OLT-PAR-1', '1/1/1'), { idempotencyKey: key('b') }));
    expect(b.resourceCharacteristic).toContainEqual({ name: 'onuId', value: 2, valueType: 'integer' });

    const twice = await failure(run(net.activateResource(ontPort('port-c', 'OLT-PAR-1', '1/1/1', [char('onuId', 1)]), { idempotencyKey: key('c') })));
    expect(twice.networkCode).toBe('conflict');
    expect(twice.status).toBe(409);
    expect(twice.message).toContain('port-a');
    const again = await failure(run(net.activateResource(ontPort('port-a', 'OLT-PAR-1', '1/1/9'), { idempotencyKey: key('a2') })));
    expect(again.networkCode).toBe('conflict');
    expect(again.message).toContain('already configured');
    expect(await count('activation_sim_ont_port')).toBe(2);
    expect(await count('activation_sim_element', 'element_id = $1', ['OLT-PAR-1'])).toBe(1);
  });

  it('rejects resources it does not know and values no network takes', async () => {
    const unknown = await failure(run(net.activateResource({ id: 'mystery', name: 'A thing', resourceCharacteristic: [char('colour', 'blue')] }, { idempotencyKey: key('u') })));
    expect(unknown.networkCode).toBe('unknownResource');
    expect(unknown.status).toBe(422);
    for (const [req, field] of [
      [vlan('bad-vlan', 4095), 'vlanId'],
      [ontPort('bad-port', 'OLT-1', 'port three'), 'ponPort'],
      [{ id: 'bad-ip', resourceCharacteristic: [char('address', '10.0.0.300')] }, 'address'],
      [{ id: 'out-of-pool', resourceCharacteristic: [char('address', '198.51.100.7'), char('pool', '192.0.2.0/24')] }, 'pool'],
      [{ id: 'bad-sim', resourceCharacteristic: [char('iccid', '123'), char('imsi', '208011234567890')] }, 'iccid'],
    ] as [ResourceActivationRequest, string][]) {
      const e = await failure(run(net.activateResource(req, { idempotencyKey: key('bad') })));
      expect(e.networkCode, field).toBe('invalidRequest');
      expect(e.message).toContain(field);
    }
    const noId = await failure(net.activateResource({ id: '' }, { idempotencyKey: key('x') }));
    expect(noId.networkCode).toBe('invalidRequest');
  });

  it('keeps what it configured until deactivated, then forgets it', async () => {
    const ip = { id: 'ip-1', resourceCharacteristic: [char('address', '192.0.2.10'), char('pool', '192.0.2.0/24')] };
    await run(net.activateResource(ip, { idempotencyKey: key('ip') }));
    expect((await net.view('ip-1')).resource).toEqual({ kind: 'ipAddress', config: ip.resourceCharacteristic });
    const taken = await failure(run(net.activateResource({ id: 'ip-2', resourceCharacteristic: [char('address', '192.0.2.10')] }, { idempotencyKey: key('ip') })));
    expect(taken.networkCode).toBe('conflict');

    const off = await run(net.deactivateResource({ id: 'ip-1' }, { idempotencyKey: key('ip-off') }));
    expect(off.state).toBe('inactive');
    expect(await net.view('ip-1')).toEqual({});
    const gone = await failure(run(net.deactivateResource({ id: 'ip-1' }, { idempotencyKey: key('ip-off') })));
    expect(gone.networkCode).toBe('notConfigured');
    // the address is free again
    await run(net.activateResource({ id: 'ip-2', resourceCharacteristic: [char('address', '192.0.2.10')] }, { idempotencyKey: key('ip') }));
  });

  it('runs a mobile subscription on configured SIM and number only, registering the subscriber', async () => {
    const sim = { id: 'sim-1', resourceCharacteristic: [char('iccid', '8933150319000000001'), char('imsi', '208150000000001')] };
    const msisdn = { id: 'msisdn-1', resourceCharacteristic: [char('msisdn', '+33612345678')] };
    const subscription: ServiceActivationRequest = {
      id: 'svc-mobile-1', name: 'Mobile subscription', serviceSpecification: { id: 'rfs-mobile' },
      serviceCharacteristic: [char('roaming', true)], supportingResource: [{ id: 'sim-1' }, { id: 'msisdn-1' }],
    };
    const early = await failure(run(net.activateService(subscription, { idempotencyKey: key('svc') })));
    expect(early.networkCode).toBe('refused');
    expect(early.message).toContain('sim-1');
    expect(await count('activation_sim_service', 'service_id = $1', ['svc-mobile-1'])).toBe(0);

    await run(net.activateResource(sim, { idempotencyKey: key('sim') }));
    await run(net.activateResource(msisdn, { idempotencyKey: key('msisdn') }));
    const on = await run(net.activateService(subscription, { idempotencyKey: key('svc') }));
    expect(on).toEqual({ state: 'active', serviceCharacteristic: [{ name: 'roaming', value: true }] });
    expect((await net.view('svc-mobile-1')).subscriber).toEqual({ imsi: '208150000000001', msisdn: '+33612345678' });

    const busy = await failure(run(net.deactivateResource({ id: 'sim-1' }, { idempotencyKey: key('sim-off') })));
    expect(busy.networkCode).toBe('conflict');
    expect(busy.message).toContain('svc-mobile-1');

    const modified = await run(net.modifyService({ ...subscription, serviceCharacteristic: [char('roaming', false)] }, { idempotencyKey: key('svc-mod') }));
    expect(modified.serviceCharacteristic).toEqual([{ name: 'roaming', value: false }]);
    expect((await net.view('svc-mobile-1')).service?.characteristics).toEqual([{ name: 'roaming', value: false }]);

    await run(net.deactivateService({ id: 'svc-mobile-1', serviceSpecification: { id: 'rfs-mobile' } }, { idempotencyKey: key('svc-off') }));
    expect(await count('activation_sim_subscriber', 'service_id = $1', ['svc-mobile-1'])).toBe(0);
    await run(net.deactivateResource({ id: 'sim-1' }, { idempotencyKey: key('sim-off') }));
  });

  it('reconfigures a resource in place, refusing to turn it into another kind', async () => {
    await run(net.activateResource(vlan('vlan-m', 100), { idempotencyKey: key('v') }));
    const moved = await run(net.modifyResource(vlan('vlan-m', 101), { idempotencyKey: key('v') }));
    expect(moved.resourceCharacteristic).toEqual([{ name: 'vlanId', value: 101 }]);
    expect(await count('activation_sim_vlan', 'resource_id = $1 AND vlan_id = 101', ['vlan-m'])).toBe(1);
    const other = await failure(run(net.modifyResource({ id: 'vlan-m', resourceCharacteristic: [char('msisdn', '+33700000000')] }, { idempotencyKey: key('v') })));
    expect(other.networkCode).toBe('refused');
    const notThere = await failure(run(net.modifyResource(vlan('vlan-none', 102), { idempotencyKey: key('v') })));
    expect(notThere.networkCode).toBe('notConfigured');
  });
});

/** The round trips of each transaction `fn` runs on the test database (a batch of statements is one). */
async function roundTripsOf(fn: () => Promise<unknown>): Promise<number[]> {
  const db = t.db;
  const original = db.tx;
  const seen: Tx[] = [];
  db.tx = ((body: (tx: Tx) => Promise<unknown>) => original.call(db, (tx) => (seen.push(tx), body(tx)))) as typeof db.tx;
  try {
    await fn();
  } finally {
    db.tx = original;
  }
  return seen.map((tx) => tx.roundTrips);
}

describe('an operation due at once', () => {
  it('is applied and recorded in one transaction: its checks and claims ride with the next statement', async () => {
    // a VLAN, an address, a number: BEGIN, the check, the claim, the record and COMMIT in one round trip
    expect(await roundTripsOf(() => run(net.activateResource(vlan('rt-vlan', 3000), { idempotencyKey: key('rt') })))).toEqual([1]);
    // an ONT port reads the ONU ids taken (after its lock) and then writes
    expect(await roundTripsOf(() => run(net.activateResource(ontPort('rt-port', 'OLT-RT-1', '1/1/1'), { idempotencyKey: key('rt') })))).toEqual([2]);
    // a service reads its resources and then writes
    const svc: ServiceActivationRequest = { id: 'rt-svc', serviceSpecification: { id: 'rfs-rt' }, supportingResource: [{ id: 'rt-port' }, { id: 'rt-vlan' }] };
    expect(await roundTripsOf(() => run(net.activateService(svc, { idempotencyKey: key('rt') })))).toEqual([2]);
    expect(await net.view('rt-svc')).toMatchObject({ service: { supportingResources: ['rt-port', 'rt-vlan'] } });
  });

  it('refused late (the claim is found taken in the batch), goes the general way, which records who holds what', async () => {
    const trips = await roundTripsOf(async () => {
      const taken = await failure(run(net.activateResource(vlan('rt-vlan-2', 3000), { idempotencyKey: key('rt') })));
      expect(taken.networkCode).toBe('conflict');
      expect(taken.message).toContain('rt-vlan');
    });
    // the batch that was refused, then the general way's transactions
    expect(trips[0]).toBe(1);
    expect(trips.length).toBeGreaterThan(1);
    const again = await failure(run(net.activateService({ id: 'rt-svc', serviceSpecification: { id: 'rfs-rt' }, supportingResource: [{ id: 'rt-vlan' }] }, { idempotencyKey: key('rt') })));
    expect(again.message).toContain('already active');
    const twice = await failure(run(net.activateResource(vlan('rt-vlan', 3001), { idempotencyKey: key('rt') })));
    expect(twice.message).toContain('already configured');
    expect(await count('activation_sim_vlan', 'resource_id = $1', ['rt-vlan'])).toBe(1);
    expect(await count('activation_sim_service', 'service_id = $1', ['rt-svc'])).toBe(1);
    expect(await count('activation_sim_operation', "target_id IN ('rt-vlan', 'rt-vlan-2', 'rt-svc') AND state = 'InError'")).toBe(3);
  });
});

describe('operations that arrive together', () => {
  it('share a transaction: those asked for at once, and those arriving while one runs', async () => {
    const ids = Array.from({ length: 6 }, (_, i) => `gc-vlan-${i}`);
    const txs = await roundTripsOf(async () => {
      const outcomes = await Promise.all(ids.map((id, i) => run(net.activateResource(vlan(id, 3100 + i), { idempotencyKey: key('gc') }))));
      for (const o of outcomes) expect(o.state).toBe('active');
    });
    // asked for in one turn of the event loop: one transaction
    expect(txs.length).toBe(1);
    expect(await count('activation_sim_vlan', 'resource_id = ANY($1)', [ids])).toBe(6);
    expect(await count('activation_sim_operation', "target_id = ANY($1) AND state = 'Completed'", [ids])).toBe(6);

    // the first is held in its transaction while three more arrive, each in a turn of its own
    const later = Array.from({ length: 4 }, (_, i) => `gc-later-${i}`);
    const db = t.db;
    const original = db.tx;
    let open!: () => void;
    const gate = new Promise<void>((r) => (open = r));
    const bodies: number[] = [];
    db.tx = ((body: (tx: Tx) => Promise<unknown>) => original.call(db, async (tx) => {
      bodies.push(bodies.length);
      if (bodies.length === 1) await gate;
      return body(tx);
    })) as typeof db.tx;
    try {
      const asked = [run(net.activateResource(vlan(later[0]!, 3110), { idempotencyKey: key('gc') }))];
      for (const [i, id] of later.slice(1).entries()) {
        await new Promise((r) => setImmediate(r));
        asked.push(run(net.activateResource(vlan(id, 3111 + i), { idempotencyKey: key('gc') })));
      }
      open();
      for (const o of await Promise.all(asked)) expect(o.state).toBe('active');
    } finally {
      db.tx = original;
    }
    // they waited for it and went together
    expect(bodies.length).toBe(2);
    expect(await count('activation_sim_vlan', 'resource_id = ANY($1)', [later])).toBe(4);
  });

  it('give each its own answer when one of them is refused: the others are applied, the refused one recorded', async () => {
    await run(net.activateResource(vlan('gc-holder', 3200), { idempotencyKey: key('gc') }));
    const asks = [vlan('gc-a', 3201), vlan('gc-taken', 3200), vlan('gc-b', 3202), vlan('gc-c', 3203)];
    const settled = await Promise.allSettled(asks.map((r) => run(net.activateResource(r, { idempotencyKey: key('gc') }))));
    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
    const refused = (settled[1] as PromiseRejectedResult).reason as NetworkError;
    expect(refused).toBeInstanceOf(NetworkError);
    expect(refused.networkCode).toBe('conflict');
    expect(refused.message).toContain('gc-holder');
    expect(await count('activation_sim_vlan', 'resource_id = ANY($1)', [['gc-a', 'gc-b', 'gc-c', 'gc-holder']])).toBe(4);
    expect(await count('activation_sim_vlan', 'resource_id = $1', ['gc-taken'])).toBe(0);
    expect(await count('activation_sim_operation', "target_id = 'gc-taken' AND state = 'InError'")).toBe(1);
  });

  it('keep one effect per key when repeats of a key arrive in one batch', async () => {
    const req = vlan('gc-repeat', 3300);
    const [other, ...repeats] = await Promise.all([
      net.activateResource(vlan('gc-other', 3301), { idempotencyKey: key('gc') }),
      ...Array.from({ length: 4 }, () => net.activateResource(req, { idempotencyKey: 'gc-repeat-1' })),
    ]);
    expect(await other!.done()).toMatchObject({ state: 'active' });
    expect(new Set(repeats.map((o) => o.id)).size).toBe(1);
    for (const o of repeats) expect(await o.done()).toMatchObject({ state: 'active' });
    expect(await count('activation_sim_vlan', 'resource_id = $1', ['gc-repeat'])).toBe(1);
    expect(await count('activation_sim_operation', 'idempotency_key = $1', ['gc-repeat-1'])).toBe(1);
  });
});

describe('idempotency by key', () => {
  it('returns the first operation and outcome for a repeat, and never configures twice', async () => {
    const req = vlan('vlan-idem', 200);
    const first = await net.activateResource(req, { idempotencyKey: 'idem-1' });
    const outcome = await first.done();
    const again = await net.activateResource(req, { idempotencyKey: 'idem-1' });
    expect(again.id).toBe(first.id);
    expect(again.state).toBe('Completed');
    expect(await again.done()).toEqual(outcome);
    expect(await count('activation_sim_vlan', 'resource_id = $1', ['vlan-idem'])).toBe(1);
    expect(await count('activation_sim_operation', 'idempotency_key = $1', ['idem-1'])).toBe(1);

    const other = await failure(net.activateResource(vlan('vlan-idem', 201), { idempotencyKey: 'idem-1' }));
    expect(other.networkCode).toBe('invalidRequest');
    expect(other.message).toContain('different request');
  });

  it('gives concurrent repeats of one key a single operation and a single effect', async () => {
    const req = vlan('vlan-race', 300);
    const ops = await Promise.all(Array.from({ length: 6 }, () => net.activateResource(req, { idempotencyKey: 'race-1' })));
    expect(new Set(ops.map((o) => o.id)).size).toBe(1);
    const outcomes = await Promise.all(ops.map((o) => o.done()));
    for (const o of outcomes) expect(o).toEqual(outcomes[0]);
    expect(await count('activation_sim_vlan', 'resource_id = $1', ['vlan-race'])).toBe(1);
  });

  it('keeps a final failure for its key, and tries a transient one again', async () => {
    const refusedReq = vlan('vlan-refused', 400, [char('simulateFailure', 'refused')]);
    const e1 = await failure(run(net.activateResource(refusedReq, { idempotencyKey: 'final-1' })));
    const e2 = await failure(run(net.activateResource(refusedReq, { idempotencyKey: 'final-1' })));
    expect([e1.networkCode, e2.networkCode]).toEqual(['refused', 'refused']);
    expect(e2.operationId).toBe(e1.operationId);

    // the first attempt's element does not answer; the repeat reaches it
    const rolls = [0.01, 0.99];
    const flaky = new SimulatedNetwork(t.db, { latencyMs: 0, jitterMs: 0, failureRate: 0.5, random: () => rolls.shift() ?? 0.99 });
    const e = await failure(run(flaky.activateResource(vlan('vlan-flaky', 401), { idempotencyKey: 'flaky-1' })));
    expect(e.networkCode).toBe('unavailable');
    expect(e.retryable).toBe(true);
    expect(await count('activation_sim_vlan', 'resource_id = $1', ['vlan-flaky'])).toBe(0);
    const retried = await flaky.activateResource(vlan('vlan-flaky', 401), { idempotencyKey: 'flaky-1' });
    expect(retried.id).toBe(e.operationId);
    expect((await retried.done()).state).toBe('active');
    const attempts = await t.db.query<{ attempts: number }>('SELECT attempts FROM activation_sim_operation WHERE idempotency_key = $1', ['flaky-1']);
    expect(attempts.rows[0]!.attempts).toBe(2);
  });
});

describe('latency', () => {
  it('answers later: the operation is in progress, its monitor can be awaited or given up on', async () => {
    const slow = new SimulatedNetwork(t.db, { latencyMs: 300, jitterMs: 100, failureRate: 0 });
    const op = await slow.activateResource(vlan('vlan-slow', 500), { idempotencyKey: 'slow-1' });
    expect(op.state).toBe('InProgress');
    expect(await count('activation_sim_vlan', 'resource_id = $1', ['vlan-slow'])).toBe(0);
    const impatient = await failure(op.done({ timeoutMs: 20 }));
    expect(impatient.networkCode).toBe('timeout');
    expect(impatient.retryable).toBe(true);
    const outcome = await op.done();
    expect(outcome.state).toBe('active');
    const row = await t.db.query<{ created_at: Date; completed_at: Date }>('SELECT created_at, completed_at FROM activation_sim_operation WHERE idempotency_key = $1', ['slow-1']);
    expect(row.rows[0]!.completed_at.getTime() - row.rows[0]!.created_at.getTime()).toBeGreaterThanOrEqual(250);
  });

  it('finishes, on any node, an operation whose caller went away', async () => {
    const slow = new SimulatedNetwork(t.db, { latencyMs: 0, jitterMs: 0, failureRate: 0 });
    const op = await slow.activateResource(vlan('vlan-orphan', 501, [char('simulateLatencyMs', 100)]), { idempotencyKey: 'orphan-1' });
    expect(op.state).toBe('InProgress');
    await new Promise((r) => setTimeout(r, 150));
    const otherNode = new SimulatedNetwork(t.db, { latencyMs: 0, jitterMs: 0, failureRate: 0 });
    expect(await otherNode.completeDue()).toBeGreaterThanOrEqual(1);
    expect(await count('activation_sim_vlan', 'resource_id = $1', ['vlan-orphan'])).toBe(1);
    expect((await op.done()).state).toBe('active');
  });
});

describe('failures', () => {
  it('fails as asked by a characteristic, leaving nothing configured', async () => {
    for (const [mode, code, status] of [['refused', 'refused', 422], ['conflict', 'conflict', 409], ['unavailable', 'unavailable', 503], ['partial', 'unavailable', 503]] as const) {
      const e = await failure(run(net.activateResource(ontPort(`port-${mode}`, 'OLT-F', '2/1/1', [char('simulateFailure', mode)]), { idempotencyKey: key(mode) })));
      expect(e.networkCode, mode).toBe(code);
      expect(e.status, mode).toBe(status);
      expect(await net.view(`port-${mode}`), mode).toEqual({});
    }
    expect(await count('activation_sim_ont_port', 'olt_id = $1', ['OLT-F'])).toBe(0);
    expect(await count('activation_sim_element', 'element_id = $1', ['OLT-F'])).toBe(0);
  });

  it('rolls back a half-done service activation: no service, no subscriber', async () => {
    await run(net.activateResource({ id: 'sim-p', resourceCharacteristic: [char('iccid', '8933150319000000099'), char('imsi', '208150000000099')] }, { idempotencyKey: key('p') }));
    await run(net.activateResource({ id: 'msisdn-p', resourceCharacteristic: [char('msisdn', '+33699999999')] }, { idempotencyKey: key('p') }));
    const e = await failure(run(net.activateService({
      id: 'svc-partial', serviceSpecification: { id: 'rfs-mobile' }, supportingResource: [{ id: 'sim-p' }, { id: 'msisdn-p' }],
      serviceCharacteristic: [char('simulateFailure', 'partial')],
    }, { idempotencyKey: key('p') })));
    expect(e.message).toContain('rolled back');
    expect(await net.view('svc-partial')).toEqual({});
    expect(await count('activation_sim_subscriber', 'imsi = $1', ['208150000000099'])).toBe(0);
  });

  it('refuses activations whose name matches the failure pattern, but never their deactivation', async () => {
    const picky = new SimulatedNetwork(t.db, { latencyMs: 0, jitterMs: 0, failureRate: 0, failPattern: /^FAIL-/ });
    const e = await failure(run(picky.activateResource({ ...vlan('vlan-pattern', 600), name: 'FAIL-vlan' }, { idempotencyKey: key('pat') })));
    expect(e.networkCode).toBe('refused');
    await run(net.activateResource({ ...vlan('vlan-pattern', 600), name: 'FAIL-vlan' }, { idempotencyKey: key('pat') }));
    expect((await run(picky.deactivateResource({ id: 'vlan-pattern', name: 'FAIL-vlan' }, { idempotencyKey: key('pat') }))).state).toBe('inactive');
  });

  it('stays consistent under a high failure rate: configured exactly what it reported done', async () => {
    const lossy = new SimulatedNetwork(t.db, { latencyMs: 5, jitterMs: 20, failureRate: 0.5 });
    const requests = Array.from({ length: 24 }, (_, i) => i % 3 === 0
      ? ontPort(`lossy-port-${i}`, 'OLT-L', `3/1/${i % 4}`)
      : i % 3 === 1 ? vlan(`lossy-vlan-${i}`, 1000 + (i % 5)) : { id: `lossy-ip-${i}`, resourceCharacteristic: [char('address', `203.0.113.${i % 6}`)] });
    const results = await Promise.allSettled(requests.map((r, i) => run(lossy.activateResource(r, { idempotencyKey: `lossy-${i}` }))));
    const ok = requests.filter((_, i) => results[i]!.status === 'fulfilled').map((r) => r.id);
    const failed = requests.filter((_, i) => results[i]!.status === 'rejected').map((r) => r.id);
    expect(ok.length).toBeGreaterThan(0);
    expect(failed.length).toBeGreaterThan(0);
    for (const id of ok) expect((await net.view(id)).resource, id).toBeDefined();
    for (const id of failed) expect(await net.view(id), id).toEqual({});
    // the network's own rules held: no key configured twice
    const dup = await t.db.query(`SELECT scope, vlan_id FROM activation_sim_vlan GROUP BY 1, 2 HAVING count(*) > 1`);
    expect(dup.rowCount).toBe(0);
    const ops = await t.db.query<{ state: string; target_id: string }>(`SELECT state, target_id FROM activation_sim_operation WHERE idempotency_key LIKE 'lossy-%'`);
    expect(ops.rows.filter((o) => o.state === 'Completed').map((o) => o.target_id).sort()).toEqual([...ok].sort());
  });
});
