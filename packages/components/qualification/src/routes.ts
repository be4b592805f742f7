import { OperonError } from '@operon/kernel';
import { ErrorBody, etagOf, type ComponentManifest, type ComponentRuntime, type Doc } from '@operon/tmf';
import { KINDS, evaluate, serviceOf, type QualificationKind } from './evaluate.ts';
import { productOfferingQualificationApi, serviceQualificationApi } from './resources.ts';

type App = Parameters<NonNullable<ComponentManifest['routes']>>[0];

const errors = (...codes: number[]) => Object.fromEntries(codes.map((c) => [c, ErrorBody]));
const apiOf = (kind: QualificationKind) => (kind.api === productOfferingQualificationApi.name ? productOfferingQualificationApi : serviceQualificationApi);

/**
 * POST of each qualification, as TMF679 and TMF645 define it: with
 * `instantSyncQualification: true` the answer is in the response (200, the
 * qualification done); otherwise the task is created (201, acknowledged or
 * accepted) and evaluated right after, by the component's subscriber.
 */
export function qualificationRoutes(app: App, runtime: ComponentRuntime): void {
  for (const kind of KINDS) {
    const api = apiOf(kind);
    const svc = serviceOf(runtime, kind);
    app.route({
      method: 'POST',
      url: `${api.basePath}/${kind.resource}`,
      config: { access: { area: api.name, action: 'create' } },
      validatorCompiler: () => () => true,
      schema: {
        tags: [`${api.id} ${api.title}`],
        operationId: `create${kind.type}`,
        summary: `Create a ${kind.type}: answered in the response (200) with instantSyncQualification, else evaluated as a task (201)`,
        body: svc.def.schema,
        response: { 200: svc.def.schema, 201: svc.def.schema, ...errors(400, 401, 403, 409, 415, 422, 500) },
      },
      handler: async (req, reply) => {
        const mt = String(req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
        if (mt !== 'application/json') throw new OperonError('unsupportedMediaType', `POST takes application/json, not '${mt}'`);
        const instant = typeof req.body === 'object' && req.body !== null && (req.body as Doc)['instantSyncQualification'] === true;
        // an instant qualification is created and answered in one transaction: it is never seen unanswered
        const r = await runtime.db.tx(async (tx) => {
          const created = await svc.create(req.body, req.ctx, tx);
          if (!instant) return created;
          await evaluate(runtime, kind, String(created.doc['id']), req.ctx, tx);
          return svc.retrieve(String(created.doc['id']), tx);
        });
        const body = svc.present(req.ctx, r.doc);
        return reply.code(instant ? 200 : 201).header('Location', String(body['href'])).header('ETag', etagOf(r.version)).send(body);
      },
    });
  }
}
