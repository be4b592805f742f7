/**
 * Lead-to-Cash KPIs from what really happened: order and task timestamps.
 * Order-to-activation time per offering (order date to completion of the
 * orders that completed), fallout (orders that entered fulfilment and did not
 * complete), orders by state, and durations per eTOM L3 step.
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

export interface LeadToCashKpis {
  since: string | null;
  ordersByState: Record<string, number>;
  orderToActivation: OfferingKpi[];
  fallout: { ended: number; fallenOut: number; rate: number };
  etomSteps: EtomDuration[];
}

/** Orders that entered fulfilment and ended: completed, or fallen out (failed, partial). */
const ENDED = ['completed', 'failed', 'partial'];

export async function leadToCashKpis(q: Queryable, engine: WorkflowEngine, since?: Date): Promise<LeadToCashKpis> {
  const from = since ?? new Date(0);
  const byState = await q.query<{ state: string; n: number }>(
    `SELECT doc->>'state' AS state, count(*)::int AS n FROM product_order WHERE (doc->>'orderDate')::timestamptz >= $1 GROUP BY 1 ORDER BY 1`, [from],
  );
  const ordersByState = Object.fromEntries(byState.rows.map((r) => [r.state, r.n]));
  const activation = await q.query<{ id: string; name: string | null; n: number; p50: number; p90: number }>(
    `SELECT i->'productOffering'->>'id' AS id, max(i->'productOffering'->>'name') AS name, count(*)::int AS n,
            percentile_cont(0.5) WITHIN GROUP (ORDER BY ms) AS p50, percentile_cont(0.9) WITHIN GROUP (ORDER BY ms) AS p90
     FROM (SELECT i, extract(epoch FROM ((o.doc->>'completionDate')::timestamptz - (o.doc->>'orderDate')::timestamptz)) * 1000 AS ms
           FROM product_order o, jsonb_array_elements(o.doc->'productOrderItem') i
           WHERE o.doc->>'state' = 'completed' AND i->>'action' = 'add' AND (o.doc->>'orderDate')::timestamptz >= $1) x
     GROUP BY 1 ORDER BY 1`,
    [from],
  );
  const ended = ENDED.reduce((n, s) => n + (ordersByState[s] ?? 0), 0);
  const fallenOut = (ordersByState['failed'] ?? 0) + (ordersByState['partial'] ?? 0);
  return {
    since: since?.toISOString() ?? null,
    ordersByState,
    orderToActivation: activation.rows.map((r) => ({
      productOfferingId: r.id, productOfferingName: r.name, orders: r.n, p50Ms: Math.round(Number(r.p50)), p90Ms: Math.round(Number(r.p90)),
    })),
    fallout: { ended, fallenOut, rate: ended === 0 ? 0 : fallenOut / ended },
    etomSteps: await engine.etomDurations({ runType: RUN_TYPE, ...(since ? { since } : {}) }),
  };
}

const Step = Type.Object({
  etomTask: Type.String(), count: Type.Integer(), failed: Type.Integer(), p50Ms: Type.Number(), p90Ms: Type.Number(),
  meanMs: Type.Number(), maxMs: Type.Number(), jeopardies: Type.Integer(),
});

const Kpis = Type.Object({
  since: Type.Union([Type.String(), Type.Null()]),
  ordersByState: Type.Record(Type.String(), Type.Integer()),
  orderToActivation: Type.Array(Type.Object({
    productOfferingId: Type.String(), productOfferingName: Type.Union([Type.String(), Type.Null()]), orders: Type.Integer(), p50Ms: Type.Number(), p90Ms: Type.Number(),
  })),
  fallout: Type.Object({ ended: Type.Integer(), fallenOut: Type.Integer(), rate: Type.Number() }),
  etomSteps: Type.Array(Step),
});

/** `GET /ops/kpi/lead-to-cash[?since=<date-time>]`, for operators (area ops.kpi). */
export function kpiRoutes(app: FastifyInstance, db: Queryable, engine: () => WorkflowEngine): void {
  app.get('/ops/kpi/lead-to-cash', {
    config: { access: { area: 'ops.kpi', action: 'read' } },
    schema: {
      tags: ['Operations: KPIs'],
      summary: 'Lead-to-Cash KPIs: order-to-activation p50/p90 per offering, fallout rate, orders by state, duration per eTOM L3 step',
      querystring: Type.Object({ since: Type.Optional(Type.String({ description: 'Only orders placed (and tasks started) from this date-time' })) }),
      response: { 200: Kpis, 400: ErrorBody },
    },
  }, async (req) => {
    const { since } = req.query as { since?: string };
    let from: Date | undefined;
    if (since !== undefined) {
      from = new Date(since);
      if (Number.isNaN(from.getTime())) throw badRequest(`since must be a date-time, e.g. 2026-01-01T00:00:00Z, not '${since}'`, 'since');
    }
    return leadToCashKpis(db, engine(), from);
  });
}
