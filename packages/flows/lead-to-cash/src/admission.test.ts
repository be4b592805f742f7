import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { activationComponent, createActivationComponent } from '@operon/activation';
import { components } from '@operon/server';
import { startTestOperon, type TestOperon } from '@operon/server/testing';
import { Admission } from './admission.ts';
import { createLeadToCashFlow, leadToCashEnv } from './index.ts';
import { PATHS, addOrder, defineArea, defineCustomer, defineOffering, ftthDefinition, operonApi, waitForOrder, type Doc, type OperonApi } from './testing.ts';

const LIMIT = 2;

async function until(ok: () => boolean): Promise<void> {
  while (!ok()) await new Promise((res) => setTimeout(res, 1));
}
const ORDERS = 8;

let op: TestOperon;
let api: OperonApi;

beforeAll(async () => {
  // a network slow enough that a run lasts a while: without the limit, the relay would start several at once
  const activation = createActivationComponent({ env: { OPERON_NETWORK_LATENCY_MS: '60', OPERON_NETWORK_JITTER_MS: '0' } });
  op = await startTestOperon({
    components: components.map((c) => (c === activationComponent ? activation : c)),
    // no order admitted for having waited long (the last test below covers that): on a slow machine the
    // eighth order can wait past the default 5 s, and only the limit is under test here
    flows: [createLeadToCashFlow({ maxRunsInFlight: LIMIT, maxAdmissionWaitMs: 120_000, engine: { concurrency: 6, pollMs: 50, leaseMs: 10_000 } })],
    config: { dbPoolSize: 16, relay: { retryBaseMs: 50, retryMaxMs: 500, maxAttempts: 8, pollMs: 100 } },
  });
  api = operonApi(op.url);
}, 180_000);

afterAll(async () => {
  await op?.close();
});

describe('admission into fulfilment', () => {
  it(`keeps at most ${LIMIT} orders in fulfilment; the others wait acknowledged, then all complete`, async () => {
    const ftth = await defineOffering(api, ftthDefinition('Paced'));
    const area = await defineArea(api, { area: 'BER-PACED-OLT07', street: 'Ackerstraße', olt: 'OLT07', ports: 16, vlans: { start: 700, end: 715 }, cidr: '198.51.100.0/27' }, ftth.resourceSpecs);
    const customer = await defineCustomer(api, 'Paced', 'Orders');

    // watch the runs in flight and the orders waiting, straight from the database, while the orders go through
    const watcher = new pg.Client({ connectionString: op.db.url });
    await watcher.connect();
    let watching = true;
    let most = 0;
    let waitedBesideFull = false;
    const watch = (async () => {
      while (watching) {
        const r = (await watcher.query<{ running: number; waiting: number }>(
          `SELECT (SELECT count(*)::int FROM workflow_run WHERE status IN ('running', 'compensating', 'cancelling')) AS running,
                  (SELECT count(*)::int FROM product_order WHERE doc->>'state' = 'acknowledged') AS waiting`,
        )).rows[0]!;
        most = Math.max(most, r.running);
        if (r.running === LIMIT && r.waiting > 0) waitedBesideFull = true;
        await new Promise((res) => setTimeout(res, 5));
      }
    })();

    try {
      const ids: string[] = [];
      for (let i = 0; i < ORDERS; i++) {
        const o = await api.post<Doc>(`${PATHS.productOrder}/productOrder`, addOrder(customer, ftth.offering, area.address, { downloadSpeed: '300' }));
        ids.push(String(o['id']));
      }
      const done = await Promise.all(ids.map((id) => waitForOrder(api, id, ['completed', 'failed'], 120_000)));
      expect(done.map((o) => o['state'])).toEqual(ids.map(() => 'completed'));
    } finally {
      watching = false;
      await watch;
      await watcher.end();
    }
    expect(most).toBeGreaterThan(0);
    expect(most).toBeLessThanOrEqual(LIMIT);
    expect(waitedBesideFull).toBe(true);
  }, 180_000);

  it('lets an order through after the longest wait, and everyone at once when stopping', async () => {
    // a count that says "full" for good: only the two ways out can admit
    const full = new Admission({ limit: () => 1, count: async () => 1, pollMs: 5, maxWaitMs: 60_000 });
    let admitted = false;
    const waiting = full.enter().then(() => {
      admitted = true;
    });
    await new Promise((res) => setTimeout(res, 50));
    expect(admitted).toBe(false);
    expect(full.queued).toBe(1);
    full.stop();
    await waiting;
    expect(admitted).toBe(true);

    const patient = new Admission({ limit: () => 1, count: async () => 1, pollMs: 5, maxWaitMs: 30 });
    await patient.enter();
    expect(patient.queued).toBe(0);

    // between counts the estimate follows the runs started and ended here: no statement per order
    let counts = 0;
    const paced = new Admission({ limit: () => 2, count: async () => (counts++, 0), pollMs: 5, recountMs: 60_000 });
    await paced.enter();
    paced.leave(true);
    await paced.enter();
    paced.leave(true);
    let third = false;
    const waitingThird = paced.enter().then(() => {
      third = true;
    });
    await new Promise((res) => setTimeout(res, 50));
    expect(third).toBe(false);
    paced.ended();
    await waitingThird;
    expect(counts).toBe(1);

    // a run that starts while the runs are being counted is not lost to a count taken before it
    let answer: ((n: number) => void) | undefined;
    const racing = new Admission({ limit: () => 2, count: () => new Promise<number>((res) => (answer = res)), pollMs: 5, recountMs: 0 });
    const first = racing.enter();
    await until(() => answer !== undefined);
    answer!(0);
    await first;
    answer = undefined;
    let later = 0;
    const second = racing.enter().then(() => later++);
    const last = racing.enter().then(() => later++);
    await until(() => answer !== undefined);
    racing.leave(true); // the first order's run starts after the count's snapshot, before its answer
    answer!(0);
    await second;
    await new Promise((res) => setTimeout(res, 20));
    expect(later).toBe(1);
    expect(racing.queued).toBe(1);
    racing.stop();
    await last;

    // a count that fails admits rather than leaving orders behind
    const broken = new Admission({ limit: () => 1, count: async () => Promise.reject(new Error('no database')), pollMs: 5 });
    await broken.enter();
    expect(broken.queued).toBe(0);
  });

  it('takes its limit and the engine\'s concurrency from the environment, and refuses what is not a count', () => {
    expect(leadToCashEnv({})).toEqual({});
    expect(leadToCashEnv({ OPERON_MAX_ORDERS_IN_FLIGHT: '40', OPERON_WORKFLOW_CONCURRENCY: '6' })).toEqual({ maxRunsInFlight: 40, concurrency: 6 });
    expect(() => leadToCashEnv({ OPERON_MAX_ORDERS_IN_FLIGHT: '0' })).toThrow(/OPERON_MAX_ORDERS_IN_FLIGHT must be a whole number of at least 1, got '0'/);
    expect(() => leadToCashEnv({ OPERON_WORKFLOW_CONCURRENCY: 'many' })).toThrow(/OPERON_WORKFLOW_CONCURRENCY/);
    expect(() => leadToCashEnv({ OPERON_MAX_ORDERS_IN_FLIGHT: '2.5' })).toThrow(/whole number/);
  });
});
