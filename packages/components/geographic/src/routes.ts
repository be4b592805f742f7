import { Type } from 'typebox';
import { OperonError, badRequest, notFound, type RequestContext } from '@operon/kernel';
import { ErrorBody, JSON_PATCH, MERGE_PATCH, etagOf, project, type ComponentManifest, type ComponentRuntime, type Doc } from '@operon/tmf';
import { ADDRESS_BASE_PATH, geographicAddressApi } from './resources.ts';
import { GeographicAddress, GeographicSubAddress } from './schemas.ts';

type App = Parameters<NonNullable<ComponentManifest['routes']>>[0];
/** What these routes read of a request (structurally a Fastify request). */
interface Request {
  headers: Record<string, string | string[] | undefined>;
  ctx: RequestContext;
}

/**
 * Permission area of the address referential's maintenance (create, change,
 * delete addresses): an Operon extension, since TMF673 serves addresses
 * read-only, and kept apart from TMF673's own area so that whoever may
 * validate an address (sales, partners, customers) need not change the referential.
 */
export const REFERENTIAL_AREA = 'geographicAddressReferential';

const errors = (...codes: number[]) => Object.fromEntries(codes.map((c) => [c, ErrorBody]));
const documentOnly = () => () => true;
const IdParams = Type.Object({ id: Type.String({ description: 'Identifier of the geographic address' }) });

function mediaType(req: Request): string {
  return String(req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
}

function ifMatch(req: Request): { ifMatch?: string } {
  const h = req.headers['if-match'];
  return typeof h === 'string' ? { ifMatch: h } : {};
}

const isObject = (v: unknown): v is Doc => typeof v === 'object' && v !== null && !Array.isArray(v);

function nonNegative(v: unknown, name: string, fallback: number): number {
  if (v === undefined || v === '') return fallback;
  if (typeof v !== 'string' || !/^\d+$/.test(v)) throw badRequest(`query parameter '${name}' must be a non-negative integer`, name);
  return Number(v);
}

const SUB_ADDRESS_ATTRIBUTES = new Set(Object.keys(GeographicSubAddress.properties));

export function geographicRoutes(app: App, runtime: ComponentRuntime): void {
  const addresses = runtime.services.get(geographicAddressApi.name)!.get('geographicAddress')!;
  const tags = [`${geographicAddressApi.id} ${geographicAddressApi.title}`];
  const collection = `${ADDRESS_BASE_PATH}/geographicAddress`;
  const referential = (action: 'create' | 'update' | 'delete') => ({ access: { area: REFERENTIAL_AREA, action } });

  app.route({
    method: 'POST',
    url: collection,
    config: referential('create'),
    validatorCompiler: documentOnly,
    schema: {
      tags,
      operationId: 'createGeographicAddress',
      summary: 'Add an address to the referential (Operon extension: TMF673 serves addresses read-only)',
      body: GeographicAddress,
      response: { 201: GeographicAddress, ...errors(400, 401, 403, 409, 415, 422, 500) },
    },
    handler: async (req, reply) => {
      if (mediaType(req) !== 'application/json') throw new OperonError('unsupportedMediaType', `POST takes application/json, not '${mediaType(req)}'`);
      const r = await addresses.create(req.body, req.ctx);
      const body = addresses.present(req.ctx, r.doc);
      return reply.code(201).header('Location', String(body['href'])).header('ETag', etagOf(r.version)).send(body);
    },
  });

  app.route({
    method: 'PATCH',
    url: `${collection}/:id`,
    config: referential('update'),
    validatorCompiler: documentOnly,
    schema: {
      tags,
      operationId: 'patchGeographicAddress',
      summary: 'Change an address of the referential, e.g. the access area serving it (merge patch or JSON Patch; honours If-Match)',
      params: IdParams,
      body: Type.Partial(GeographicAddress),
      response: { 200: GeographicAddress, ...errors(400, 401, 403, 404, 409, 412, 415, 422, 500) },
    },
    handler: async (req, reply) => {
      const { id } = req.params as { id: string };
      const mt = mediaType(req);
      const kind = mt === MERGE_PATCH || mt === 'application/json' ? 'merge' : mt === JSON_PATCH ? 'json' : undefined;
      if (!kind) throw new OperonError('unsupportedMediaType', `PATCH takes ${MERGE_PATCH}, application/json or ${JSON_PATCH}, not '${mt}'`);
      const r = await addresses.patch(id, { kind, body: req.body }, req.ctx, ifMatch(req));
      return reply.header('ETag', etagOf(r.version)).send(addresses.present(req.ctx, r.doc));
    },
  });

  app.route({
    method: 'DELETE',
    url: `${collection}/:id`,
    config: referential('delete'),
    validatorCompiler: documentOnly,
    schema: {
      tags,
      operationId: 'deleteGeographicAddress',
      summary: 'Remove an address from the referential; refused while a geographic site is at it',
      params: IdParams,
      response: { 204: Type.Null({ description: 'Deleted' }), ...errors(400, 401, 403, 404, 409, 412, 500) },
    },
    handler: async (req, reply) => {
      const { id } = req.params as { id: string };
      await addresses.remove(id, req.ctx, ifMatch(req));
      return reply.code(204).send();
    },
  });

  /** The sub-addresses of an address, each with the href TMF673 gives it. */
  async function subAddresses(req: Request, id: string): Promise<Doc[]> {
    const doc = (await addresses.retrieveFor(req.ctx, id)).doc;
    const href = addresses.href(req.ctx, id);
    return (Array.isArray(doc['geographicSubAddress']) ? doc['geographicSubAddress'] : [])
      .filter(isObject)
      .map((s) => {
        const { id: subId, ...rest } = s;
        return { id: subId, href: `${href}/geographicSubAddress/${encodeURIComponent(String(subId))}`, ...rest };
      });
  }

  const fieldsOf = (q: Record<string, unknown>): string[][] | undefined =>
    typeof q['fields'] === 'string' && q['fields'].trim()
      ? q['fields'].split(',').map((f) => f.trim()).filter(Boolean).map((f) => f.split('.'))
      : undefined;

  app.route({
    method: 'GET',
    url: `${collection}/:id/geographicSubAddress`,
    config: { access: { area: geographicAddressApi.name, action: 'read' } },
    validatorCompiler: documentOnly,
    schema: {
      tags,
      operationId: 'listGeographicSubAddress',
      summary: 'List or find the sub-addresses of an address (filters: attribute=value on sub-address attributes)',
      params: IdParams,
      response: { 200: Type.Array(GeographicSubAddress), 206: Type.Array(GeographicSubAddress), ...errors(400, 401, 403, 404, 500) },
    },
    handler: async (req, reply) => {
      const { id } = req.params as { id: string };
      const query = req.query as Record<string, unknown>;
      const offset = nonNegative(query['offset'], 'offset', 0);
      const limit = nonNegative(query['limit'], 'limit', 1000);
      if (limit === 0) throw badRequest(`query parameter 'limit' must be at least 1`, 'limit');
      const filters = Object.entries(query).filter(([k]) => !['fields', 'offset', 'limit', 'sort'].includes(k));
      for (const [k] of filters) if (!SUB_ADDRESS_ATTRIBUTES.has(k)) throw badRequest(`'${k}' is not an attribute of GeographicSubAddress`, k);
      const all = (await subAddresses(req, id)).filter((s) =>
        filters.every(([k, v]) => String(v).split(',').some((alt) => String(s[k] ?? '') === alt.trim())),
      );
      const page = all.slice(offset, offset + limit);
      const fields = fieldsOf(query);
      return reply
        .code(offset > 0 || page.length < all.length ? 206 : 200)
        .header('X-Total-Count', String(all.length))
        .header('X-Result-Count', String(page.length))
        .send(page.map((s) => project(s, fields)));
    },
  });

  app.route({
    method: 'GET',
    url: `${collection}/:id/geographicSubAddress/:subId`,
    config: { access: { area: geographicAddressApi.name, action: 'read' } },
    validatorCompiler: documentOnly,
    schema: {
      tags,
      operationId: 'retrieveGeographicSubAddress',
      summary: 'Retrieve a sub-address of an address',
      params: Type.Object({ id: Type.String({ description: 'Identifier of the address' }), subId: Type.String({ description: 'Identifier of the sub-address' }) }),
      response: { 200: GeographicSubAddress, ...errors(400, 401, 403, 404, 500) },
    },
    handler: async (req, reply) => {
      const { id, subId } = req.params as { id: string; subId: string };
      const found = (await subAddresses(req, id)).find((s) => s['id'] === subId);
      if (!found) throw notFound('GeographicSubAddress', subId);
      return reply.send(project(found, fieldsOf(req.query as Record<string, unknown>)));
    },
  });
}
