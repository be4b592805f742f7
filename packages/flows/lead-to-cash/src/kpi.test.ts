/**
 * The KPIs over a chosen period, on orders with known dates (written straight
 * into the order table, so no fulfilment runs): bounds, the order-to-activation
 * histogram, and orders created, completed and fallen out per hour, day and
 * week. The end-to-end figures of real orders are in lead-to-cash.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestOperon, type TestOperon } from '@operon/server/testing';
import { ACTIVATION_EDGES_MS, type LeadToCashKpis } from './kpi.ts';
import { createLeadToCashFlow } from './index.ts';

let op: TestOperon;

const S = 1000;
const H = 3600 * S;
const D = 24 * H;

interface Seed {
  id: string;
  placed: string;
  state: string;
  /** Milliseconds from placing to closing, for a closed order. */
  after?: number;
}

// every order of 2025 lies far from the present and from what other tests create
const ORDERS: Seed[] = [
  { id: 'k-1', placed: '2025-01-06T10:15:00Z', state: 'completed', after: 500 },
  { id: 'k-2', placed: '2025-01-06T10:40:00Z', state: 'completed', after: 3 * S },
  { id: 'k-3', placed: '2025-01-06T11:05:00Z', state: 'completed', after: 2 * H },
  { id: 'k-4', placed: '2025-01-07T09:00:00Z', state: 'failed', after: 30 * 60 * S },
  { id: 'k-5', placed: '2025-01-07T09:10:00Z', state: 'partial', after: 15 * H },
  { id: 'k-6', placed: '2025-01-07T23:59:00Z', state: 'inProgress' },
  { id: 'k-7', placed: '2025-01-20T00:00:00Z', state: 'completed', after: 40 * D },
  // exactly on an edge of the histogram
  { id: 'k-9', placed: '2025-02-10T08:00:00Z', state: 'completed', after: H },
  // placed before the periods below, completed inside them
  { id: 'k-8', placed: '2024-12-31T23:00:00Z', state: 'completed', after: 5 * D + 90 * 60 * S },
];

beforeAll(async () => {
  op = await startTestOperon({ flows: [createLeadToCashFlow()] });
  const orders = op.runtime.services.get('productOrderingManagement')!.get('productOrder')!;
  for (const o of ORDERS) {
    const placed = new Date(o.placed);
    await orders.table.insert(op.db, o.id, {
      id: o.id, '@type': 'ProductOrder', state: o.state, orderDate: placed.toISOString(),
      ...(o.after !== undefined ? { completionDate: new Date(placed.getTime() + o.after).toISOString() } : {}),
      productOrderItem: [{ id: '1', action: 'add', quantity: 1, state: o.state, productOffering: { id: 'po-kpi', name: 'KPI offering' } }],
      relatedParty: [{ id: 'ind-kpi', role: 'customer', '@referredType': 'Individual' }],
    }, placed);
  }
}, 120_000);

afterAll(async () => op?.close());

async function kpis(query: string): Promise<LeadToCashKpis> {
  const res = await fetch(`${op.url}/ops/kpi/lead-to-cash?${query}`);
  const body = await res.text();
  expect(res.status, body).toBe(200);
  return JSON.parse(body) as LeadToCashKpis;
}

const counts = (k: LeadToCashKpis) => k.timeline.buckets.map((b) => [b.start.slice(0, 16), b.created, b.completed, b.failed]);

describe('GET /ops/kpi/lead-to-cash over a period', () => {
  it('counts only orders placed in [since, until), and draws them per day', async () => {
    const k = await kpis('since=2025-01-06T00:00:00Z&until=2025-01-08T00:00:00Z&interval=day');
    expect(k.since).toBe('2025-01-06T00:00:00.000Z');
    expect(k.until).toBe('2025-01-08T00:00:00.000Z');
    expect(k.ordersByState).toEqual({ completed: 3, failed: 1, partial: 1, inProgress: 1 });
    expect(k.fallout).toEqual({ ended: 5, fallenOut: 2, rate: 0.4 });
    expect(k.orderToActivation).toEqual([{ productOfferingId: 'po-kpi', productOfferingName: 'KPI offering', orders: 3, p50Ms: 3000, p90Ms: expect.any(Number) }]);
    expect(k.timeline).toMatchObject({ interval: 'day', from: '2025-01-06T00:00:00.000Z', to: '2025-01-08T00:00:00.000Z' });
    // a completion counts where it happened: k-8 (placed earlier) on the 6th; k-5's partial end falls after the period
    expect(counts(k)).toEqual([
      ['2025-01-06T00:00', 3, 4, 0],
      ['2025-01-07T00:00', 3, 0, 1],
    ]);
    expect(k.timeline.buckets[0]!.end).toBe('2025-01-07T00:00:00.000Z');
  });

  it('sorts completed orders into the fixed order-to-activation buckets', async () => {
    const k = await kpis('since=2025-01-01T00:00:00Z&until=2025-03-03T00:00:00Z');
    const h = k.orderToActivationHistogram;
    expect(h.buckets.map((b) => b.fromMs)).toEqual(ACTIVATION_EDGES_MS);
    expect(h.buckets.map((b) => b.toMs)).toEqual([...ACTIVATION_EDGES_MS.slice(1), null]);
    const filled = h.buckets.filter((b) => b.orders > 0).map((b) => [b.fromMs, b.toMs, b.orders]);
    // 500 ms, 3 s, 2 h and exactly 1 h, 40 days (k-8 was placed before the period)
    expect(filled).toEqual([[0, S, 1], [S, 5 * S, 1], [H, 4 * H, 2], [30 * D, null, 1]]);
    expect(h.orders).toBe(5);
    // an edge belongs to the bucket it opens
    const exact = await kpis('since=2025-02-10T00:00:00Z&until=2025-02-11T00:00:00Z');
    expect(exact.orderToActivationHistogram.buckets.filter((b) => b.orders > 0)).toEqual([{ fromMs: H, toMs: 4 * H, orders: 1 }]);
  });

  it('draws hours, with a period that starts inside an hour counting only from its start', async () => {
    const k = await kpis('since=2025-01-06T10:00:00Z&until=2025-01-06T14:00:00Z&interval=hour');
    expect(counts(k)).toEqual([
      ['2025-01-06T10:00', 2, 2, 0],
      ['2025-01-06T11:00', 1, 0, 0],
      ['2025-01-06T12:00', 0, 0, 0],
      ['2025-01-06T13:00', 0, 1, 0],
    ]);
    const inside = await kpis('since=2025-01-06T10:30:00Z&until=2025-01-06T12:00:00Z&interval=hour');
    expect(counts(inside)).toEqual([
      ['2025-01-06T10:00', 1, 1, 0],
      ['2025-01-06T11:00', 1, 0, 0],
    ]);
  });

  it('draws ISO weeks, from Monday', async () => {
    const k = await kpis('since=2025-01-01T00:00:00Z&until=2025-03-03T00:00:00Z&interval=week');
    expect(k.timeline.buckets.length).toBe(9);
    expect(k.timeline.buckets[0]!.start).toBe('2024-12-30T00:00:00.000Z');
    expect(k.timeline.buckets.at(-1)!.start).toBe('2025-02-24T00:00:00.000Z');
    expect(counts(k).filter(([, c, d, f]) => c || d || f)).toEqual([
      ['2025-01-06T00:00', 6, 4, 2],
      ['2025-01-20T00:00', 1, 0, 0],
      ['2025-02-10T00:00', 1, 1, 0],
      ['2025-02-24T00:00', 0, 1, 0],
    ]);
    const created = k.timeline.buckets.reduce((n, b) => n + b.created, 0);
    expect(created).toBe(Object.values(k.ordersByState).reduce((n, c) => n + c, 0));
  });

  it('chooses the finest interval that draws the period in at most 200 buckets when none is asked for', async () => {
    const twoDays = await kpis('since=2025-01-06T00:00:00Z&until=2025-01-08T00:00:00Z');
    expect(twoDays.timeline.interval).toBe('hour');
    expect(twoDays.timeline.buckets.length).toBe(48);
    const twoMonths = await kpis('since=2025-01-01T00:00:00Z&until=2025-03-03T00:00:00Z');
    expect(twoMonths.timeline.interval).toBe('day');
    expect(twoMonths.timeline.buckets.length).toBe(61);
    const twoYears = await kpis('since=2024-01-01T00:00:00Z&until=2026-01-01T00:00:00Z');
    expect(twoYears.timeline.interval).toBe('week');
    // longer than 1000 weeks: the last 1000, and the answer says where they start
    const ages = await kpis('since=1900-01-01T00:00:00Z&until=2026-01-01T00:00:00Z');
    expect(ages.timeline.buckets.length).toBe(1000);
    expect(ages.timeline.from).toBe(ages.timeline.buckets[0]!.start);
    expect(ages.timeline.buckets.at(-1)!.end > '2026-01-01').toBe(true);
    expect(ages.timeline.buckets.reduce((n, b) => n + b.created, 0)).toBe(ORDERS.length);
    // a period with no order has its buckets, all empty; one that ends before it begins has none
    const quiet = await kpis('since=2023-01-01T00:00:00Z&until=2023-01-02T00:00:00Z');
    expect(quiet.timeline.buckets.length).toBe(24);
    expect(quiet.timeline.buckets.every((b) => b.created === 0 && b.completed === 0 && b.failed === 0)).toBe(true);
    expect(quiet.ordersByState).toEqual({});
    expect(quiet.orderToActivationHistogram.orders).toBe(0);
  });

  it('without a period, starts at the first order and ends now', async () => {
    const k = await kpis('interval=week');
    expect(k.since).toBeNull();
    expect(k.until).toBeNull();
    expect(k.timeline.from).toBe('2024-12-31T23:00:00.000Z');
    expect(Date.now() - Date.parse(k.timeline.to)).toBeLessThan(60_000);
    expect(k.timeline.buckets[0]!.start).toBe('2024-12-30T00:00:00.000Z');
    expect(k.timeline.buckets.reduce((n, b) => n + b.created, 0)).toBe(ORDERS.length);
  });

  it('refuses a bad period with a TMF Error (400)', async () => {
    for (const [query, field] of [
      ['since=yesterday', 'since'],
      ['until=', 'until'],
      ['since=2025-01-08T00:00:00Z&until=2025-01-06T00:00:00Z', 'until'],
      ['since=2025-01-06T00:00:00Z&until=2025-01-06T00:00:00Z', 'until'],
      ['interval=minute', 'interval'],
      ['since=-271821-04-20T00:00:00Z', 'since'],
      ['until=+275760-09-13T00:00:00Z', 'until'],
      ['since=2020-01-01T00:00:00Z&until=2025-01-01T00:00:00Z&interval=hour', 'interval'],
    ] as const) {
      const res = await fetch(`${op.url}/ops/kpi/lead-to-cash?${query}`);
      const body = (await res.json()) as Record<string, unknown>;
      expect(res.status, query).toBe(400);
      expect(body, query).toMatchObject({ '@type': 'Error', status: '400' });
      expect(String(body['message']), query).toContain(field);
    }
  });
});
