/**
 * The calls the lead-to-cash flow makes from its workflow tasks: one call per
 * change, awaited, idempotent by the task's key, bounded by a timeout or the
 * task's abort signal.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ComponentRuntime } from '@operon/tmf';
import { activator, createActivator, NetworkError, SimulatedNetwork, type Activator } from './index.ts';
import { char, ontPort, startActivationOperon, vlan, type ActivationOperon } from './test-api.ts';

let a: ActivationOperon;
let act: Activator;
beforeAll(async () => {
  a = await startActivationOperon();
  act = activator(a.op.runtime);
});
afterAll(async () => a?.op.close());

async function failure(p: Promise<unknown>): Promise<NetworkError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(NetworkError);
    return e as NetworkError;
  }
  throw new Error('expected a NetworkError');
}

const operations = async (key: string) =>
  (await a.op.db.query<{ id: string; state: string; attempts: number }>('SELECT id, state, attempts FROM activation_sim_operation WHERE idempotency_key = $1', [key])).rows;

describe('the activator of the running component', () => {
  it('is the one of this Operon only', () => {
    expect(act.adapter).toBe(a.network);
    expect(() => activator({} as ComponentRuntime)).toThrow(/not running/);
  });

  it('activates resources and a service on them, each once, whatever the number of repeats of a task', async () => {
    const port = await act.activateResource(ontPort('ftth-port-1', 'OLT-NAN-1', '1/2/3'), { idempotencyKey: 'run-1:activate-resource:port' });
    expect(port.state).toBe('active');
    expect(port.resourceCharacteristic).toContainEqual({ name: 'onuId', value: 1, valueType: 'integer' });
    const vl = await act.activateResource(vlan('ftth-vlan-1', 2001), { idempotencyKey: 'run-1:activate-resource:vlan' });
    const access = {
      id: 'rfs-ftth-1', name: 'FTTH access', serviceSpecification: { id: 'rfs-ftth' },
      serviceCharacteristic: [char('downloadMbps', 1000)], supportingResource: [{ id: 'ftth-port-1' }, { id: 'ftth-vlan-1' }],
    };
    const svc = await act.activateService(access, { idempotencyKey: 'run-1:activate-service:rfs-ftth-1', timeoutMs: 5000 });
    expect(svc).toEqual({ state: 'active', serviceCharacteristic: [char('downloadMbps', 1000)] });

    // the task runs again (its node died after the call): the same answers, nothing configured twice
    expect(await act.activateResource(ontPort('ftth-port-1', 'OLT-NAN-1', '1/2/3'), { idempotencyKey: 'run-1:activate-resource:port' })).toEqual(port);
    expect(await act.activateResource(vlan('ftth-vlan-1', 2001), { idempotencyKey: 'run-1:activate-resource:vlan' })).toEqual(vl);
    expect(await act.activateService(access, { idempotencyKey: 'run-1:activate-service:rfs-ftth-1' })).toEqual(svc);
    expect(await operations('run-1:activate-service:rfs-ftth-1')).toHaveLength(1);
    expect((await a.op.db.query('SELECT 1 FROM activation_sim_ont_port WHERE resource_id = $1', ['ftth-port-1'])).rowCount).toBe(1);

    // a key is for one change only
    const reused = await failure(act.activateResource(vlan('ftth-vlan-1', 2002), { idempotencyKey: 'run-1:activate-resource:vlan' }));
    expect(reused.networkCode).toBe('invalidRequest');
    expect(reused.retryable).toBe(false);

    // a speed upgrade, then the termination in reverse order
    const faster = await act.modifyService({ ...access, serviceCharacteristic: [char('downloadMbps', 2000)] }, { idempotencyKey: 'run-2:modify-service:rfs-ftth-1' });
    expect(faster.serviceCharacteristic).toEqual([char('downloadMbps', 2000)]);
    const busy = await failure(act.deactivateResource({ id: 'ftth-port-1' }, { idempotencyKey: 'run-3:deactivate-resource:port-early' }));
    expect(busy.networkCode).toBe('conflict');
    expect((await act.deactivateService(access, { idempotencyKey: 'run-3:deactivate-service:rfs-ftth-1' })).state).toBe('inactive');
    expect((await act.deactivateResource({ id: 'ftth-port-1' }, { idempotencyKey: 'run-3:deactivate-resource:port' })).state).toBe('inactive');
    expect((await act.deactivateResource({ id: 'ftth-vlan-1' }, { idempotencyKey: 'run-3:deactivate-resource:vlan' })).state).toBe('inactive');
    expect(await a.network.view('ftth-port-1')).toEqual({});
    expect(await a.network.view('rfs-ftth-1')).toEqual({});
  });

  it('reports what the network refused as final, and what failed on the way as retryable', async () => {
    const no = await failure(act.activateResource(vlan('vlan-no', 2100, [char('simulateFailure', 'refused')]), { idempotencyKey: 'refuse-1' }));
    expect(no).toMatchObject({ networkCode: 'refused', retryable: false, status: 422 });
    expect(no.message).toContain('vlan-no');
    const unknown = await failure(act.activateService({ id: 'svc-x', serviceSpecification: { id: 'cfs' }, supportingResource: [{ id: 'nowhere' }] }, { idempotencyKey: 'refuse-2' }));
    expect(unknown.networkCode).toBe('refused');
    expect(unknown.message).toContain('nowhere');

    // the element does not answer the first time; the task's retry, with its key, gets through
    const rolls = [0.01, 0.99];
    const flaky = createActivator(new SimulatedNetwork(a.op.db, { latencyMs: 0, jitterMs: 0, failureRate: 0.5, random: () => rolls.shift() ?? 0.99 }));
    const first = await failure(flaky.activateResource(vlan('vlan-flaky', 2101), { idempotencyKey: 'flaky-task' }));
    expect(first).toMatchObject({ networkCode: 'unavailable', retryable: true, status: 503 });
    expect(await a.network.view('vlan-flaky')).toEqual({});
    expect((await flaky.activateResource(vlan('vlan-flaky', 2101), { idempotencyKey: 'flaky-task' })).state).toBe('active');
    expect(await operations('flaky-task')).toEqual([expect.objectContaining({ state: 'Completed', attempts: 2 })]);

    const missing = await failure(act.activateResource(vlan('vlan-nokey', 2102), { idempotencyKey: '' }));
    expect(missing.networkCode).toBe('invalidRequest');
  });

  it('stops waiting at the timeout or when the task is aborted; the operation goes on and a repeat finds it', async () => {
    const slow = vlan('vlan-slow-task', 2200, [char('simulateLatencyMs', 1500)]);
    const started = Date.now();
    const late = await failure(act.activateResource(slow, { idempotencyKey: 'slow-task', timeoutMs: 100 }));
    expect(late).toMatchObject({ networkCode: 'timeout', retryable: true });
    expect(Date.now() - started).toBeLessThan(1000);
    const [op] = await operations('slow-task');
    expect(late.operationId).toBe(op!.id);

    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const t0 = Date.now();
    const stopped = await failure(act.activateResource(slow, { idempotencyKey: 'slow-task', signal: controller.signal }));
    expect(stopped.networkCode).toBe('timeout');
    expect(stopped.message).toContain('aborted');
    expect(Date.now() - t0).toBeLessThan(1000);

    // the retry after the network finished gets the outcome of the one operation
    expect((await act.activateResource(slow, { idempotencyKey: 'slow-task' })).state).toBe('active');
    expect(await operations('slow-task')).toEqual([expect.objectContaining({ id: op!.id, state: 'Completed', attempts: 1 })]);

    // an attempt aborted before it starts sends nothing
    const gone = new AbortController();
    gone.abort();
    expect((await failure(act.activateResource(vlan('vlan-never', 2201), { idempotencyKey: 'never', signal: gone.signal }))).networkCode).toBe('timeout');
    expect(await operations('never')).toEqual([]);
  });

  it('lets a compensation treat what the network does not hold as undone', async () => {
    const strict = await failure(act.deactivateResource({ id: 'never-activated' }, { idempotencyKey: 'comp-1' }));
    expect(strict.networkCode).toBe('notConfigured');
    expect(await act.deactivateResource({ id: 'never-activated' }, { idempotencyKey: 'comp-2', ifConfigured: true })).toEqual({ state: 'inactive' });
    expect(await act.deactivateService({ id: 'never-active', serviceSpecification: { id: 'cfs' } }, { idempotencyKey: 'comp-3', ifConfigured: true })).toEqual({ state: 'inactive' });
    // other failures still fail
    await act.activateResource({ id: 'sim-c', resourceCharacteristic: [char('iccid', '8933150319000000777'), char('imsi', '208150000000777')] }, { idempotencyKey: 'comp-4' });
    await act.activateResource({ id: 'msisdn-c', resourceCharacteristic: [char('msisdn', '+33677777777')] }, { idempotencyKey: 'comp-5' });
    await act.activateService({ id: 'svc-c', serviceSpecification: { id: 'rfs-mobile' }, supportingResource: [{ id: 'sim-c' }, { id: 'msisdn-c' }] }, { idempotencyKey: 'comp-6' });
    expect((await failure(act.deactivateResource({ id: 'sim-c' }, { idempotencyKey: 'comp-7', ifConfigured: true }))).networkCode).toBe('conflict');
  });
});
