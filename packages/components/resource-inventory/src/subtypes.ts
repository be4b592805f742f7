import { Type, type TObject, type TSchema } from 'typebox';
import { OperonError, badRequest, notFound, type RequestContext } from '@operon/kernel';
import { ErrorBody, JSON_PATCH, MERGE_PATCH, etagOf, project, type AccessAction, type ComponentManifest, type Doc, type ResourceService } from '@operon/tmf';
import { API_NAME, BASE_PATH, LOGICAL, PHYSICAL, isOfType } from './resources.ts';
import { LOGICAL_ONLY, LogicalResource, PHYSICAL_ONLY, PhysicalResource } from './schemas.ts';

/**
 * `/physicalResource` and `/logicalResource`: views of the one resource
 * collection, as TMF639 defines them. A resource is one document whatever the
 * path it was written through (`/resource/{id}` serves every resource), so
 * these routes narrow the collection to a subclass (by `@type` or `@baseType`)
 * and write through the same service, with the same lifecycle, rules, events
 * (Resource…Event) and audit.
 */

interface Subtype {
  /** Path segment, e.g. `physicalResource`. */
  name: string;
  type: typeof PHYSICAL | typeof LOGICAL;
  schema: TObject;
  /** Top-level attributes of the other subclass, refused here as unknown. */
  foreign: readonly string[];
  /** TMF639 serves PUT on logicalResource only. */
  put: boolean;
}

const SUBTYPES: readonly Subtype[] = [
  { name: 'physicalResource', type: PHYSICAL, schema: PhysicalResource, foreign: LOGICAL_ONLY, put: false },
  { name: 'logicalResource', type: LOGICAL, schema: LogicalResource, foreign: PHYSICAL_ONLY, put: true },
];

const documentOnly = () => () => true;
const IdParams = Type.Object({ id: Type.String({ description: 'Identifier of the resource' }) });
const errors = (...codes: number[]) => Object.fromEntries(codes.map((c) => [c, ErrorBody]));
const isObject = (v: unknown): v is Doc => typeof v === 'object' && v !== null && !Array.isArray(v);

function outputSchema(t: Subtype): TObject {
  const props: Record<string, TSchema> = { id: Type.String({ description: 'Unique identifier, set by the server' }), href: Type.String({ description: 'Hyperlink reference, set by the server' }) };
  for (const [k, v] of Object.entries(t.schema.properties)) props[k] = Type.Optional(v as TSchema);
  return Type.Object(props, { description: t.type });
}

/** The HTTP application components are given (typed from the manifest, so that components need no web framework of their own). */
export type App = Parameters<NonNullable<ComponentManifest['routes']>>[0];
type Headers = { headers: Record<string, string | string[] | undefined> };

function mediaType(req: Headers): string {
  return String(req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
}

function ifMatchOf(req: Headers): { ifMatch?: string } {
  const h = req.headers['if-match'];
  return typeof h === 'string' ? { ifMatch: h } : {};
}

export function subtypeRoutes(app: App, svc: ResourceService): void {
  const tags = ['TMF639 Resource Inventory Management'];
  const access = (action: AccessAction) => ({ access: { area: API_NAME, action } });

  for (const t of SUBTYPES) {
    const collection = `${BASE_PATH}/${t.name}`;
    const out = outputSchema(t);
    const href = (ctx: RequestContext, id: string) => `${ctx.baseUrl}${collection}/${encodeURIComponent(id)}`;
    const present = (ctx: RequestContext, doc: Doc): Doc => {
      const { id, ...rest } = doc;
      return { id, href: href(ctx, String(id)), ...rest };
    };
    /** The resource as the caller may see it, if it is of this subclass; anything else is not found here. */
    const member = async (ctx: RequestContext, id: string) => {
      const r = await svc.retrieveFor(ctx, id);
      if (!isOfType(r.doc, t.type)) throw notFound(t.type, id);
      return r;
    };
    const refuseForeign = (body: Doc) => {
      const k = t.foreign.find((f) => f in body);
      if (k) throw badRequest(`'${k}' is not an attribute of ${t.type}`, k);
    };

    app.route({
      method: 'GET', url: collection, config: access('read'), validatorCompiler: documentOnly,
      schema: { tags, operationId: `list${t.type}`, summary: `List or find ${t.type} objects (filters, fields, sort, paging as for /resource)`, response: { 200: Type.Array(out), 206: Type.Array(out), ...errors(400, 401, 403, 500) } },
      handler: async (req, reply) => {
        const query = svc.parseQuery(req.query as Record<string, unknown>);
        const party = req.ctx.principal?.partyId;
        const page = await svc.list({
          ...query,
          // the subclass and its own subclasses
          scope: { paths: [['@type'], ['@baseType']], values: [t.type] },
          filters: party ? [...query.filters, { path: ['relatedParty', 'id'], op: 'eq', values: [party] }] : query.filters,
        });
        const items = page.items.map((d) => project(present(req.ctx, d), query.fields));
        const partial = query.offset > 0 || items.length < page.total;
        return reply.code(partial ? 206 : 200).header('X-Total-Count', String(page.total)).header('X-Result-Count', String(items.length)).send(items);
      },
    });

    app.route({
      method: 'GET', url: `${collection}/:id`, config: access('read'), validatorCompiler: documentOnly,
      schema: { tags, operationId: `retrieve${t.type}`, summary: `Retrieve a ${t.type} by id`, params: IdParams, response: { 200: out, ...errors(400, 401, 403, 404, 500) } },
      handler: async (req, reply) => {
        const { id } = req.params as { id: string };
        const r = await member(req.ctx, id);
        const fields = (req.query as Record<string, unknown>)['fields'];
        const projection = typeof fields === 'string' && fields.trim() ? svc.parseQuery({ fields }).fields : undefined;
        return reply.header('ETag', etagOf(r.version)).send(project(present(req.ctx, r.doc), projection));
      },
    });

    app.route({
      method: 'POST', url: collection, config: access('create'), validatorCompiler: documentOnly,
      schema: { tags, operationId: `create${t.type}`, summary: `Create a ${t.type}`, body: t.schema, response: { 201: out, ...errors(400, 401, 403, 409, 415, 422, 500) } },
      handler: async (req, reply) => {
        if (mediaType(req) !== 'application/json') throw new OperonError('unsupportedMediaType', `POST takes application/json, not '${mediaType(req)}'`);
        if (!isObject(req.body)) throw badRequest(`the body of a ${t.type} must be a JSON object`);
        refuseForeign(req.body);
        const input: Doc = { ...req.body };
        if (input['@type'] === undefined) input['@type'] = t.type;
        else if (input['@type'] !== t.type) input['@baseType'] ??= t.type;
        if (!isOfType(input, t.type)) throw badRequest(`a ${t.type} has @type or @baseType ${t.type}`, '@baseType');
        // LogicalResource_Create does not require a name; the collection of all resources does: a number or an address is named by its value
        if (input['name'] === undefined && typeof input['value'] === 'string') input['name'] = input['value'];
        if (input['name'] === undefined) throw badRequest(`a ${t.type} needs a name or a value`, 'name');
        const r = await svc.create(input, req.ctx);
        const body = present(req.ctx, r.doc);
        return reply.code(201).header('Location', String(body['href'])).header('ETag', etagOf(r.version)).send(body);
      },
    });

    app.route({
      method: 'PATCH', url: `${collection}/:id`, config: access('update'), validatorCompiler: documentOnly,
      schema: {
        tags, operationId: `patch${t.type}`, summary: `Update a ${t.type} with a merge patch or a JSON Patch; honours If-Match`,
        params: IdParams, body: Type.Partial(t.schema), response: { 200: out, ...errors(400, 401, 403, 404, 409, 412, 415, 422, 500) },
      },
      handler: async (req, reply) => {
        const { id } = req.params as { id: string };
        const mt = mediaType(req);
        const kind = mt === MERGE_PATCH || mt === 'application/json' ? 'merge' : mt === JSON_PATCH ? 'json' : undefined;
        if (!kind) throw new OperonError('unsupportedMediaType', `PATCH takes ${MERGE_PATCH}, application/json or ${JSON_PATCH}, not '${mt}'`);
        if (kind === 'merge' && isObject(req.body)) refuseForeign(req.body);
        await member(req.ctx, id);
        const r = await svc.patch(id, { kind, body: req.body }, req.ctx, ifMatchOf(req));
        return reply.header('ETag', etagOf(r.version)).send(present(req.ctx, r.doc));
      },
    });

    if (t.put) {
      app.route({
        method: 'PUT', url: `${collection}/:id`, config: access('update'), validatorCompiler: documentOnly,
        schema: {
          tags, operationId: `update${t.type}`, summary: `Replace a ${t.type}: attributes left out are removed, except its class and its status; honours If-Match`,
          params: IdParams, body: t.schema, response: { 200: out, ...errors(400, 401, 403, 404, 409, 412, 415, 422, 500) },
        },
        handler: async (req, reply) => {
          const { id } = req.params as { id: string };
          if (mediaType(req) !== 'application/json') throw new OperonError('unsupportedMediaType', `PUT takes application/json, not '${mediaType(req)}'`);
          if (!isObject(req.body)) throw badRequest(`the body of a ${t.type} must be a JSON object`);
          refuseForeign(req.body);
          const current = await member(req.ctx, id);
          const next: Doc = { ...req.body };
          // the class is what the resource is, and its status moves along its lifecycle: neither is dropped by a replacement
          for (const k of ['@type', '@baseType', 'resourceStatus']) if (next[k] === undefined && current.doc[k] !== undefined) next[k] = current.doc[k];
          if (next['name'] === undefined && typeof next['value'] === 'string') next['name'] = next['value'];
          const r = await svc.patch(id, { kind: 'json', body: [{ op: 'add', path: '', value: next }] }, req.ctx, ifMatchOf(req));
          return reply.header('ETag', etagOf(r.version)).send(present(req.ctx, r.doc));
        },
      });
    }

    app.route({
      method: 'DELETE', url: `${collection}/:id`, config: access('delete'), validatorCompiler: documentOnly,
      schema: { tags, operationId: `delete${t.type}`, summary: `Delete a ${t.type}; honours If-Match`, params: IdParams, response: { 204: Type.Null({ description: 'Deleted' }), ...errors(400, 401, 403, 404, 409, 412, 422, 500) } },
      handler: async (req, reply) => {
        const { id } = req.params as { id: string };
        await member(req.ctx, id);
        await svc.remove(id, req.ctx, ifMatchOf(req));
        return reply.code(204).send();
      },
    });
  }
}
