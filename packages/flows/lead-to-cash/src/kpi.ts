/**
 * Lead-to-Cash KPIs from what really happened: order and task timestamps.
 * Order-to-activation time per offering (order date to completion of the
 * orders that completed) and as a histogram, fallout (orders that entered
 * fulfilment and did not complete), orders by state, orders created,
 * completed and fallen out per hour, day or week, and durations per eTOM L3
 * step — over a period (`since`, `until`) the console or the CLI chooses.
 */
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { badRequest } from '@operon/kernel';
import type { Queryable } from '@operon/store';
import { ErrorBody } from '@operon/tmf';
import type { EtomDuration, WorkflowEngine } from '@operon/workflow';
import { RUN_TYPE } from './plan.ts';

export interface OfferingKpi {
  productOfferingId: string;
  productOfferingName: string | null;
  /** Completed order items of this offering. */
  orders: number;
  p50Ms: number;
  p90Ms: number;
}

/** One bar of the order-to-activation histogram: completed orders whose time fell in [fromMs, toMs). */
export interface ActivationBucket {
  fromMs: number;
  /** null: no upper bound (the last bucket). */
  toMs: number | null;
  orders: number;
}

export type TimelineInterval = 'hour' | 'day' | 'week';

/** Orders in one time bucket: placed in it, completed in it, fallen out (failed or partial) in it. */
export interface TimelineBucket {
  start: string;
  end: string;
  created: number;
  completed: number;
  failed: number;
}

export interface LeadToCashKpis {
  since: string | null;
  until: string | null;
  ordersByState: Record<string, number>;
  orderToActivation: OfferingKpi[];
  /** Orders placed in the period that completed, by the time from order date to completion. */
  orderToActivationHistogram: { orders: number; buckets: ActivationBucket[] };
  fallout: { ended: number; fallenOut: number; rate: number };
  /**
   * Buckets aligned to UTC hours, days or ISO weeks (from Monday), from the one
   * holding the start of the period (`since`, or the first order) to the one
   * holding its end (`until`, or now); only what happened inside the period counts.
   */
  timeline: { interval: TimelineInterval; from: string | null; to: string; buckets: TimelineBucket[] };
  etomSteps: EtomDuration[];
}

/** Orders that entered fulfilment and ended: completed, or fallen out (failed, partial). */
const ENDED = ['completed', 'failed', 'partial'];
const FALLEN_OUT = ['failed', 'partial'];

const S = 1000;
const MIN = 60 * S;
const H = 60 * MIN;
const D = 24 * H;
/**
 * Lower edges of the histogram's buckets: seconds for a network that answers
 * at once (a demo, an automated activation), days for a field installation.
 */
export const ACTIVATION_EDGES_MS: readonly number[] = [
  0, S, 5 * S, 15 * S, 30 * S, MIN, 2 * MIN, 5 * MIN, 15 * MIN, 30 * MIN, H, 4 * H, 12 * H, D, 2 * D, 3 * D, 7 * D, 14 * D, 30 * D,
];

const INTERVAL_MS: Record<TimelineInterval, number> = { hour: H, day: D, week: 7 * D };
/** Where buckets start: the epoch for hours and days, the first Monday after it (1970-01-05) for weeks. */
const INTERVAL_ORIGIN: Record<TimelineInterval, number> = { hour: 0, day: 0, week: 4 * D };
/** Most buckets one answer holds; a chosen interval over a longer period is refused. */
export const MAX_TIMELINE_BUCKETS = 1000;
/** Without a chosen interval, the finest one that draws the period in at most this many buckets. */
const AUTO_BUCKETS = 200;

export interface KpiPeriod {
  since?: Date;
  until?: Date;
  /** Chosen by the caller; the finest that fits the period in 200 buckets otherwise. */
  interval?: TimelineInterval;
}

const floorTo = (t: number, interval: TimelineInterval) =>
  INTERVAL_ORIGIN[interval] + Math.floor((t - INTERVAL_ORIGIN[interval]) / INTERVAL_MS[interval]) * INTERVAL_MS[interval];

function bucketCount(from: number, to: number, interval: TimelineInterval): number {
  return Math.round((floorTo(to - 1, interval) - floorTo(from, interval)) / INTERVAL_MS[interval]) + 1;
}

async function timeline(q: Queryable, period: KpiPeriod, now: Date): Promise<LeadToCashKpis['timeline']> {
  const to = (period.until ?? now).getTime();
  let from = period.since?.getTime();
  if (from === undefined) {
    const first = await q.query<{ t: Date | null }>(`SELECT min((doc->>'orderDate')::timestamptz) AS t FROM product_order WHERE (doc->>'orderDate')::timestamptz < $1`, [new Date(to)]);
    from = first.rows[0]?.t?.getTime();
  }
  const fits = (i: TimelineInterval, most: number) => from === undefined || from >= to || bucketCount(from, to, i) <= most;
  let interval = period.interval;
  if (interval !== undefined && !fits(interval, MAX_TIMELINE_BUCKETS)) {
    throw badRequest(`interval=${interval} over this period makes more than ${MAX_TIMELINE_BUCKETS} buckets; choose a longer interval or a shorter period`, 'interval');
  }
  interval ??= (['hour', 'day'] as const).find((i) => fits(i, AUTO_BUCKETS)) ?? 'week';
  if (from === undefined || from >= to) return { interval, from: from === undefined ? null : new Date(from).toISOString(), to: new Date(to).toISOString(), buckets: [] };
  // a period too long even for weeks keeps its last buckets (the answer's `from` says where they start)
  if (!fits(interval, MAX_TIMELINE_BUCKETS)) from = floorTo(to - 1, interval) - (MAX_TIMELINE_BUCKETS - 1) * INTERVAL_MS[interval];
  const size = INTERVAL_MS[interval];
  const origin = INTERVAL_ORIGIN[interval];
  const rows = await q.query<{ k: number; created: number; completed: number; failed: number }>(
    `SELECT k, sum(created)::int AS created, sum(completed)::int AS completed, sum(failed)::int AS failed FROM (
       SELECT floor((extract(epoch FROM t) * 1000 - $3) / $4)::bigint AS k, created, completed, failed FROM (
         SELECT (doc->>'orderDate')::timestamptz AS t, 1 AS created, 0 AS completed, 0 AS failed FROM product_order
          WHERE (doc->>'orderDate')::timestamptz >= $1 AND (doc->>'orderDate')::timestamptz < $2
         UNION ALL
         SELECT (doc->>'completionDate')::timestamptz, 0, (doc->>'state' = 'completed')::int, (doc->>'state' = ANY($5))::int FROM product_order
          WHERE (doc->>'state' = 'completed' OR doc->>'state' = ANY($5))
            AND (doc->>'completionDate')::timestamptz >= $1 AND (doc->>'completionDate')::timestamptz < $2
       ) e
     ) x GROUP BY k`,
    [new Date(from), new Date(to), origin, size, FALLEN_OUT],
  );
  const byKey = new Map(rows.rows.map((r) => [Number(r.k), r]));
  const first = floorTo(from, interval);
  const buckets: TimelineBucket[] = [];
  for (let start = first; start < to; start += size) {
    const r = byKey.get(Math.round((start - origin) / size));
    buckets.push({
      start: new Date(start).toISOString(), end: new Date(start + size).toISOString(),
      created: r?.created ?? 0, completed: r?.completed ?? 0, failed: r?.failed ?? 0,
    });
  }
  return { interval, from: new Date(from).toISOString(), to: new Date(to).toISOString(), buckets };
}

/** The KPIs of orders placed (and steps started) in [since, until); either end open when not given. */
export async function leadToCashKpis(q: Queryable, engine: WorkflowEngine, periodOrSince?: KpiPeriod | Date, now = new Date()): Promise<LeadToCashKpis> {
  const period: KpiPeriod = periodOrSince instanceof Date ? { since: periodOrSince } : periodOrSince ?? {};
  const { since, until } = period;
  if (since && until && until <= since) throw badRequest('until must be later than since', 'until');
  const range = [since ?? new Date(0), until ?? null];
  // orders placed in the period
  const placed = `(o.doc->>'orderDate')::timestamptz >= $1 AND ($2::timestamptz IS NULL OR (o.doc->>'orderDate')::timestamptz < $2)`;
  const byState = await q.query<{ state: string; n: number }>(
    `SELECT o.doc->>'state' AS state, count(*)::int AS n FROM product_order o WHERE ${placed} GROUP BY 1 ORDER BY 1`, range,
  );
  const ordersByState = Object.fromEntries(byState.rows.map((r) => [r.state, r.n]));
  const activation = await q.query<{ id: string; name: string | null; n: number; p50: number; p90: number }>(
    `SELECT i->'productOffering'->>'id' AS id, max(i->'productOffering'->>'name') AS name, count(*)::int AS n,
            percentile_cont(0.5) WITHIN GROUP (ORDER BY ms) AS p50, percentile_cont(0.9) WITHIN GROUP (ORDER BY ms) AS p90
     FROM (SELECT i, extract(epoch FROM ((o.doc->>'completionDate')::timestamptz - (o.doc->>'orderDate')::timestamptz)) * 1000 AS ms
           FROM product_order o, jsonb_array_elements(o.doc->'productOrderItem') i
           WHERE o.doc->>'state' = 'completed' AND i->>'action' = 'add' AND ${placed}) x
     GROUP BY 1 ORDER BY 1`,
    range,
  );
  // width_bucket counts the edges at or below the time: bucket i runs from edge i to edge i+1
  const histogram = await q.query<{ b: number; n: number }>(
    `SELECT width_bucket(greatest(ms, 0), $3::float8[]) AS b, count(*)::int AS n
     FROM (SELECT extract(epoch FROM ((o.doc->>'completionDate')::timestamptz - (o.doc->>'orderDate')::timestamptz)) * 1000 AS ms
           FROM product_order o WHERE o.doc->>'state' = 'completed' AND ${placed}) x
     GROUP BY 1`,
    [...range, ACTIVATION_EDGES_MS.slice(1)],
  );
  const perBucket = new Map(histogram.rows.map((r) => [Number(r.b), r.n]));
  const buckets = ACTIVATION_EDGES_MS.map((fromMs, i) => ({ fromMs, toMs: ACTIVATION_EDGES_MS[i + 1] ?? null, orders: perBucket.get(i) ?? 0 }));
  const ended = ENDED.reduce((n, s) => n + (ordersByState[s] ?? 0), 0);
  const fallenOut = FALLEN_OUT.reduce((n, s) => n + (ordersByState[s] ?? 0), 0);
  return {
    since: since?.toISOString() ?? null,
    until: until?.toISOString() ?? null,
    ordersByState,
    orderToActivation: activation.rows.map((r) => ({
      productOfferingId: r.id, productOfferingName: r.name, orders: r.n, p50Ms: Math.round(Number(r.p50)), p90Ms: Math.round(Number(r.p90)),
    })),
    orderToActivationHistogram: { orders: buckets.reduce((n, b) => n + b.orders, 0), buckets },
    fallout: { ended, fallenOut, rate: ended === 0 ? 0 : fallenOut / ended },
    timeline: await timeline(q, period, now),
    etomSteps: await engine.etomDurations({ runType: RUN_TYPE, ...(since ? { since } : {}), ...(until ? { until } : {}) }),
  };
}

const Step = Type.Object({
  etomTask: Type.String(), count: Type.Integer(), failed: Type.Integer(), p50Ms: Type.Number(), p90Ms: Type.Number(),
  meanMs: Type.Number(), maxMs: Type.Number(), jeopardies: Type.Integer(),
});

const Kpis = Type.Object({
  since: Type.Union([Type.String(), Type.Null()]),
  until: Type.Union([Type.String(), Type.Null()]),
  ordersByState: Type.Record(Type.String(), Type.Integer()),
  orderToActivation: Type.Array(Type.Object({
    productOfferingId: Type.String(), productOfferingName: Type.Union([Type.String(), Type.Null()]), orders: Type.Integer(), p50Ms: Type.Number(), p90Ms: Type.Number(),
  })),
  orderToActivationHistogram: Type.Object({
    orders: Type.Integer({ description: 'Completed orders placed in the period' }),
    buckets: Type.Array(Type.Object({ fromMs: Type.Integer(), toMs: Type.Union([Type.Integer(), Type.Null()]), orders: Type.Integer() }), {
      description: 'Fixed edges from 0 to 30 days; the last bucket has no upper bound (toMs null)',
    }),
  }),
  fallout: Type.Object({ ended: Type.Integer(), fallenOut: Type.Integer(), rate: Type.Number() }),
  timeline: Type.Object({
    interval: Type.Union([Type.Literal('hour'), Type.Literal('day'), Type.Literal('week')]),
    from: Type.Union([Type.String(), Type.Null()], { description: 'Start of the period: since, or the first order (null when there is none)' }),
    to: Type.String({ description: 'End of the period: until, or now' }),
    buckets: Type.Array(Type.Object({
      start: Type.String(), end: Type.String(),
      created: Type.Integer({ description: 'Orders placed in the bucket' }),
      completed: Type.Integer({ description: 'Orders completed in the bucket' }),
      failed: Type.Integer({ description: 'Orders that fell out (failed or partial) in the bucket' }),
    })),
  }),
  etomSteps: Type.Array(Step),
});

const INTERVALS: readonly TimelineInterval[] = ['hour', 'day', 'week'];

function dateParam(v: unknown, name: string): Date | undefined {
  if (v === undefined) return undefined;
  const d = typeof v === 'string' && v.trim() !== '' ? new Date(v) : undefined;
  if (!d || Number.isNaN(d.getTime())) throw badRequest(`${name} must be a date-time, e.g. 2026-01-01T00:00:00Z, not '${String(v).slice(0, 60)}'`, name);
  // JavaScript dates reach years the database cannot hold
  if (d.getUTCFullYear() < 1 || d.getUTCFullYear() > 9999) throw badRequest(`${name} must lie between the years 1 and 9999`, name);
  return d;
}

/** `GET /ops/kpi/lead-to-cash[?since=&until=&interval=]`, for operators (area ops.kpi). */
export function kpiRoutes(app: FastifyInstance, db: Queryable, engine: () => WorkflowEngine): void {
  app.get('/ops/kpi/lead-to-cash', {
    config: { access: { area: 'ops.kpi', action: 'read' } },
    schema: {
      tags: ['Operations: KPIs'],
      summary: 'Lead-to-Cash KPIs: order-to-activation p50/p90 per offering and histogram, fallout rate, orders by state and per hour/day/week, duration per eTOM L3 step',
      querystring: Type.Object({
        since: Type.Optional(Type.String({ description: 'Only orders placed (and tasks started) from this date-time' })),
        until: Type.Optional(Type.String({ description: 'Only orders placed (and tasks started) before this date-time' })),
        interval: Type.Optional(Type.String({ description: 'Timeline buckets: hour, day or week (default: the finest that draws the period in at most 200 buckets)' })),
      }),
      response: { 200: Kpis, 400: ErrorBody },
    },
  }, async (req) => {
    const q = req.query as Record<string, unknown>;
    const since = dateParam(q['since'], 'since');
    const until = dateParam(q['until'], 'until');
    const interval = q['interval'];
    if (interval !== undefined && !INTERVALS.includes(interval as TimelineInterval)) {
      throw badRequest(`interval must be one of ${INTERVALS.join(', ')}, not '${String(interval).slice(0, 60)}'`, 'interval');
    }
    return leadToCashKpis(db, engine(), {
      ...(since ? { since } : {}), ...(until ? { until } : {}), ...(interval ? { interval: interval as TimelineInterval } : {}),
    });
  });
}
