import { afterAll, describe, expect, it } from 'vitest';
import { runCtk } from '@operon/tmf/testing';
import { simulatedConfig, startActivationOperon, type ActivationOperon } from './test-api.ts';

// the kit asserts on every instance a list returns, so each run gets a database of its own
const started: ActivationOperon[] = [];
afterAll(async () => {
  for (const a of started) await a.op.close();
});

async function ctkAgainst(latencyMs: number, waitMs: number) {
  const a = await startActivationOperon(simulatedConfig({ latencyMs, jitterMs: latencyMs / 2 }, waitMs));
  started.push(a);
  const r = await runCtk('TMF640', `${a.op.url}/tmf-api/ServiceActivationAndConfiguration/v4`);
  // the kit's service was really activated on the simulated network
  const active = await a.services.get<{ id: string; state: string }[]>('/service?state=active');
  expect(active.body).toHaveLength(1);
  expect((await a.network.view(active.body[0]!.id)).service).toBeDefined();
  return r;
}

describe('TM Forum conformance kit TMF640', () => {
  it('passes with zero failed assertions when the network answers within the wait (201)', async () => {
    const r = await ctkAgainst(40, 2000);
    expect(r.failures).toEqual([]);
    expect(r.failedAssertions).toBe(0);
    expect(r.requests).toBe(7);
    expect(r.assertions).toBe(53);
    console.info(`TMF640 CTK (201): ${r.requests} requests, ${r.assertions} assertions, ${r.failedAssertions} failed`);
  });

  it('passes with zero failed assertions when the network is slow (202 and the monitor)', async () => {
    const r = await ctkAgainst(400, 50);
    expect(r.failures).toEqual([]);
    expect(r.failedAssertions).toBe(0);
    // the kit follows the monitor until it completes, then reads the service
    expect(r.requests).toBeGreaterThanOrEqual(9);
    expect(r.assertions).toBe(49);
    console.info(`TMF640 CTK (202): ${r.requests} requests, ${r.assertions} assertions, ${r.failedAssertions} failed`);
  });
});
