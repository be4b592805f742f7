import { Type } from 'typebox';
import { OperonError, type RequestContext } from '@operon/kernel';
import { ErrorBody, JSON_PATCH, MERGE_PATCH, etagOf, type ComponentManifest } from '@operon/tmf';
import type { Quoting } from './quoting.ts';
import { API_NAME, BASE_PATH, quoteManagementApi } from './resources.ts';
import { Quote } from './schemas.ts';

type App = Parameters<NonNullable<ComponentManifest['routes']>>[0];
/** What these routes read of a request (structurally a Fastify request). */
interface Request {
  headers: Record<string, string | string[] | undefined>;
  ctx: RequestContext;
}

const errors = (...codes: number[]) => Object.fromEntries(codes.map((c) => [c, ErrorBody]));
// validation happens in the kit (one error format); the route schemas document the API
const documentOnly = () => () => true;
const mediaType = (req: Request) => String(req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();

/**
 * POST and PATCH of quotes, as TMF648 defines them, priced by the quotePricer:
 * an instantSyncQuote answered at once is 200, any other creation 201.
 */
export function quoteRoutes(app: App, quoting: Quoting): void {
  const tags = [`${quoteManagementApi.id} ${quoteManagementApi.title}`];
  const collection = `${BASE_PATH}/quote`;
  const out = Type.Object({ id: Type.String(), href: Type.String(), ...Type.Partial(Quote).properties }, { description: 'Quote' });

  app.route({
    method: 'POST',
    url: collection,
    config: { access: { area: API_NAME, action: 'create' } },
    validatorCompiler: documentOnly,
    schema: {
      tags,
      operationId: 'createQuote',
      summary: 'Ask for a quote: priced from the catalog; with instantSyncQuote answered (approved) in the response (200) when it can be priced in full, else created inProgress (201)',
      body: Quote,
      response: { 200: out, 201: out, ...errors(400, 401, 403, 409, 415, 422, 500) },
    },
    handler: async (req, reply) => {
      if (mediaType(req) !== 'application/json') throw new OperonError('unsupportedMediaType', `POST takes application/json, not '${mediaType(req)}'`);
      const r = await quoting.create(req.body, req.ctx);
      const body = quoting.quotes.present(req.ctx, r.quote.doc);
      return reply.code(r.answered ? 200 : 201).header('Location', String(body['href'])).header('ETag', etagOf(r.quote.version)).send(body);
    },
  });

  app.route({
    method: 'PATCH',
    url: `${collection}/:id`,
    config: { access: { area: API_NAME, action: 'update' } },
    validatorCompiler: documentOnly,
    schema: {
      tags,
      operationId: 'patchQuote',
      summary: 'Change a quote (merge patch or JSON Patch; honours If-Match): its items while it is prepared (priced again), its state along the state machine',
      params: Type.Object({ id: Type.String({ description: 'Identifier of the quote' }) }),
      body: Type.Partial(Quote),
      response: { 200: out, ...errors(400, 401, 403, 404, 409, 412, 415, 422, 500) },
    },
    handler: async (req, reply) => {
      const { id } = req.params as { id: string };
      const mt = mediaType(req);
      const kind = mt === MERGE_PATCH || mt === 'application/json' ? 'merge' : mt === JSON_PATCH ? 'json' : undefined;
      if (!kind) throw new OperonError('unsupportedMediaType', `PATCH takes ${MERGE_PATCH}, application/json or ${JSON_PATCH}, not '${mt}'`);
      const h = req.headers['if-match'];
      const r = await quoting.patch(id, { kind, body: req.body }, req.ctx, typeof h === 'string' ? { ifMatch: h } : {});
      return reply.header('ETag', etagOf(r.version)).send(quoting.quotes.present(req.ctx, r.doc));
    },
  });
}
