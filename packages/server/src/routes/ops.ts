import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { badRequest } from '@operon/kernel';
import type { EventRelay } from '@operon/store';
import { ErrorBody, type HubService } from '@operon/tmf';

const DeadLetter = Type.Object({
  id: Type.String(), consumerId: Type.String(), position: Type.Integer(), eventId: Type.String(), eventType: Type.String(),
  api: Type.String(), resourceType: Type.String(), resourceId: Type.String(), payload: Type.Unknown(),
  attempts: Type.Integer(), lastError: Type.Union([Type.String(), Type.Null()]), status: Type.String(),
  failedAt: Type.String(), replayedAt: Type.Union([Type.String(), Type.Null()]),
});

const tags = ['Operations: events'];

/** Event delivery operations: consumers with their lag, the dead-letter list and replay. */
export function opsRoutes(app: FastifyInstance, relay: EventRelay, hub: HubService): void {
  const read = { access: { area: 'ops.events', action: 'read' as const } };
  app.get('/ops/events/consumers', {
    config: read,
    schema: { tags, summary: 'Event consumers (hub listeners and in-process subscribers) with position, lag and retry state' },
  }, async () => relay.consumerStatus());

  app.get('/ops/events/subscriptions', {
    config: read,
    schema: { tags, summary: 'Hub subscriptions of every API' },
  }, async () => hub.list());

  app.get('/ops/events/deadLetters', {
    config: read,
    schema: {
      tags,
      summary: 'Deliveries that exhausted their retries',
      querystring: Type.Object({
        consumerId: Type.Optional(Type.String()),
        status: Type.Optional(Type.Union([Type.Literal('dead'), Type.Literal('replayed')])),
        offset: Type.Optional(Type.String()),
        limit: Type.Optional(Type.String()),
      }),
      response: { 200: Type.Array(DeadLetter), 400: ErrorBody },
    },
  }, async (req, reply) => {
    const q = req.query as { consumerId?: string; status?: 'dead' | 'replayed'; offset?: string; limit?: string };
    const int = (v: string | undefined, name: string, d: number) => {
      if (v === undefined) return d;
      if (!/^\d{1,9}$/.test(v)) throw badRequest(`${name} must be a non-negative integer below 1,000,000,000`, name);
      return Number(v);
    };
    const r = await relay.listDeadLetters({
      ...(q.consumerId ? { consumerId: q.consumerId } : {}),
      ...(q.status ? { status: q.status } : {}),
      offset: int(q.offset, 'offset', 0),
      limit: Math.min(1000, Math.max(1, int(q.limit, 'limit', 100))),
    });
    return reply.header('X-Total-Count', String(r.total)).header('X-Result-Count', String(r.items.length)).send(r.items);
  });

  app.get('/ops/events/deadLetters/:id', {
    config: read,
    schema: { tags, summary: 'One dead letter', params: Type.Object({ id: Type.String() }), response: { 200: DeadLetter, 404: ErrorBody } },
  }, async (req) => relay.getDeadLetter((req.params as { id: string }).id));

  app.post('/ops/events/deadLetters/:id/replay', {
    config: { access: { area: 'ops.events', action: 'operate' } },
    schema: {
      tags,
      summary: 'Deliver a dead letter again now; answers whether it was delivered, with the error when the listener still fails (the letter stays dead)',
      params: Type.Object({ id: Type.String() }),
    },
  }, async (req, reply) => {
    const r = await relay.replayDeadLetter((req.params as { id: string }).id);
    // the replay was done either way: a listener that still fails is its outcome (the letter stays dead), not this server failing
    return reply.code(200).send({ delivered: r.delivered, ...(r.error ? { error: r.error } : {}), deadLetter: r.deadLetter });
  });
}
