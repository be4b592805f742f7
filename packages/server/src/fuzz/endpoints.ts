/**
 * The endpoints to fuzz, derived from what the running server says about
 * itself: its route table (method, url, access) and its OpenAPI document
 * (path and query parameters, request body schemas), joined with the TMF
 * resource each route serves and the official definition its answers follow.
 */
import type { RouteAccess, ResourceService } from '@operon/tmf';
import { loadSpec } from '@operon/tmf/testing';
import { components } from '../components.ts';
import type { RunningOperon } from '../operon.ts';
import type { JsonSchema } from './schema.ts';

export type TmfOperation = 'list' | 'retrieve' | 'create' | 'patch' | 'delete';

export interface Endpoint {
  /** `METHOD /url/:param` */
  key: string;
  method: string;
  /** Fastify's URL template, e.g. `/tmf-api/party/v4/individual/:id`. */
  url: string;
  access: RouteAccess;
  /** Path parameters, in order. */
  params: string[];
  /** Documented query parameters. */
  query: Record<string, JsonSchema>;
  /** Whether undocumented query parameters mean something (TMF attribute filters). */
  openQuery: boolean;
  /** Request body schema, when the route takes one. */
  body: JsonSchema | undefined;
  /** The TMF resource this route serves, and what it does with it. */
  resource?: { service: ResourceService; operation: TmfOperation };
  /** What a 2xx body must validate as, in the official specification. */
  spec?: { apiId: string; definition: string; list: boolean };
  /** The URL whose GET lists the ids `:id` may take. */
  collection?: string;
}

interface OpenApiParameter {
  in: string;
  name: string;
  schema?: JsonSchema;
}

interface OpenApiOperation {
  parameters?: OpenApiParameter[];
  requestBody?: { content?: Record<string, { schema?: JsonSchema }> };
}

export interface OpenApiDocument {
  paths: Record<string, Record<string, OpenApiOperation>>;
}

/** Routes not fuzzed, and why: the documentation plugin's own pages and files take no input of ours. */
export const SKIPPED = [{ prefix: '/docs', reason: 'served by the API documentation plugin (static files and the generated document)' }];

const toOpenApiPath = (url: string) => url.replace(/:(\w+)/g, '{$1}');

export async function fetchOpenApi(baseUrl: string): Promise<OpenApiDocument> {
  const res = await fetch(`${baseUrl}/docs/json`);
  if (!res.ok) throw new Error(`GET /docs/json answered ${res.status}`);
  return (await res.json()) as OpenApiDocument;
}

/** Every route of the server but HEAD (answered by its GET) and the skipped ones. */
export function endpointsOf(op: Pick<RunningOperon, 'routes' | 'runtime'>, openapi: OpenApiDocument): Endpoint[] {
  const tmf = new Map<string, { service: ResourceService; operation: TmfOperation; apiId: string; definitions: readonly string[] }>();
  const hubs = new Map<string, string>();
  for (const c of components) {
    for (const api of c.exposes) {
      const definitions = loadSpec(api.id).definitions;
      if (api.hub !== false) hubs.set(`${api.basePath}/hub`, api.id);
      for (const r of api.resources) {
        const service = op.runtime.services.get(api.name)?.get(r.name);
        if (!service) continue;
        const collection = `${api.basePath}/${r.name}`;
        const add = (method: string, url: string, operation: TmfOperation) => tmf.set(`${method} ${url}`, { service, operation, apiId: api.id, definitions });
        add('GET', collection, 'list');
        add('POST', collection, 'create');
        add('GET', `${collection}/:id`, 'retrieve');
        add('PATCH', `${collection}/:id`, 'patch');
        add('DELETE', `${collection}/:id`, 'delete');
      }
    }
  }

  const out: Endpoint[] = [];
  for (const r of op.routes) {
    if (r.method === 'HEAD') continue;
    if (SKIPPED.some((s) => r.url.startsWith(s.prefix))) continue;
    const operation = openapi.paths[toOpenApiPath(r.url)]?.[r.method.toLowerCase()];
    const parameters = operation?.parameters ?? [];
    const query: Record<string, JsonSchema> = {};
    for (const p of parameters) if (p.in === 'query') query[p.name] = p.schema ?? {};
    const params = [...r.url.matchAll(/:(\w+)/g)].map((m) => m[1]!);
    const body = operation?.requestBody?.content?.['application/json']?.schema;
    const key = `${r.method} ${r.url}`;
    const t = tmf.get(key);
    const e: Endpoint = { key, method: r.method, url: r.url, access: r.access, params, query, openQuery: t?.operation === 'list', body };
    if (params.length) e.collection = r.url.slice(0, r.url.indexOf('/:'));
    if (t) {
      e.resource = { service: t.service, operation: t.operation };
      if (t.operation !== 'delete' && t.definitions.includes(t.service.def.type)) {
        e.spec = { apiId: t.apiId, definition: t.service.def.type, list: t.operation === 'list' };
      }
    }
    const hubApi = hubs.get(r.url) ?? hubs.get(e.collection ?? '');
    if (hubApi && r.method !== 'DELETE') e.spec = { apiId: hubApi, definition: 'EventSubscription', list: r.method === 'GET' && !params.length };
    out.push(e);
  }
  return out;
}
