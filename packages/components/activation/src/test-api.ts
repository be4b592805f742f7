/**
 * Set-up shared by the activation component's test files: Operon with the
 * component on a fresh database, clients that check every reply against the
 * official TMF640 and TMF702 definitions, and a look into the simulated network.
 */
import { expect } from 'vitest';
import { fileURLToPath } from 'node:url';
import { startTestOperon, type TestOperon } from '@operon/server/testing';
import { createTestDatabase, type TestDatabase } from '@operon/store/testing';
import type { TmfErrorBody } from '@operon/tmf';
import { tmfClient, type TmfClient, type TmfReply } from '@operon/tmf/testing';
import { createActivationComponent, networkAdapter, SimulatedNetwork, type ActivationConfig, type SimulatedNetworkOptions } from './index.ts';

export interface ActivationOperon {
  op: TestOperon;
  services: TmfClient;
  resources: TmfClient;
  network: SimulatedNetwork;
}

export function simulatedConfig(simulated: Partial<SimulatedNetworkOptions> = {}, waitMs = 2000): ActivationConfig {
  return { waitMs, network: { adapter: 'simulated', simulated: { latencyMs: 0, jitterMs: 0, failureRate: 0, ...simulated } } };
}

/** Operon with the activation component on the simulated network (instant, never failing, unless told). */
export async function startActivationOperon(config: ActivationConfig = simulatedConfig()): Promise<ActivationOperon> {
  const op = await startTestOperon({ components: [createActivationComponent({ config })] });
  const adapter = networkAdapter(op.runtime);
  return {
    op,
    services: tmfClient({ baseUrl: `${op.url}/tmf-api/ServiceActivationAndConfiguration/v4`, spec: 'TMF640', types: { service: 'Service', monitor: 'Monitor' } }),
    resources: tmfClient({ baseUrl: `${op.url}/tmf-api/ResourceActivationAndConfiguration/v4`, spec: 'TMF702', types: { resource: 'Resource', monitor: 'Monitor' } }),
    network: adapter instanceof SimulatedNetwork ? adapter : (undefined as never),
  };
}

/** A fresh database with the activation component's tables, for the adapters on their own. */
export function activationDatabase(): Promise<TestDatabase> {
  return createTestDatabase([{ owner: 'activation', dir: fileURLToPath(new URL('../migrations', import.meta.url)) }]);
}

/** The reply is a TMF Error of that status. */
export function refused(r: TmfReply, status: number, contains?: string): TmfErrorBody {
  expect(r.status, JSON.stringify(r.body)).toBe(status);
  const error = r.body as TmfErrorBody;
  expect(error['@type']).toBe('Error');
  if (contains) expect(error.message).toContain(contains);
  return error;
}

/** Waits for a monitor to leave InProgress (the network answers by itself). */
export async function monitorDone(client: TmfClient, monitorId: string, timeoutMs = 10_000): Promise<Record<string, unknown>> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const m = await client.get<Record<string, unknown>>(`/monitor/${monitorId}`);
    expect(m.status).toBe(200);
    if (m.body['state'] !== 'InProgress') return m.body;
    if (Date.now() > until) throw new Error(`monitor ${monitorId} still in progress`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export const char = (name: string, value: unknown) => ({ name, value });

/** An ONT port, as the resource inventory would hold it. */
export const ontPort = (id: string, oltId: string, ponPort: string, extra: { name: string; value: unknown }[] = []) => ({
  id, name: `ONT port ${oltId} ${ponPort}`, '@type': 'PhysicalResource',
  resourceSpecification: { id: 'rs-ont-port', name: 'GPON ONT port' },
  resourceCharacteristic: [char('oltId', oltId), char('ponPort', ponPort), ...extra],
});

export const vlan = (id: string, vlanId: number, extra: { name: string; value: unknown }[] = []) => ({
  id, name: `VLAN ${vlanId}`, '@type': 'LogicalResource', resourceSpecification: { id: 'rs-vlan', name: 'Customer VLAN' },
  resourceCharacteristic: [char('vlanId', vlanId), ...extra],
});
