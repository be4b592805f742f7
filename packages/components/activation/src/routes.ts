/**
 * The operations of TMF640 and TMF702 that reach the network: POST and PATCH
 * of a service or resource. Lists, retrieval, deletion, monitors and the hub
 * are served by the kit from the resource definitions.
 */
import { Type, type TObject, type TSchema } from 'typebox';
import { OperonError } from '@operon/kernel';
import { ErrorBody, JSON_PATCH, MERGE_PATCH, type ComponentManifest, type PatchBody } from '@operon/tmf';
import type { ActivationReply, ActivationRequests } from './activation.ts';
import { resourceActivationApi, serviceActivationApi } from './resources.ts';
import { Resource, ResourceCreate, ServiceCreate } from './schemas.ts';

type App = Parameters<NonNullable<ComponentManifest['routes']>>[0];

const errors = (...codes: number[]) => Object.fromEntries(codes.map((c) => [c, ErrorBody]));

/** The representation served: the writable attributes plus id and href, all optional. */
function served(schema: TObject, description: string): TObject {
  const props: Record<string, TSchema> = { id: Type.String({ description: 'Unique identifier' }), href: Type.String({ description: 'Hyperlink to this resource' }) };
  for (const [k, v] of Object.entries(schema.properties)) props[k] = Type.Optional(v as TSchema);
  return Type.Object(props, { description });
}

function mediaType(header: string | string[] | undefined): string {
  return String(Array.isArray(header) ? header[0] : header ?? '').split(';')[0]!.trim().toLowerCase();
}

function postBodyType(header: string | string[] | undefined): void {
  const mt = mediaType(header);
  if (mt !== 'application/json') throw new OperonError('unsupportedMediaType', `POST takes application/json, not '${mt}'`);
}

function patchBody(header: string | string[] | undefined, body: unknown): PatchBody {
  const mt = mediaType(header);
  if (mt === MERGE_PATCH || mt === 'application/json') return { kind: 'merge', body };
  if (mt === JSON_PATCH) return { kind: 'json', body };
  throw new OperonError('unsupportedMediaType', `PATCH takes ${MERGE_PATCH}, application/json or ${JSON_PATCH}, not '${mt}'`);
}

const IdParams = Type.Object({ id: Type.String({ description: 'Identifier of the resource' }) });
const Accepted = 'Accepted: the network is working on it; follow the monitor named by the monitorId header (and Location)';

export function activationRoutes(app: App, requestsOf: () => ActivationRequests): void {
  const send = <R extends { code(n: number): R; headers(h: Record<string, string>): R; send(b: unknown): R }>(reply: R, r: ActivationReply) =>
    reply.code(r.status).headers(r.headers).send(r.body);

  for (const [api, path, type, create, out] of [
    [serviceActivationApi, 'service', 'Service', ServiceCreate, served(ServiceCreate, 'Service')],
    [resourceActivationApi, 'resource', 'Resource', ResourceCreate, served(Resource, 'Resource')],
  ] as const) {
    const tags = [`${api.id} ${api.title}`];
    const collection = `${api.basePath}/${path}`;
    app.route({
      method: 'POST',
      url: collection,
      config: { access: { area: api.name, action: 'create' } },
      // validation is the kit's (one error format); the schema documents the API
      validatorCompiler: () => () => true,
      schema: {
        tags,
        operationId: `create${type}`,
        summary: path === 'service'
          ? 'Create a Service: with state active, the network activates it (201 when done within the wait, else 202 and a monitor)'
          : 'Activate a Resource of the inventory, named by its id and href (201 when done within the wait, else 202 and a monitor); administrativeState locked only records it',
        body: create,
        response: { 201: out, 202: { ...out, description: Accepted }, ...errors(400, 401, 403, 409, 415, 422, 500, 503) },
      },
      handler: async (req, reply) => {
        postBodyType(req.headers['content-type']);
        const requests = requestsOf();
        const r = path === 'service' ? await requests.postService(req.body, req.ctx) : await requests.postResource(req.body, req.ctx);
        return send(reply, r);
      },
    });
    app.route({
      method: 'PATCH',
      url: `${collection}/:id`,
      config: { access: { area: api.name, action: 'update' } },
      validatorCompiler: () => () => true,
      schema: {
        tags,
        operationId: `patch${type}`,
        summary: `Update a ${type} (merge patch or JSON Patch; honours If-Match). A change of ${path === 'service' ? 'state to or from active' : 'administrativeState to or from unlocked'}, or of the configuration of an active one, goes through the network: 200 when done within the wait, else 202 and a monitor`,
        params: IdParams,
        body: Type.Partial(create),
        response: { 200: out, 202: { ...out, description: Accepted }, ...errors(400, 401, 403, 404, 409, 412, 415, 422, 500, 503) },
      },
      handler: async (req, reply) => {
        const { id } = req.params as { id: string };
        const body = patchBody(req.headers['content-type'], req.body);
        const ifMatch = typeof req.headers['if-match'] === 'string' ? req.headers['if-match'] : undefined;
        return send(reply, await requestsOf().patch(path, id, body, req.ctx, ifMatch));
      },
    });
  }
}
