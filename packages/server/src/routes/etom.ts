/**
 * The eTOM process map over REST under /etom: areas, L2 capabilities, L3
 * tasks (filtered and searchable), the known TMF APIs, the mounted
 * components as data, and the coverage derived from their manifests.
 */
import type { FastifyInstance } from 'fastify';
import { Type, type TSchema } from 'typebox';
import { badRequest, notFound } from '@operon/kernel';
import * as etom from '@operon/etom';
import { ErrorBody, publishedEvents, type ComponentManifest, type ComponentRuntime, type TmfApiDefinition } from '@operon/tmf';

const tags = ['eTOM process map'];
const Ref = Type.Object({ id: Type.String(), name: Type.String() });
const Nullable = (s: TSchema) => Type.Union([s, Type.Null()]);

const areaProps = {
  id: Type.String({ description: 'e.g. fulfilment-crm' }),
  name: Type.String({ description: 'e.g. Fulfilment / CRM' }),
  path: Type.String({ description: 'Domain / vertical / layer, e.g. Operations / Fulfilment / CRM' }),
  domain: Type.String(),
  vertical: Nullable(Type.String()),
  layer: Nullable(Type.String()),
  layerName: Nullable(Type.String()),
  primarySystemDomain: Type.String(),
  description: Type.String(),
  l2Count: Type.Integer(),
  l3Count: Type.Integer(),
};
const Area = Type.Object(areaProps);

const l2Props = { id: Type.String(), name: Type.String(), area: Ref, description: Type.String(), l3Count: Type.Integer() };
const L2 = Type.Object(l2Props);

const taskProps = {
  id: Type.String({ description: 'Slug of the name; the id component manifests use' }),
  name: Type.String(),
  l2: Ref,
  area: Ref,
  origin: Type.Union([Type.Literal('seed'), Type.Literal('reconstructed')]),
  etomId: Type.String({ description: 'GB921 number as given: a leading ~ marks a nearest equivalent, v25.5: the newer numbering' }),
  etomRef: Type.Object({
    number: Type.String(),
    exact: Type.Boolean(),
    numbering: Type.Union([Type.Literal('classic'), Type.Literal('v25.5')]),
    note: Type.String(),
  }),
  systemType: Type.Union([Type.Literal('BSS'), Type.Literal('OSS'), Type.Literal('Shared')]),
  owner: Type.String({ description: 'Primary owning function' }),
  exampleSystems: Type.Array(Type.String()),
  tmfApis: Type.Array(Type.String()),
  description: Type.String(),
};
const Task = Type.Object(taskProps);

const Implementation = Type.Object({
  component: Type.String(),
  title: Type.String(),
  apis: Type.Array(Type.Object({ id: Type.String(), title: Type.String() })),
});

const TaskWithCoverage = Type.Object({ ...taskProps, implementedBy: Type.Array(Implementation) });

const AreaDetail = Type.Object({ ...areaProps, l2: Type.Array(Type.Object({ ...l2Props, l3: Type.Array(Ref) })) });
const L2Detail = Type.Object({ ...l2Props, l3: Type.Array(Task) });

const TaskCoverage = Type.Object({
  task: Type.Object({ id: Type.String(), name: Type.String(), area: Ref, l2: Ref, systemType: Type.String(), tmfApis: Type.Array(Type.String()) }),
  implementedBy: Type.Array(Implementation),
  apisServed: Type.Array(Type.String(), { description: 'Of the APIs the map suggests for the task, those a mounted component exposes' }),
});
const rollUpProps = { id: Type.String(), name: Type.String(), l3: Type.Integer(), covered: Type.Integer(), percent: Type.Integer() };
const RollUp = Type.Object(rollUpProps);
const Problem = Type.Object({ component: Type.String(), field: Type.String(), value: Type.String(), message: Type.String() });
const Coverage = Type.Object({
  totals: Type.Object({
    areas: Type.Integer(), l2: Type.Integer(), l3: Type.Integer(), covered: Type.Integer(), uncovered: Type.Integer(), percent: Type.Integer(), components: Type.Integer(),
  }),
  implemented: Type.Array(TaskCoverage),
  uncovered: Type.Array(TaskCoverage),
  overlaps: Type.Array(TaskCoverage),
  areas: Type.Array(RollUp),
  l2: Type.Array(Type.Object({ ...rollUpProps, area: Ref })),
  problems: Type.Array(Problem, { description: 'Manifest entries naming tasks or APIs that do not exist' }),
});

const TmfApi = Type.Object({
  id: Type.String(), title: Type.String(), kind: Type.Union([Type.Literal('api'), Type.Literal('guideline')]),
  officialSpec: Nullable(Type.String()), description: Type.String(),
});

const ComponentInfo = Type.Object({
  name: Type.String(),
  title: Type.String(),
  description: Type.String(),
  exposes: Type.Array(Type.Object({
    id: Type.String(), name: Type.String(), title: Type.String(), basePath: Type.String(), version: Type.String(),
    resources: Type.Array(Type.String()),
  })),
  dependsOn: Type.Array(Type.String()),
  publishes: Type.Array(Type.String({ description: 'Event types, e.g. IndividualCreateEvent' })),
  subscribes: Type.Array(Type.String()),
  etomTasks: Type.Array(Ref),
});

const IdParams = Type.Object({ id: Type.String() });

const TaskQuery = Type.Object(
  {
    area: Type.Optional(Type.String({ description: 'Area id or name, e.g. fulfilment-crm' })),
    l2: Type.Optional(Type.String({ description: 'L2 capability id or name, e.g. order-handling' })),
    systemType: Type.Optional(Type.Union([Type.Literal('BSS'), Type.Literal('OSS'), Type.Literal('Shared')], { description: 'Case does not matter' })),
    owner: Type.Optional(Type.String({ description: 'Owning function; matches when it contains this text (case-insensitive)' })),
    tmfApi: Type.Optional(Type.String({ pattern: '^TMF[0-9]{3}$', description: 'TMF API id, e.g. TMF622' })),
    q: Type.Optional(Type.String({ description: 'Full-text search over names and descriptions; results best match first' })),
  },
  { additionalProperties: false },
);

// the schemas document the query; checking it here gives messages that name the parameter and the choices
const documentOnly = () => () => true;

function queryOf(raw: unknown, allowed: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries((raw ?? {}) as Record<string, unknown>)) {
    if (!allowed.includes(k)) throw badRequest(`unknown query parameter '${k}'; use ${allowed.join(', ')}`, k);
    if (typeof v !== 'string') throw badRequest(`give '${k}' once`, k);
    out[k] = v;
  }
  return out;
}

function areaOut(a: etom.EtomArea) {
  const l2 = etom.l2List({ area: a.id });
  return { ...a, l2Count: l2.length, l3Count: etom.tasksOfArea(a.id).length };
}

function l2Out(c: etom.EtomL2) {
  return { ...c, l3Count: etom.tasksOfL2(c.id).length };
}

/** What a component publishes: its resources' event types (as their services report them) and its declared extras. */
function eventsOf(m: ComponentManifest, runtime: ComponentRuntime): string[] {
  return publishedEvents(m, (api: TmfApiDefinition) =>
    api.resources.flatMap((r) => runtime.services.get(api.name)?.get(r.name)?.eventTypes() ?? []),
  );
}

export function etomRoutes(app: FastifyInstance, components: readonly ComponentManifest[], runtime: ComponentRuntime): void {
  app.get('/etom/areas', {
    config: { access: { area: 'etom', action: 'read' } },
    schema: { tags, summary: 'The 13 eTOM process areas (L1 domain × layer) with their L2 and L3 counts', response: { 200: Type.Array(Area) } },
  }, async () => etom.areas().map(areaOut));

  app.get('/etom/areas/:id', {
    config: { access: { area: 'etom', action: 'read' } },
    schema: { tags, summary: 'One process area with its L2 capabilities and their L3 tasks', params: IdParams, response: { 200: AreaDetail, 404: ErrorBody } },
  }, async (req) => {
    const { id } = req.params as { id: string };
    const a = etom.area(id);
    if (!a) throw notFound('eTOM area', id);
    return {
      ...areaOut(a),
      l2: etom.l2List({ area: a.id }).map((c) => ({ ...l2Out(c), l3: etom.tasksOfL2(c.id).map((t) => ({ id: t.id, name: t.name })) })),
    };
  });

  app.get('/etom/l2', {
    config: { access: { area: 'etom', action: 'read' } },
    validatorCompiler: documentOnly,
    schema: {
      tags,
      summary: 'The 31 L2 capabilities, optionally of one area',
      querystring: Type.Object({ area: Type.Optional(Type.String({ description: 'Area id or name' })) }, { additionalProperties: false }),
      response: { 200: Type.Array(L2), 400: ErrorBody },
    },
  }, async (req) => {
    const { area } = queryOf(req.query, ['area']);
    return etom.l2List(area === undefined ? {} : { area }).map(l2Out);
  });

  app.get('/etom/l2/:id', {
    config: { access: { area: 'etom', action: 'read' } },
    schema: { tags, summary: 'One L2 capability with its L3 tasks', params: IdParams, response: { 200: L2Detail, 404: ErrorBody } },
  }, async (req) => {
    const { id } = req.params as { id: string };
    const c = etom.l2(id);
    if (!c) throw notFound('eTOM L2 capability', id);
    return { ...l2Out(c), l3: etom.tasksOfL2(c.id) };
  });

  app.get('/etom/l3', {
    config: { access: { area: 'etom', action: 'read' } },
    validatorCompiler: documentOnly,
    schema: {
      tags,
      summary: 'The 108 L3 tasks, filtered by area, L2, system type, owner or TMF API, or searched with q',
      querystring: TaskQuery,
      response: { 200: Type.Array(Task), 400: ErrorBody },
    },
  }, async (req, reply) => {
    const list = etom.tasks(queryOf(req.query, Object.keys(TaskQuery.properties)));
    return reply.header('X-Total-Count', String(list.length)).header('X-Result-Count', String(list.length)).send(list);
  });

  app.get('/etom/l3/:id', {
    config: { access: { area: 'etom', action: 'read' } },
    schema: { tags, summary: 'One L3 task, with the mounted components that implement it', params: IdParams, response: { 200: TaskWithCoverage, 404: ErrorBody } },
  }, async (req) => {
    const { id } = req.params as { id: string };
    const t = etom.task(id);
    if (!t) throw notFound('eTOM L3 task', id);
    const row = etom.coverage(components).implemented.find((r) => r.task.id === t.id);
    return { ...t, implementedBy: row?.implementedBy ?? [] };
  });

  app.get('/etom/apis', {
    config: { access: { area: 'etom', action: 'read' } },
    schema: { tags, summary: 'The TM Forum Open APIs Operon knows (those the map names and those with an official specification)', response: { 200: Type.Array(TmfApi) } },
  }, async () => etom.tmfApis());

  app.get('/etom/coverage', {
    config: { access: { area: 'etom', action: 'read' } },
    schema: {
      tags,
      summary: 'Which L3 tasks the mounted components implement (with component and APIs), which are not covered, and roll-ups per area and L2',
      response: { 200: Coverage },
    },
  }, async () => etom.coverage(components));

  app.get('/etom/components', {
    config: { access: { area: 'etom', action: 'read' } },
    schema: { tags, summary: 'The mounted components as data: APIs exposed and needed, events published and consumed, eTOM tasks', response: { 200: Type.Array(ComponentInfo) } },
  }, async () =>
    components.map((m) => ({
      name: m.name,
      title: m.title,
      description: m.description,
      exposes: m.exposes.map((a) => ({ id: a.id, name: a.name, title: a.title, basePath: a.basePath, version: a.version, resources: a.resources.map((r) => r.name) })),
      dependsOn: [...m.dependsOn],
      publishes: eventsOf(m, runtime),
      subscribes: [...m.subscribes],
      etomTasks: m.etomTasks.map((id) => ({ id, name: etom.task(id)?.name ?? id })),
    })),
  );
}
