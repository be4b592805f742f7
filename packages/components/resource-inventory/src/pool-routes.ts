import { Type, type TSchema } from 'typebox';
import { OperonError, badRequest, type RequestContext } from '@operon/kernel';
import { ErrorBody, JSON_PATCH, MERGE_PATCH, etagOf, project, type AccessAction, type Doc } from '@operon/tmf';
import type { ResourcePools } from './pools.ts';
import { API_NAME, BASE_PATH } from './resources.ts';
import { AccessArea, PoolCapacity, PoolKindType, RelatedParty, ResourcePool } from './schemas.ts';
import type { App } from './subtypes.ts';
import { POOL_KINDS, UNITS, type PoolKind } from './values.ts';

/**
 * Resource pools over HTTP, under the TMF639 base path (an Operon extension
 * modelled on TMF685 Resource Pool Management): create, list, retrieve, patch
 * and delete pools, with their capacity figures; reserve and release values
 * for external systems (`POST …/resourcePool/reserve`, `…/release`, permission
 * action `operate`); capacity by kind and area (`GET …/resourcePool/capacity`).
 */

type Headers = { headers: Record<string, string | string[] | undefined> };
const documentOnly = () => () => true;
const errors = (...codes: number[]) => Object.fromEntries(codes.map((c) => [c, ErrorBody]));
const IdParams = Type.Object({ id: Type.String({ description: 'Identifier of the resource pool' }) });
const isObject = (v: unknown): v is Doc => typeof v === 'object' && v !== null && !Array.isArray(v);
const opt = Type.Optional;

function mediaType(req: Headers): string {
  return String(req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
}

function ifMatchOf(req: Headers): { ifMatch?: string } {
  const h = req.headers['if-match'];
  return typeof h === 'string' ? { ifMatch: h } : {};
}

function requireJson(req: Headers): void {
  if (mediaType(req) !== 'application/json') throw new OperonError('unsupportedMediaType', `POST takes application/json, not '${mediaType(req)}'`);
}

const poolOut = (() => {
  const props: Record<string, TSchema> = { id: Type.String({ description: 'Unique identifier, set by the server' }), href: Type.String({ description: 'Hyperlink reference, set by the server' }) };
  for (const [k, v] of Object.entries(ResourcePool.properties)) props[k] = opt(v as TSchema);
  props['capacity'] = opt(PoolCapacity);
  return Type.Object(props, { description: 'ResourcePool' });
})();

const ReserveInput = Type.Object(
  {
    resourcePool: opt(Type.Object({ id: Type.String({ description: 'Identifier of the pool' }) }, { additionalProperties: true })),
    kind: opt(PoolKindType),
    accessArea: opt(AccessArea),
    resourceSpecification: opt(Type.Object({ id: Type.String({ description: 'Identifier of the resource specification' }) }, { additionalProperties: true })),
    count: opt(Type.Integer({ minimum: 1, maximum: 1000, description: 'How many values (default 1)' })),
    reservationKey: opt(Type.String({ description: 'Idempotency key: the same key gives the same values back' })),
    relatedParty: opt(Type.Array(RelatedParty)),
  },
  { description: 'What to reserve: from one pool (resourcePool.id), or from the pools of a kind and/or specification serving an access area' },
);
const ReleaseInput = Type.Object(
  {
    reservationKey: opt(Type.String({ description: 'The allocation to release' })),
    resource: opt(Type.Object({ id: Type.String({ description: 'One resource to release' }) }, { additionalProperties: true })),
  },
  { description: 'What to release: every value of an allocation, or one resource' },
);
const Reservation = Type.Object(
  {
    reservationKey: opt(Type.String({ description: 'The allocation (absent when the resource released was not allocated)' })),
    resource: Type.Array(Type.Object({}, { additionalProperties: true, description: 'A TMF639 resource' })),
  },
  { description: 'The resources reserved (or released) under the key' },
);
const CapacityOut = Type.Object(
  {
    total: Type.Integer(), used: Type.Integer(), free: Type.Integer(), outOfService: Type.Integer(),
    pools: Type.Array(Type.Object({ id: Type.String(), name: Type.String(), kind: PoolKindType, accessArea: opt(Type.String()), total: Type.Integer(), used: Type.Integer(), free: Type.Integer(), outOfService: Type.Integer(), units: Type.String() })),
  },
  { description: 'Capacity of the matching pools, together and one by one' },
);

const only = (body: Doc, allowed: readonly string[]) => {
  const k = Object.keys(body).find((x) => !allowed.includes(x));
  if (k) throw badRequest(`'${k}' is not an attribute of this request; it takes ${allowed.join(', ')}`, k);
};

export function poolRoutes(app: App, pools: () => ResourcePools): void {
  const tags = ['TMF639 Resource Inventory Management: resource pools (Operon extension, after TMF685)'];
  const access = (action: AccessAction) => ({ access: { area: API_NAME, action } });
  const collection = `${BASE_PATH}/resourcePool`;

  const withCapacity = async (ctx: RequestContext, docs: Doc[]): Promise<Doc[]> => {
    const p = pools();
    const figures = await p.capacityOf(docs.map((d) => String(d['id'])));
    return docs.map((d) => {
      const f = figures.get(String(d['id'])) ?? { total: 0, used: 0, free: 0, outOfService: 0 };
      return { ...p.pools.present(ctx, d), capacity: { total: f.total, used: f.used, free: f.free, units: UNITS[d['kind'] as PoolKind] } };
    });
  };
  const served = (ctx: RequestContext, v: { doc: Doc }) => withCapacity(ctx, [v.doc]).then((d) => d[0]!);
  const resources = (ctx: RequestContext, docs: Doc[]) => docs.map((d) => pools().resources.present(ctx, d));

  app.route({
    method: 'POST', url: collection, config: access('create'), validatorCompiler: documentOnly,
    schema: { tags, operationId: 'createResourcePool', summary: 'Create a resource pool: its values are written at once; a value another pool holds is refused (409)', body: ResourcePool, response: { 201: poolOut, ...errors(400, 401, 403, 409, 415, 422, 500) } },
    handler: async (req, reply) => {
      requireJson(req);
      const r = await pools().createPool(req.body, req.ctx);
      const body = await served(req.ctx, r);
      return reply.code(201).header('Location', String(body['href'])).header('ETag', etagOf(r.version)).send(body);
    },
  });

  app.route({
    method: 'GET', url: collection, config: access('read'), validatorCompiler: documentOnly,
    schema: { tags, operationId: 'listResourcePool', summary: 'List resource pools with their capacity (filters, fields, sort, paging as for /resource)', response: { 200: Type.Array(poolOut), 206: Type.Array(poolOut), ...errors(400, 401, 403, 500) } },
    handler: async (req, reply) => {
      const svc = pools().pools;
      const query = svc.parseQuery(req.query as Record<string, unknown>);
      // the figures are computed for the page, not stored: they cannot select or order it
      for (const k of [...query.filters.map((f) => f.path), ...query.sort.map((x) => x.path)]) {
        if (k[0] === 'capacity') throw badRequest('capacity is computed when served: filter on /resourcePool/capacity instead', 'capacity');
      }
      const page = await svc.list(query);
      const items = (await withCapacity(req.ctx, page.items)).map((d) => project(d, query.fields));
      const partial = query.offset > 0 || items.length < page.total;
      return reply.code(partial ? 206 : 200).header('X-Total-Count', String(page.total)).header('X-Result-Count', String(items.length)).send(items);
    },
  });

  app.route({
    method: 'GET', url: `${collection}/capacity`, config: access('read'), validatorCompiler: documentOnly,
    schema: {
      tags, operationId: 'resourcePoolCapacity', summary: 'Free and used values of the pools of a kind and/or specification serving an access area (or of one pool)',
      querystring: Type.Object({ kind: opt(PoolKindType), accessArea: opt(Type.String()), 'resourceSpecification.id': opt(Type.String()), 'resourcePool.id': opt(Type.String()) }),
      response: { 200: CapacityOut, ...errors(400, 401, 403, 404, 500) },
    },
    handler: async (req) => {
      const q = req.query as Record<string, unknown>;
      const one = (k: string): string | undefined => {
        const v = q[k];
        if (v === undefined) return undefined;
        if (typeof v !== 'string' || v === '') throw badRequest(`query parameter '${k}' must be given once, with a value`, k);
        return v;
      };
      only(q, ['kind', 'accessArea', 'resourceSpecification.id', 'resourcePool.id']);
      const kind = one('kind');
      if (kind !== undefined && !(POOL_KINDS as readonly string[]).includes(kind)) throw badRequest(`'${kind}' is not a pool kind; kinds: ${POOL_KINDS.join(', ')}`, 'kind');
      const poolId = one('resourcePool.id');
      const area = one('accessArea');
      const spec = one('resourceSpecification.id');
      return pools().capacity({ ...(poolId ? { poolId } : {}), ...(kind ? { kind: kind as PoolKind } : {}), ...(area ? { area } : {}), ...(spec ? { resourceSpecificationId: spec } : {}) });
    },
  });

  app.route({
    method: 'GET', url: `${collection}/:id`, config: access('read'), validatorCompiler: documentOnly,
    schema: { tags, operationId: 'retrieveResourcePool', summary: 'Retrieve a resource pool with its capacity', params: IdParams, response: { 200: poolOut, ...errors(400, 401, 403, 404, 500) } },
    handler: async (req, reply) => {
      const { id } = req.params as { id: string };
      const svc = pools().pools;
      const r = await svc.retrieve(id);
      const fields = (req.query as Record<string, unknown>)['fields'];
      const projection = typeof fields === 'string' && fields.trim() ? svc.parseQuery({ fields }).fields : undefined;
      return reply.header('ETag', etagOf(r.version)).send(project(await served(req.ctx, r), projection));
    },
  });

  app.route({
    method: 'PATCH', url: `${collection}/:id`, config: access('update'), validatorCompiler: documentOnly,
    schema: {
      tags, operationId: 'patchResourcePool', summary: 'Change a pool\'s name, description, place, specification or relationships (what it holds is fixed); merge patch or JSON Patch; honours If-Match',
      params: IdParams, body: Type.Partial(ResourcePool), response: { 200: poolOut, ...errors(400, 401, 403, 404, 409, 412, 415, 422, 500) },
    },
    handler: async (req, reply) => {
      const { id } = req.params as { id: string };
      const mt = mediaType(req);
      const kind = mt === MERGE_PATCH || mt === 'application/json' ? 'merge' : mt === JSON_PATCH ? 'json' : undefined;
      if (!kind) throw new OperonError('unsupportedMediaType', `PATCH takes ${MERGE_PATCH}, application/json or ${JSON_PATCH}, not '${mt}'`);
      const r = await pools().pools.patch(id, { kind, body: req.body }, req.ctx, ifMatchOf(req));
      return reply.header('ETag', etagOf(r.version)).send(await served(req.ctx, r));
    },
  });

  app.route({
    method: 'DELETE', url: `${collection}/:id`, config: access('delete'), validatorCompiler: documentOnly,
    schema: { tags, operationId: 'deleteResourcePool', summary: 'Delete a pool with its values and the resources they became; refused (409) while a value is allocated', params: IdParams, response: { 204: Type.Null({ description: 'Deleted' }), ...errors(400, 401, 403, 404, 409, 412, 500) } },
    handler: async (req, reply) => {
      const { id } = req.params as { id: string };
      await pools().deletePool(id, req.ctx, ifMatchOf(req));
      return reply.code(204).send();
    },
  });

  app.route({
    method: 'POST', url: `${collection}/reserve`, config: access('operate'), validatorCompiler: documentOnly,
    schema: {
      tags, operationId: 'reserveFromResourcePool',
      summary: 'Reserve values atomically: each becomes a resource in status reserved; 201 when reserved now, 200 when the reservationKey had already reserved them, 409 (noCapacity) when too few are free',
      body: ReserveInput, response: { 200: Reservation, 201: Reservation, ...errors(400, 401, 403, 404, 409, 415, 500) },
    },
    handler: async (req, reply) => {
      requireJson(req);
      const body = req.body;
      if (!isObject(body)) throw badRequest('the body must be a JSON object');
      only(body, Object.keys(ReserveInput.properties));
      const str = (v: unknown, field: string): string | undefined => {
        if (v === undefined) return undefined;
        if (typeof v !== 'string' || v === '') throw badRequest(`${field} must be a non-empty string`, field);
        return v;
      };
      const ref = (v: unknown, field: string): string | undefined => {
        if (v === undefined) return undefined;
        if (!isObject(v)) throw badRequest(`${field} must be an object with an id`, field);
        return str(v['id'], `${field}.id`) ?? (() => { throw badRequest(`${field}.id is required`, `${field}.id`); })();
      };
      const count = body['count'];
      if (count !== undefined && (typeof count !== 'number' || !Number.isInteger(count))) throw badRequest('count must be an integer', 'count');
      const kind = str(body['kind'], 'kind');
      const parties = body['relatedParty'];
      if (parties !== undefined && !(Array.isArray(parties) && parties.every(isObject))) throw badRequest('relatedParty must be an array of parties', 'relatedParty');
      const poolId = ref(body['resourcePool'], 'resourcePool');
      const spec = ref(body['resourceSpecification'], 'resourceSpecification');
      const area = str(body['accessArea'], 'accessArea');
      const key = str(body['reservationKey'], 'reservationKey');
      const a = await pools().allocate({
        ...(poolId ? { poolId } : {}), ...(kind ? { kind: kind as PoolKind } : {}), ...(area ? { area } : {}), ...(spec ? { resourceSpecificationId: spec } : {}),
        ...(typeof count === 'number' ? { count } : {}), ...(key ? { reservationKey: key } : {}), ...(parties ? { relatedParty: parties as Doc[] } : {}),
      }, req.ctx);
      return reply.code(a.created ? 201 : 200).send({ reservationKey: a.reservationKey, resource: resources(req.ctx, a.items.map((i) => i.resource)) });
    },
  });

  app.route({
    method: 'POST', url: `${collection}/release`, config: access('operate'), validatorCompiler: documentOnly,
    schema: {
      tags, operationId: 'releaseToResourcePool',
      summary: 'Release an allocation (reservationKey) or one resource (resource.id): the values go back to their pool, the resources to available; releasing again changes nothing',
      body: ReleaseInput, response: { 200: Reservation, ...errors(400, 401, 403, 404, 415, 422, 500) },
    },
    handler: async (req) => {
      requireJson(req);
      const body = req.body;
      if (!isObject(body)) throw badRequest('the body must be a JSON object');
      only(body, ['reservationKey', 'resource']);
      const key = body['reservationKey'];
      const resource = body['resource'];
      if ((key === undefined) === (resource === undefined)) throw badRequest('give a reservationKey or a resource, one of the two', 'reservationKey');
      if (key !== undefined && (typeof key !== 'string' || key === '')) throw badRequest('reservationKey must be a non-empty string', 'reservationKey');
      if (resource !== undefined && !(isObject(resource) && typeof resource['id'] === 'string')) throw badRequest('resource must be an object with an id', 'resource.id');
      const r = await pools().release(typeof key === 'string' ? { reservationKey: key } : { resourceId: String((resource as Doc)['id']) }, req.ctx);
      return { ...(r.reservationKey !== undefined ? { reservationKey: r.reservationKey } : {}), resource: resources(req.ctx, r.released) };
    },
  });
}
