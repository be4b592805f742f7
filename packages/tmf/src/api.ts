import type {} from '@fastify/swagger';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type, type TObject, type TSchema } from 'typebox';
import { OperonError } from '@operon/kernel';
import type { Database } from '@operon/store';
import { HubService } from './hub.ts';
import { JSON_PATCH, MERGE_PATCH, type AccessAction } from './http.ts';
import { ALL_OPERATIONS, ResourceService, etagOf, type ResourceDefinition } from './resource.ts';
import { project } from './query.ts';
import { ErrorBody, EventSubscription, EventSubscriptionInput } from './schemas.ts';

/** One TMF Open API as served by Operon. */
export interface TmfApiDefinition {
  /** TM Forum identifier, e.g. `TMF632`. */
  id: string;
  /** Short name used in events and hubs, e.g. `party`. */
  name: string;
  title: string;
  /** Version of the official specification followed, e.g. `4.0.0`. */
  version: string;
  /** e.g. `/tmf-api/party/v4` (no trailing slash). */
  basePath: string;
  resources: readonly ResourceDefinition[];
  /** Serve `/hub` (TMF630 notification registration). Default true. */
  hub?: boolean;
}

export function defineApi(def: TmfApiDefinition): TmfApiDefinition {
  if (!/^TMF\d{3}$/.test(def.id)) throw new Error(`${def.id} is not a TMF API id`);
  if (def.basePath.endsWith('/')) throw new Error(`${def.id}: basePath must not end with /`);
  const names = new Set<string>();
  for (const r of def.resources) {
    if (names.has(r.name)) throw new Error(`${def.id}: resource ${r.name} defined twice`);
    names.add(r.name);
  }
  return def;
}

/** The services of one API, by resource name. */
export type ApiServices = ReadonlyMap<string, ResourceService>;

export function createServices(api: TmfApiDefinition, db: Database): ApiServices {
  return new Map(api.resources.map((r) => [r.name, new ResourceService(r, { name: api.name, basePath: api.basePath }, db)]));
}

const errorResponses = (...codes: number[]) => Object.fromEntries(codes.map((c) => [c, ErrorBody]));
const IdParams = Type.Object({ id: Type.String({ description: 'Identifier of the resource' }) });
// validation happens in the kit (one error format, strict top-level attributes); route schemas document the API
const documentOnly = () => () => true;

function outputSchema(def: ResourceDefinition): TObject {
  const props: Record<string, TSchema> = {
    id: Type.String({ description: 'Unique identifier, set by the server' }),
    href: Type.String({ description: 'Hyperlink reference, set by the server' }),
  };
  for (const [k, v] of Object.entries(def.schema.properties)) props[k] = Type.Optional(v as TSchema);
  if (def.lastUpdate) props[def.lastUpdate] = Type.Optional(Type.String({ format: 'date-time', description: 'Date and time of the last update' }));
  return Type.Object(props, { description: def.type });
}

function ifMatchOf(req: FastifyRequest): string | undefined {
  const h = req.headers['if-match'];
  return typeof h === 'string' ? h : undefined;
}

function mediaType(req: FastifyRequest): string {
  return String(req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
}

/** Serves an API's resources and hub under its base path. */
export function mountApi(app: FastifyInstance, api: TmfApiDefinition, services: ApiServices, hub: HubService): void {
  const tags = [`${api.id} ${api.title}`];
  const access = (action: AccessAction) => ({ access: { area: api.name, action } });
  for (const def of api.resources) {
    const svc = services.get(def.name)!;
    const ops = new Set(def.operations ?? ALL_OPERATIONS);
    const collection = `${api.basePath}/${def.name}`;
    const item = `${collection}/:id`;
    const out = outputSchema(def);

    if (ops.has('list')) {
      app.route({
        method: 'GET',
        url: collection,
        config: access('read'),
        validatorCompiler: documentOnly,
        schema: {
          tags,
          operationId: `list${def.type}`,
          summary: `List or find ${def.type} objects`,
          querystring: Type.Object(
            {
              fields: Type.Optional(Type.String({ description: 'Comma-separated attributes to return' })),
              offset: Type.Optional(Type.Integer({ minimum: 0, description: 'Index of the first resource to return' })),
              limit: Type.Optional(Type.Integer({ minimum: 1, description: 'Number of resources to return' })),
              sort: Type.Optional(Type.String({ description: 'Comma-separated attributes, - for descending' })),
            },
            { additionalProperties: true, description: 'Any other attribute filters the list: a=v, a=v1,v2, a.b=v, a.gt=v, a.gte, a.lt, a.lte' },
          ),
          response: { 200: Type.Array(out), 206: Type.Array(out), ...errorResponses(400, 401, 403, 500) },
        },
        handler: async (req: FastifyRequest, reply: FastifyReply) => {
          const query = svc.parseQuery(req.query as Record<string, unknown>);
          const page = await svc.listPresented(req.ctx, query);
          const partial = query.offset > 0 || page.items.length < page.total;
          return reply
            .code(partial ? 206 : 200)
            .header('X-Total-Count', String(page.total))
            .header('X-Result-Count', String(page.items.length))
            .send(page.items);
        },
      });
    }

    if (ops.has('retrieve')) {
      app.route({
        method: 'GET',
        url: item,
        config: access('read'),
        validatorCompiler: documentOnly,
        schema: {
          tags,
          operationId: `retrieve${def.type}`,
          summary: `Retrieve a ${def.type} by id`,
          params: IdParams,
          querystring: Type.Object({ fields: Type.Optional(Type.String()) }),
          response: { 200: out, ...errorResponses(400, 401, 403, 404, 500) },
        },
        handler: async (req: FastifyRequest, reply: FastifyReply) => {
          const { id } = req.params as { id: string };
          const fieldsParam = (req.query as Record<string, unknown>)['fields'];
          const fields = typeof fieldsParam === 'string' && fieldsParam.trim() ? svc.parseQuery({ fields: fieldsParam }).fields : undefined;
          if (!fields) {
            const r = await svc.retrieveJson(req.ctx, id);
            return reply.header('ETag', etagOf(r.version)).type('application/json; charset=utf-8').send(r.json);
          }
          const r = await svc.retrieveFor(req.ctx, id);
          return reply.header('ETag', etagOf(r.version)).send(project(svc.present(req.ctx, r.doc), fields));
        },
      });
    }

    if (ops.has('create')) {
      app.route({
        method: 'POST',
        url: collection,
        config: access('create'),
        validatorCompiler: documentOnly,
        schema: {
          tags,
          operationId: `create${def.type}`,
          summary: `Create a ${def.type}`,
          body: def.schema,
          response: { 201: out, ...errorResponses(400, 401, 403, 409, 415, 422, 500) },
        },
        handler: async (req: FastifyRequest, reply: FastifyReply) => {
          if (mediaType(req) !== 'application/json') {
            throw new OperonError('unsupportedMediaType', `POST takes application/json, not '${mediaType(req)}'`);
          }
          const r = await svc.create(req.body, req.ctx);
          const body = svc.present(req.ctx, r.doc);
          return reply.code(201).header('Location', String(body['href'])).header('ETag', etagOf(r.version)).send(body);
        },
      });
    }

    if (ops.has('patch')) {
      app.route({
        method: 'PATCH',
        url: item,
        config: access('update'),
        validatorCompiler: documentOnly,
        schema: {
          tags,
          operationId: `patch${def.type}`,
          summary: `Update a ${def.type} with a merge patch (application/merge-patch+json or application/json) or a JSON Patch (application/json-patch+json); honours If-Match`,
          params: IdParams,
          body: Type.Partial(def.schema),
          response: { 200: out, ...errorResponses(400, 401, 403, 404, 409, 412, 415, 422, 500) },
        },
        handler: async (req: FastifyRequest, reply: FastifyReply) => {
          const { id } = req.params as { id: string };
          const mt = mediaType(req);
          let kind: 'merge' | 'json';
          if (mt === MERGE_PATCH || mt === 'application/json') kind = 'merge';
          else if (mt === JSON_PATCH) kind = 'json';
          else throw new OperonError('unsupportedMediaType', `PATCH takes ${MERGE_PATCH}, application/json or ${JSON_PATCH}, not '${mt}'`);
          const ifMatch = ifMatchOf(req);
          const r = await svc.patch(id, { kind, body: req.body }, req.ctx, ifMatch === undefined ? {} : { ifMatch });
          return reply.header('ETag', etagOf(r.version)).send(svc.present(req.ctx, r.doc));
        },
      });
    }

    if (ops.has('delete')) {
      app.route({
        method: 'DELETE',
        url: item,
        config: access('delete'),
        validatorCompiler: documentOnly,
        schema: {
          tags,
          operationId: `delete${def.type}`,
          summary: `Delete a ${def.type}; honours If-Match`,
          params: IdParams,
          response: { 204: Type.Null({ description: 'Deleted' }), ...errorResponses(400, 401, 403, 404, 412, 422, 500) },
        },
        handler: async (req: FastifyRequest, reply: FastifyReply) => {
          const { id } = req.params as { id: string };
          const ifMatch = ifMatchOf(req);
          await svc.remove(id, req.ctx, ifMatch === undefined ? {} : { ifMatch });
          return reply.code(204).send();
        },
      });
    }
  }

  if (api.hub === false) return;
  app.route({
    method: 'POST',
    url: `${api.basePath}/hub`,
    config: access('subscribe'),
    validatorCompiler: documentOnly,
    schema: {
      tags,
      operationId: `registerListener${api.id}`,
      summary: 'Register a listener for the events of this API',
      body: EventSubscriptionInput,
      response: { 201: EventSubscription, ...errorResponses(400, 401, 403, 415, 500) },
    },
    handler: async (req: FastifyRequest, reply: FastifyReply) => {
      if (mediaType(req) !== 'application/json') throw new OperonError('unsupportedMediaType', `POST takes application/json, not '${mediaType(req)}'`);
      const sub = await hub.subscribe(api.name, req.body);
      return reply.code(201).header('Location', `${req.ctx.baseUrl}${api.basePath}/hub/${sub.id}`).send(sub);
    },
  });
  app.route({
    method: 'GET',
    url: `${api.basePath}/hub`,
    config: access('subscribe'),
    validatorCompiler: documentOnly,
    schema: { tags, operationId: `listListeners${api.id}`, summary: 'List the listeners registered on this API', response: { 200: Type.Array(EventSubscription) } },
    handler: async () => (await hub.list(api.name)).map(({ api: _api, ...s }) => s),
  });
  app.route({
    method: 'GET',
    url: `${api.basePath}/hub/:id`,
    config: access('subscribe'),
    validatorCompiler: documentOnly,
    schema: { tags, operationId: `retrieveListener${api.id}`, summary: 'Retrieve a registered listener', params: IdParams, response: { 200: EventSubscription, ...errorResponses(404) } },
    handler: async (req: FastifyRequest) => hub.get(api.name, (req.params as { id: string }).id),
  });
  app.route({
    method: 'DELETE',
    url: `${api.basePath}/hub/:id`,
    config: access('subscribe'),
    validatorCompiler: documentOnly,
    schema: { tags, operationId: `unregisterListener${api.id}`, summary: 'Unregister a listener', params: IdParams, response: { 204: Type.Null(), ...errorResponses(404) } },
    handler: async (req: FastifyRequest, reply: FastifyReply) => {
      await hub.unsubscribe(api.name, (req.params as { id: string }).id);
      return reply.code(204).send();
    },
  });
}
