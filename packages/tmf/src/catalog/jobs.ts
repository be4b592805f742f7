import type { FastifyInstance } from 'fastify';
import { Type, type TObject } from 'typebox';
import { OperonError, badRequest, clock, defineLifecycle, isOperonError, notFound, unprocessable, type RequestContext } from '@operon/kernel';
import { DocumentTable, type Queryable, type Tx } from '@operon/store';
import type { TmfApiDefinition } from '../api.ts';
import type { ComponentRuntime } from '../component.ts';
import type { EventKind } from '../events.ts';
import { catalogLifecycle } from '../lifecycles.ts';
import { parseListQuery } from '../query.ts';
import { etagOf, type Doc, type ResourceDefinition, type ResourceService } from '../resource.ts';
import { ErrorBody } from '../schemas.ts';
import { deriveRoot } from './categories.ts';
import { idsOf, isObject, str } from './json.ts';
import { IN_USE, isDependency } from './values.ts';

/*
 * Import and export of catalog content (importJob / exportJob of TMF620, TMF633 and TMF634). An
 * export reads a consistent snapshot in one transaction and keeps the JSON document beside the
 * job, served at the job's `url`. An import loads such a document in one transaction through the
 * same services as the API, so every rule applies: it succeeds whole or fails whole, and the job
 * records why. Each API configures what it exports, which attributes hold references, what an
 * entity is made of and which entity must be in use before which.
 */

const JSON_TYPE = 'application/json';
const entityLifecycle = catalogLifecycle('CatalogEntity');

/** A job runs from Not Started (or Running) to Succeeded or Failed; it may be deleted at any time. */
export const jobLifecycle = defineLifecycle({
  name: 'Job',
  field: 'status',
  initial: 'Not Started',
  creatable: ['Not Started', 'Running'],
  transitions: { 'Not Started': ['Running', 'Failed'], Running: ['Succeeded', 'Failed'], Succeeded: [], Failed: [] },
});

/** An entity of the API, by collection and id. */
export interface EntityRef {
  resource: string;
  id: string;
}

/** `used` is put in use before `user`, and retired only after it. */
export interface UseEdge {
  user: EntityRef;
  used: EntityRef;
}

export interface CatalogJobsConfig {
  /** The API, as its definition names it (the jobs are among its resources). */
  api: Pick<TmfApiDefinition, 'id' | 'name' | 'title' | 'basePath'>;
  /** `@type` of an exported document, e.g. `ResourceCatalogDocument`. */
  documentType: string;
  /** The catalog entities, in the order an import creates them: what is referred to first. */
  resources: readonly ResourceDefinition[];
  tables: { importJob: string; exportJob: string; exportFile: string };
  schemas: { ImportJob: TObject; ExportJob: TObject };
  /** Attributes whose objects refer (by id) to entities of this API, wherever they appear. */
  referenceKeys: readonly string[];
  /** The collection of categories: an import decides `isRoot` from the parent the document gives. */
  categoryResource?: string;
  /** What an entity is made of, exported with it when a path names the entity. */
  parts(resource: string, doc: Doc, q: Queryable): Promise<EntityRef[]>;
  /** What must be in use before what, among the entities of a document (ids as the document gives them). */
  uses(resource: string, doc: Doc): UseEdge[];
  /** Job events the specification defines (TMF634: Create and StateChange); none by default. */
  events?: readonly EventKind[];
}

export interface CatalogJobs {
  importJob: ResourceDefinition;
  exportJob: ResourceDefinition;
  /** POST importJob (the import runs in its own transaction) and GET exportJob/{id}/content. */
  routes(app: FastifyInstance, runtime: ComponentRuntime): void;
}

// --- helpers an API's configuration is written with -----------------------------------------

/** Refs to `resource` for every id referred to by `value` (one reference or a list). */
export const refsTo = (resource: string, value: unknown): EntityRef[] => idsOf(value).map((id) => ({ resource, id }));

/** Ids of the entities of `table` whose `key` lists `id` (e.g. offerings listing a category). */
export async function listing(q: Queryable, table: string, key: string, id: string): Promise<string[]> {
  const r = await q.query<{ id: string }>(`SELECT id FROM ${table} WHERE doc @> $1::jsonb`, [JSON.stringify({ [key]: [{ id }] })]);
  return r.rows.map((x) => x.id);
}

/** Ids of the categories of `table` naming `id` as their parent. */
export async function childCategories(q: Queryable, table: string, id: string): Promise<string[]> {
  const r = await q.query<{ id: string }>(`SELECT id FROM ${table} WHERE doc->>'parentId' = $1`, [id]);
  return r.rows.map((x) => x.id);
}

/** A sub-category (by parentId or listed by its parent) is retired before its parent, so it is put in use after it. */
export function categoryUses(resource: string, doc: Doc, childrenKey: string): UseEdge[] {
  const self = str(doc['id']);
  if (self === undefined) return [];
  const me = { resource, id: self };
  const parent = str(doc['parentId']);
  return [
    ...(parent !== undefined ? [{ user: me, used: { resource, id: parent } }] : []),
    ...idsOf(doc[childrenKey]).map((id) => ({ user: { resource, id }, used: me })),
  ];
}

/** A specification relies on the local specifications it has a dependency relationship with. */
export function dependencyUses(resource: string, doc: Doc, relationshipKey: string): UseEdge[] {
  const self = str(doc['id']);
  if (self === undefined || !Array.isArray(doc[relationshipKey])) return [];
  return (doc[relationshipKey] as unknown[])
    .filter((r): r is Doc => isObject(r) && isDependency(r['relationshipType']))
    .flatMap((r) => refsTo(resource, r).map((used) => ({ user: { resource, id: self }, used })));
}

/**
 * `parts`, `uses` and references of a catalog of candidates (TMF633 `service…`, TMF634
 * `resource…`), whose collections and links are named alike from a prefix: `<p>Catalog`,
 * `<p>Category` listing `<p>Candidate`s, a candidate publishing its `<p>Specification`, a
 * specification relating to others by `<p>SpecRelationship`. A catalog is made of its
 * categories, a category of its sub-categories and candidates, a candidate of its specification,
 * a specification of those it relates to; a specification is in use before what depends on it or
 * publishes it, a parent category before its children.
 */
export function candidateCatalogStructure(
  prefix: string,
  tables: { category: string; candidate: string },
): Pick<CatalogJobsConfig, 'parts' | 'uses' | 'referenceKeys' | 'categoryResource'> {
  const s = {
    catalog: `${prefix}Catalog`,
    category: `${prefix}Category`,
    candidate: `${prefix}Candidate`,
    specification: `${prefix}Specification`,
    relationshipKey: `${prefix}SpecRelationship`,
  };
  // a category lists candidates, and a candidate refers to its specification, by their collection names
  const candidateKey = s.candidate;
  const specificationKey = s.specification;
  return {
    // `category` of a TMF634 specification is a kind of resource (a string): only objects are references
    referenceKeys: ['category', candidateKey, specificationKey, s.relationshipKey],
    categoryResource: s.category,
    async parts(resource, d, q) {
      const id = String(d['id']);
      if (resource === s.catalog) return refsTo(s.category, d['category']);
      if (resource === s.category) {
        return [
          ...refsTo(s.category, d['category']),
          ...refsTo(s.candidate, d[candidateKey]),
          ...(await childCategories(q, tables.category, id)).map((x) => ({ resource: s.category, id: x })),
          ...(await listing(q, tables.candidate, 'category', id)).map((x) => ({ resource: s.candidate, id: x })),
        ];
      }
      if (resource === s.candidate) return refsTo(s.specification, d[specificationKey]);
      if (resource === s.specification) return refsTo(s.specification, d[s.relationshipKey]);
      return [];
    },
    uses(resource, d) {
      if (resource === s.specification) return dependencyUses(resource, d, s.relationshipKey);
      if (resource === s.category) return categoryUses(resource, d, 'category');
      const self = str(d['id']);
      if (resource === s.candidate && self !== undefined) return refsTo(s.specification, d[specificationKey]).map((used) => ({ user: { resource, id: self }, used }));
      return [];
    },
  };
}

// --- import plan: pure functions --------------------------------------------------------------

type Scope = { kind: 'all' } | { kind: 'collection'; resource: string } | { kind: 'entity'; resource: string; id: string };

/** What `path` (absolute or relative, with or without the base path) asks to export. */
export function exportScope(path: unknown, basePath: string, collections: readonly string[]): Scope {
  let p = typeof path === 'string' ? path.trim() : '';
  if (/^https?:\/\//i.test(p)) p = new URL(p).pathname;
  if (p.startsWith(basePath)) p = p.slice(basePath.length);
  const segments = p.split('/').filter(Boolean).map(decodeURIComponent);
  if (segments.length === 0) return { kind: 'all' };
  const resource = segments[0]!;
  if (!collections.includes(resource) || segments.length > 2) {
    throw badRequest(`path '${String(path)}' names nothing to export; use the API root, one of ${collections.join(', ')}, or <collection>/<id>`, 'path');
  }
  return segments.length === 1 ? { kind: 'collection', resource } : { kind: 'entity', resource, id: segments[1]! };
}

export type IdMap = Map<string, { id: string; href: string }>;
const DROP = Symbol('drop');

/**
 * Rewrites references to entities of the document to the ids they got here. References to
 * entities of the document not created yet (`pending`) are left out, to be set once they exist;
 * references to anything else (held here already, or elsewhere) are kept as they are.
 */
export function remap(value: unknown, ids: IdMap, pending: ReadonlySet<string>, referenceKeys: ReadonlySet<string>): unknown {
  const walk = (v: unknown, inRef: boolean): unknown => {
    if (Array.isArray(v)) return v.map((x) => walk(x, inRef)).filter((x) => x !== DROP);
    if (!isObject(v)) return v;
    if (inRef && typeof v['id'] === 'string' && pending.has(v['id'])) return DROP;
    const out: Doc = {};
    for (const [k, x] of Object.entries(v)) {
      // a category's parent is a plain id
      if (k === 'parentId' && typeof x === 'string') {
        if (ids.has(x)) out[k] = ids.get(x)!.id;
        else if (!pending.has(x)) out[k] = x;
        continue;
      }
      const r = walk(x, referenceKeys.has(k));
      if (r !== DROP) out[k] = r;
    }
    const target = inRef && typeof out['id'] === 'string' ? ids.get(out['id']) : undefined;
    if (target) Object.assign(out, { id: target.id, ...(out['href'] !== undefined ? { href: target.href } : {}) });
    return out;
  };
  return walk(value, false);
}

/** States from `from` to `to` along the catalog lifecycle (shortest way). */
export function pathTo(from: string, to: string): string[] {
  if (from === to) return [];
  if (!entityLifecycle.isState(to)) throw unprocessable(`'${to}' is not a lifecycle status`, 'lifecycleStatus');
  const prev = new Map<string, string>([[from, from]]);
  const queue = [from];
  while (queue.length) {
    const s = queue.shift()!;
    for (const n of entityLifecycle.isState(s) ? entityLifecycle.next(s) : []) {
      if (prev.has(n)) continue;
      prev.set(n, s);
      if (n === to) {
        const path: string[] = [n];
        for (let p = s; p !== from; p = prev.get(p)!) path.unshift(p);
        return path;
      }
      queue.push(n);
    }
  }
  throw unprocessable(`there is no way from '${from}' to '${to}'`, 'lifecycleStatus');
}

/** The part of a path up to its last in-use state (the whole path when it has none): walked before anything is retired. */
export function upToInUse(path: readonly string[]): string[] {
  const last = path.findLastIndex((s) => IN_USE.includes(s));
  return last < 0 ? [...path] : path.slice(0, last + 1);
}

/**
 * `items` ordered so that what is used comes before its users, otherwise in
 * their given order; entities caught in a cycle keep their order (their rules
 * will say what is wrong).
 */
export function usedFirst<T>(items: readonly T[], keyOf: (t: T) => string | undefined, edges: readonly { user: string; used: string }[]): T[] {
  const index = new Map<string, number>();
  items.forEach((t, i) => {
    const k = keyOf(t);
    if (k !== undefined) index.set(k, i);
  });
  const needs = items.map(() => new Set<number>());
  const users = items.map(() => [] as number[]);
  for (const e of edges) {
    const u = index.get(e.user);
    const d = index.get(e.used);
    if (u === undefined || d === undefined || u === d || needs[u]!.has(d)) continue;
    needs[u]!.add(d);
    users[d]!.push(u);
  }
  // Kahn's algorithm, always taking the earliest ready item so that the given order is kept where it can be
  const waiting = needs.map((s) => s.size);
  const ready = new MinHeap();
  waiting.forEach((n, i) => n === 0 && ready.push(i));
  const done = new Set<number>();
  const out: T[] = [];
  let cursor = 0;
  while (done.size < items.length) {
    let next = ready.pop();
    if (next === undefined) {
      // a cycle: take the first remaining one as it comes
      while (done.has(cursor)) cursor += 1;
      next = cursor;
    }
    if (done.has(next)) continue;
    done.add(next);
    out.push(items[next]!);
    for (const u of users[next]!) if (--waiting[u]! === 0 && !done.has(u)) ready.push(u);
  }
  return out;
}

/** A binary heap of indexes, smallest first. */
class MinHeap {
  private readonly a: number[] = [];
  push(x: number): void {
    const a = this.a;
    a.push(x);
    for (let i = a.length - 1; i > 0; ) {
      const p = (i - 1) >> 1;
      if (a[p]! <= a[i]!) break;
      [a[p], a[i]] = [a[i]!, a[p]!];
      i = p;
    }
  }
  pop(): number | undefined {
    const a = this.a;
    if (a.length === 0) return undefined;
    const top = a[0]!;
    const last = a.pop()!;
    if (a.length > 0) {
      a[0] = last;
      for (let i = 0; ; ) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < a.length && a[l]! < a[m]!) m = l;
        if (r < a.length && a[r]! < a[m]!) m = r;
        if (m === i) break;
        [a[m], a[i]] = [a[i]!, a[m]!];
        i = m;
      }
    }
    return top;
  }
}

// --- the jobs ---------------------------------------------------------------------------------

const DATA_URL = /^data:([^;,]*)((?:;[^;,]*)*),(.*)$/s;

function checkContentType(doc: Doc): void {
  doc['contentType'] ??= JSON_TYPE;
  if (doc['contentType'] !== JSON_TYPE) throw badRequest(`contentType '${String(doc['contentType'])}' is not supported; use ${JSON_TYPE}`, 'contentType');
}

interface Imported {
  resource: string;
  /** Id in the document, when it gives one. */
  sourceId: string | undefined;
  id: string;
  target: string;
  /** How the document names the entity, for the error log. */
  label: string;
  /** The entity as the document gives it, without what the server sets. */
  body: Doc;
}

/** Import and export jobs of one catalog API. */
export function catalogJobs(config: CatalogJobsConfig): CatalogJobs {
  const { tables } = config;
  const basePath = config.api.basePath;
  const byName = new Map(config.resources.map((d) => [d.name, d]));
  const collections = [...byName.keys()];
  const referenceKeys = new Set(config.referenceKeys);
  const stores = new Map(
    config.resources.map((d) => [d.name, new DocumentTable({ table: d.table, statusAttribute: 'lifecycleStatus', lastUpdateAttribute: 'lastUpdate' })]),
  );
  const knownOf = (d: ResourceDefinition) => new Set([...Object.keys(d.schema.properties), 'id', 'href', 'lastUpdate', '@type', '@baseType', '@schemaLocation']);
  const hrefOf = (ctx: RequestContext, resource: string, id: string) => `${ctx.baseUrl}${basePath}/${resource}/${encodeURIComponent(id)}`;
  const present = (ctx: RequestContext, resource: string, doc: Doc): Doc => {
    const { id, ...rest } = doc;
    return { id, href: hrefOf(ctx, resource, String(id)), ...rest };
  };
  const events = config.events ?? [];

  // --- export -----------------------------------------------------------------------------------

  async function readAll(q: Queryable, resource: string, query: string | undefined): Promise<Doc[]> {
    const params = Object.fromEntries(new URLSearchParams(query ?? ''));
    let parsed;
    try {
      parsed = parseListQuery(params, knownOf(byName.get(resource)!));
    } catch (e) {
      if (isOperonError(e)) throw badRequest(`query cannot be applied to ${resource}: ${e.message}`, 'query');
      throw e;
    }
    const out: Doc[] = [];
    for (let offset = 0; ; offset += 1000) {
      const page = await stores.get(resource)!.list(q, { filters: parsed.filters, sort: [], offset, limit: 1000 });
      out.push(...page.rows.map((r) => r.doc));
      if (page.rows.length < 1000) return out;
    }
  }

  /** An entity with everything it is made of, as the API's `parts` says. */
  async function closure(q: Queryable, root: EntityRef): Promise<Map<string, Map<string, Doc>>> {
    const found = new Map(collections.map((k) => [k, new Map<string, Doc>()]));
    let pending: EntityRef[] = [root];
    while (pending.length) {
      const next: EntityRef[] = [];
      for (const { resource, id } of pending) {
        const seen = found.get(resource);
        if (!seen || seen.has(id)) continue;
        const row = await stores.get(resource)!.get(q, id);
        if (!row) {
          if (resource === root.resource && id === root.id) throw unprocessable(`path names ${byName.get(resource)!.type} ${id}, which does not exist`, 'path');
          continue; // held by another catalog: the export refers to it
        }
        seen.set(id, row.doc);
        next.push(...(await config.parts(resource, row.doc, q)));
      }
      pending = next;
    }
    return found;
  }

  async function exportContent(doc: Doc, ctx: RequestContext, q: Queryable): Promise<Doc> {
    const scope = exportScope(doc['path'], basePath, collections);
    const query = typeof doc['query'] === 'string' && doc['query'].trim() !== '' ? doc['query'] : undefined;
    const content: Doc = { '@type': config.documentType, source: `${ctx.baseUrl}${basePath}`, exportJob: doc['id'], exportedAt: clock.iso() };
    if (scope.kind === 'entity') {
      if (query) throw badRequest('query filters collections; it cannot be combined with a path to one entity', 'query');
      for (const [resource, docs] of await closure(q, scope)) content[resource] = [...docs.values()].map((d) => present(ctx, resource, d));
      return content;
    }
    for (const name of collections) {
      if (scope.kind === 'collection' && scope.resource !== name) continue;
      content[name] = (await readAll(q, name, query)).map((d) => present(ctx, name, d));
    }
    return content;
  }

  const exportJob: ResourceDefinition = {
    name: 'exportJob',
    type: 'ExportJob',
    table: tables.exportJob,
    schema: config.schemas.ExportJob,
    readOnly: ['completionDate', 'creationDate', 'errorLog', 'status', 'url'],
    immutable: ['@type', '@baseType'],
    lifecycle: jobLifecycle,
    operations: ['list', 'retrieve', 'create', 'delete'],
    events,
    async onCreate(doc, ctx, q) {
      checkContentType(doc);
      doc['creationDate'] = clock.iso();
      doc['path'] ??= basePath;
      // one transaction: the document is a consistent snapshot of the catalog
      const content = await exportContent(doc, ctx, q);
      await q.query(`INSERT INTO ${tables.exportFile} (job_id, content) VALUES ($1, $2::jsonb)`, [doc['id'], JSON.stringify(content)]);
      Object.assign(doc, { status: 'Succeeded', url: `${ctx.baseUrl}${basePath}/exportJob/${encodeURIComponent(String(doc['id']))}/content`, completionDate: clock.iso() });
    },
    async beforeDelete(doc, _ctx, q) {
      await q.query(`DELETE FROM ${tables.exportFile} WHERE job_id = $1`, [doc['id']]);
    },
  };

  // --- import -----------------------------------------------------------------------------------

  const exportUrl = new RegExp(`^${basePath.replace(/[/.]/g, '\\$&')}/exportJob/([^/]+)/content$`);

  /** An import reads an export of this API (on any host name it is reached by) or a data: URL. */
  function sourceOf(url: unknown): { kind: 'export'; jobId: string } | { kind: 'data'; url: string } {
    const u = String(url);
    if (u.startsWith('data:')) return { kind: 'data', url: u };
    let parsed: URL | undefined;
    try {
      parsed = new URL(u);
    } catch {
      parsed = undefined;
    }
    const m = parsed && /^https?:$/.test(parsed.protocol) ? exportUrl.exec(parsed.pathname) : null;
    if (!m) {
      throw unprocessable(`cannot import from '${u}': give the url of an export of this catalog (…${basePath}/exportJob/{id}/content) or a data: URL with the document`, 'url');
    }
    return { kind: 'export', jobId: decodeURIComponent(m[1]!) };
  }

  async function loadDocument(url: unknown, q: Queryable): Promise<Doc> {
    const source = sourceOf(url);
    let doc: unknown;
    if (source.kind === 'export') {
      const r = await q.query<{ content: unknown }>(`SELECT content FROM ${tables.exportFile} WHERE job_id = $1`, [source.jobId]);
      if (!r.rows[0]) throw unprocessable(`export ${source.jobId} does not exist (any more)`, 'url');
      doc = r.rows[0].content;
    } else {
      const m = DATA_URL.exec(source.url);
      if (m === null || (m[1] !== '' && m[1]!.toLowerCase() !== JSON_TYPE)) throw unprocessable(`a data: URL to import must carry ${JSON_TYPE}`, 'url');
      const text = m[2]!.split(';').includes('base64') ? Buffer.from(m[3]!, 'base64').toString('utf8') : decodeURIComponent(m[3]!);
      try {
        doc = JSON.parse(text);
      } catch {
        throw unprocessable('the document is not valid JSON', 'url');
      }
    }
    if (!isObject(doc)) throw unprocessable(`the document must be a JSON object with one list per resource (${collections.join(', ')})`, 'url');
    for (const name of collections) {
      const list = doc[name];
      if (list !== undefined && !(Array.isArray(list) && list.every(isObject))) throw unprocessable(`${name} in the document must be a list of objects`, name);
    }
    return doc;
  }

  const entries = (document: Doc, name: string): Doc[] => (document[name] as Doc[] | undefined) ?? [];
  const withLabel = (e: unknown, label: string) => (isOperonError(e) ? new OperonError(e.kind, `${label}: ${e.message}`, e.field ? { field: e.field } : {}) : e);

  /** Loads a document: creates everything in design, links it up, then walks each entity to its status. */
  async function importDocument(document: Doc, services: ReadonlyMap<string, ResourceService>, ctx: RequestContext, tx: Tx): Promise<number> {
    const ids: IdMap = new Map();
    const pending = new Set(collections.flatMap((name) => entries(document, name).flatMap((e) => str(e['id']) ?? [])));
    const created: Imported[] = [];
    for (const name of collections) {
      const svc = services.get(name)!;
      for (const [i, source] of entries(document, name).entries()) {
        const { id, href: _href, lastUpdate: _lastUpdate, ...body } = source;
        const target = str(body['lifecycleStatus']) ?? entityLifecycle.initial;
        // decided from the parent the document gives, which may only be linked later
        if (name === config.categoryResource) deriveRoot(body);
        const sourceId = str(id);
        const label = `${name}[${i}]${sourceId !== undefined ? ` (${sourceId})` : ''}${typeof body['name'] === 'string' ? ` '${body['name']}'` : ''}`;
        let r;
        try {
          r = await svc.create({ ...(remap(body, ids, pending, referenceKeys) as Doc), lifecycleStatus: target === 'In study' ? target : entityLifecycle.initial }, ctx, tx);
        } catch (e) {
          throw withLabel(e, label);
        }
        const newId = String(r.doc['id']);
        if (sourceId !== undefined) {
          ids.set(sourceId, { id: newId, href: hrefOf(ctx, name, newId) });
          pending.delete(sourceId);
        }
        created.push({ resource: name, sourceId, id: newId, target, label, body });
      }
    }
    // now that everything exists, the references left out above
    for (const c of created) {
      try {
        await services.get(c.resource)!.update(c.id, (d) => ({ ...d, ...(remap(c.body, ids, pending, referenceKeys) as Doc), lifecycleStatus: d['lifecycleStatus'] }), ctx, tx);
      } catch (e) {
        throw withLabel(e, c.label);
      }
    }
    // what is used is put in use before its users, and its users retire before it does
    const key = (resource: string, id: string) => `${resource}/${id}`;
    const edges = created.flatMap((c) =>
      config.uses(c.resource, { ...c.body, ...(c.sourceId !== undefined ? { id: c.sourceId } : {}) }).map((e) => ({ user: key(e.user.resource, e.user.id), used: key(e.used.resource, e.used.id) })),
    );
    const order = usedFirst(created, (c) => (c.sourceId !== undefined ? key(c.resource, c.sourceId) : undefined), edges);
    const current = new Map<string, string>(created.map((c) => [c.id, c.target === 'In study' ? 'In study' : entityLifecycle.initial]));
    const advance = async (c: Imported, states: string[]) => {
      for (const s of states) {
        try {
          await services.get(c.resource)!.transition(c.id, s, ctx, {}, tx);
        } catch (e) {
          throw withLabel(e, `${c.label} → ${s}`);
        }
        current.set(c.id, s);
      }
    };
    for (const c of order) await advance(c, upToInUse(pathTo(current.get(c.id)!, c.target)));
    for (const c of [...order].reverse()) await advance(c, pathTo(current.get(c.id)!, c.target));
    return created.length;
  }

  const importJob: ResourceDefinition = {
    name: 'importJob',
    type: 'ImportJob',
    table: tables.importJob,
    schema: config.schemas.ImportJob,
    readOnly: ['completionDate', 'creationDate', 'errorLog', 'status'],
    immutable: ['@type', '@baseType'],
    lifecycle: jobLifecycle,
    // creation is served by `routes`: the import runs in a transaction of its own
    operations: ['list', 'retrieve', 'delete'],
    events,
    onCreate(doc) {
      checkContentType(doc);
      doc['creationDate'] = clock.iso();
      doc['path'] ??= basePath;
      doc['status'] = 'Running';
    },
    validate(doc, change) {
      if (change.op === 'create') sourceOf(doc['url']);
    },
  };

  function routes(app: FastifyInstance, runtime: ComponentRuntime): void {
    const services = runtime.services.get(config.api.name)!;
    const jobs = services.get('importJob')!;
    const tags = [`${config.api.id} ${config.api.title}`];

    app.route({
      method: 'POST',
      url: `${basePath}/importJob`,
      config: { access: { area: config.api.name, action: 'create' } },
      validatorCompiler: () => () => true,
      schema: {
        tags,
        operationId: 'createImportJob',
        summary: 'Load a catalog document (an export of this catalog, or a data: URL) into this catalog',
        body: config.schemas.ImportJob,
        response: { 201: config.schemas.ImportJob, 400: ErrorBody, 415: ErrorBody, 422: ErrorBody, 500: ErrorBody },
      },
      handler: async (req, reply) => {
        const mt = String(req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
        if (mt !== JSON_TYPE) throw new OperonError('unsupportedMediaType', `POST takes ${JSON_TYPE}, not '${mt}'`);
        const job = await jobs.create(req.body, req.ctx);
        const jobId = String(job.doc['id']);
        let outcome: Doc;
        try {
          const count = await runtime.db.tx(async (tx) => importDocument(await loadDocument(job.doc['url'], tx), services, req.ctx, tx));
          outcome = { status: 'Succeeded' };
          req.log.info({ jobId, count }, 'catalog import succeeded');
        } catch (e) {
          if (!isOperonError(e)) throw e;
          outcome = { status: 'Failed', errorLog: e.field && !e.message.includes(e.field) ? `${e.field}: ${e.message}` : e.message };
        }
        const done = await jobs.update(jobId, (d) => ({ ...d, ...outcome, completionDate: clock.iso() }), req.ctx);
        const body = jobs.present(req.ctx, done.doc);
        return reply.code(201).header('Location', String(body['href'])).header('ETag', etagOf(done.version)).send(body);
      },
    });

    app.route({
      method: 'GET',
      url: `${basePath}/exportJob/:id/content`,
      config: { access: { area: config.api.name, action: 'read' } },
      validatorCompiler: () => () => true,
      schema: {
        tags,
        operationId: 'retrieveExportJobContent',
        summary: 'Download the document an export job wrote',
        params: Type.Object({ id: Type.String() }),
        response: { 404: ErrorBody },
      },
      handler: async (req, reply) => {
        const { id } = req.params as { id: string };
        const r = await runtime.db.query<{ content: unknown }>(`SELECT content FROM ${tables.exportFile} WHERE job_id = $1`, [id]);
        if (!r.rows[0]) throw notFound('ExportJob content', id);
        return reply.type(JSON_TYPE).send(r.rows[0].content);
      },
    });
  }

  return { importJob, exportJob, routes };
}
