/**
 * Workflow runs for operators: the list, one run with its tasks, and cancel
 * (areas `ops.workflow` read and operate). The engine lives in the flow, so
 * its routes do too. Cancelling a run compensates it and fails its order;
 * a customer's cancellation goes through cancelProductOrder instead.
 */
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { badRequest, notFound } from '@operon/kernel';
import { ErrorBody } from '@operon/tmf';
import type { RunStatus, WorkflowEngine } from '@operon/workflow';

const STATUSES: RunStatus[] = ['running', 'succeeded', 'failed', 'cancelling', 'cancelled', 'compensating'];
const tags = ['Operations: workflow'];

function int(v: string | undefined, name: string, fallback: number): number {
  if (v === undefined) return fallback;
  if (!/^\d{1,9}$/.test(v)) throw badRequest(`${name} must be a non-negative integer below 1,000,000,000`, name);
  return Number(v);
}

function date(v: string | undefined, name: string): Date | undefined {
  if (v === undefined) return undefined;
  const t = new Date(v);
  // JavaScript parses years PostgreSQL cannot store (e.g. -271821): years 1 to 9999 are asked for
  if (Number.isNaN(t.getTime()) || t.getUTCFullYear() < 1 || t.getUTCFullYear() > 9999) throw badRequest(`${name} must be a date-time between the years 1 and 9999, not '${v}'`, name);
  return t;
}

export function runRoutes(app: FastifyInstance, engine: () => WorkflowEngine): void {
  app.get('/ops/workflow/runs', {
    config: { access: { area: 'ops.workflow', action: 'read' } },
    schema: {
      tags, summary: 'Workflow runs, newest first, with duration and task counts',
      querystring: Type.Object({
        type: Type.Optional(Type.String()), status: Type.Optional(Type.String()), subject: Type.Optional(Type.String()),
        since: Type.Optional(Type.String()), until: Type.Optional(Type.String()), offset: Type.Optional(Type.String()), limit: Type.Optional(Type.String()),
      }),
      response: { 400: ErrorBody },
    },
  }, async (req) => {
    const q = req.query as Record<string, string | undefined>;
    const status = q['status']?.split(',').map((s) => s.trim());
    const wrong = status?.find((s) => !STATUSES.includes(s as RunStatus));
    if (wrong !== undefined) throw badRequest(`status '${wrong}' is not a run status; statuses: ${STATUSES.join(', ')}`, 'status');
    const since = date(q['since'], 'since');
    const until = date(q['until'], 'until');
    return engine().listRuns({
      ...(q['type'] ? { type: q['type'] } : {}), ...(status ? { status: status as RunStatus[] } : {}), ...(q['subject'] ? { subject: q['subject'] } : {}),
      ...(since ? { since } : {}), ...(until ? { until } : {}),
      offset: int(q['offset'], 'offset', 0), limit: Math.min(1000, Math.max(1, int(q['limit'], 'limit', 100))),
    });
  });

  app.get('/ops/workflow/runs/:id', {
    config: { access: { area: 'ops.workflow', action: 'read' } },
    schema: { tags, summary: 'One run with its tasks (status, attempts, eTOM task, timings)', params: Type.Object({ id: Type.String() }), response: { 404: ErrorBody } },
  }, async (req) => {
    const { id } = req.params as { id: string };
    const run = await engine().getRun(id);
    if (!run) throw notFound('WorkflowRun', id);
    return run;
  });

  app.post('/ops/workflow/runs/:id/cancel', {
    config: { access: { area: 'ops.workflow', action: 'operate' } },
    schema: {
      tags, summary: 'Cancels a running run: what is done is undone in reverse order; answers the run',
      params: Type.Object({ id: Type.String() }),
      body: Type.Optional(Type.Object({ reason: Type.Optional(Type.String({ maxLength: 500 })) })),
      response: { 404: ErrorBody },
    },
  }, async (req) => {
    const { id } = req.params as { id: string };
    const reason = (req.body as { reason?: string } | undefined)?.reason ?? 'cancelled by an operator';
    // an unknown run is a 404; a run already ended is left as it is
    await engine().cancel(id, reason);
    return engine().getRun(id);
  });
}
