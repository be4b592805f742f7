import type { TObject } from 'typebox';
import {
  OperonError,
  badRequest,
  clock,
  cloneJson,
  equalJson,
  newId,
  notFound,
  preconditionFailed,
  type Lifecycle,
  type RequestContext,
} from '@operon/kernel';
import { DocumentChanges, DocumentTable, type AuditRecord, type Database, type OutboxEvent, type Queryable, type StoredDocument, type Tx } from '@operon/store';
import { envelope, eventType, EVENT_KINDS, lowerFirst, type EventKind } from './events.ts';
import { jsonPatch, mergePatch } from './patch.ts';
import { parseListQuery, project, type ParsedListQuery } from './query.ts';
import { assertValid, normaliseDates } from './validate.ts';

export type Doc = Record<string, unknown>;
export type Operation = 'list' | 'retrieve' | 'create' | 'patch' | 'delete';
export const ALL_OPERATIONS: readonly Operation[] = ['list', 'retrieve', 'create', 'patch', 'delete'];

export interface ChangeInfo {
  op: 'create' | 'update';
  before?: Doc;
}

/**
 * Everything the kit needs to serve one TMF resource type. The schema lists
 * the attributes a client may write, with `required` as on create; the kit
 * adds `id`, `href`, `@type` and the timestamps.
 */
export interface ResourceDefinition {
  /** Path segment and collection name, e.g. `individual`. */
  name: string;
  /** Value of `@type` and prefix of event names, e.g. `Individual`. */
  type: string;
  baseType?: string;
  /** SQL table created by the component's migration with `operon_create_resource_table`. */
  table: string;
  /**
   * Read far more often than written (catalog entities read at every order):
   * nodes keep the documents in memory between reads. The migration must call
   * `operon_cache_documents` on the table, which tells every node of each change.
   */
  cached?: boolean;
  schema: TObject;
  /** Attributes set by the server only; refused on input unless unchanged. */
  readOnly?: readonly string[];
  /** Attributes that may be given on create but never changed afterwards. */
  immutable?: readonly string[];
  lifecycle?: Lifecycle;
  /** Attribute stamped with the time of every write (TMF `lastUpdate`), if the resource has one. */
  lastUpdate?: string;
  /** Attribute stamped with the creation time when the client does not give it. */
  created?: string;
  /**
   * Top-level string attributes the migration indexes as `((doc->>'attr'))`;
   * equality filters and sorts on them then use that B-tree index.
   */
  indexed?: readonly string[];
  /** Operations served over HTTP (all by default). */
  operations?: readonly Operation[];
  /**
   * Where a document names the parties it belongs to (e.g. `relatedParty.id`,
   * `engagedParty.id`, or `id` for a party itself). A caller confined to one
   * party (a customer or partner credential) sees and changes only documents
   * that name it at one of these paths; without them the resource holds no
   * party's data.
   */
  partyPaths?: readonly string[];
  /** Event kinds published (all by default; StateChange only with a lifecycle). */
  events?: readonly EventKind[];
  /**
   * `combined`: one `<Type>ChangeEvent` for every change, state or attributes,
   * as TMF633 and TMF634 define; `separate` (default): AttributeValueChange and StateChange.
   */
  changeEvents?: 'separate' | 'combined';
  /** Property holding the resource inside an event (lowerCamelCase type by default). */
  eventProperty?: string;
  /** Fills defaults and derived attributes on create, before validation. */
  onCreate?(doc: Doc, ctx: RequestContext, q: Queryable): void | Promise<void>;
  /**
   * Derives attributes on every change (e.g. stamps a closing date), before
   * validation; `before` is the stored document, `doc` the proposed one.
   */
  onUpdate?(doc: Doc, before: Doc, ctx: RequestContext, q: Queryable): void | Promise<void>;
  /** Business rules, checked after every create and change (throw a 422 OperonError to refuse). */
  validate?(doc: Doc, change: ChangeInfo, ctx: RequestContext, q: Queryable): void | Promise<void>;
  /** Checks before a delete (e.g. still referenced). */
  beforeDelete?(doc: Doc, ctx: RequestContext, q: Queryable): void | Promise<void>;
}

export interface ApiInfo {
  /** Short API name used for events and hubs, e.g. `party`. */
  name: string;
  basePath: string;
}

export type PatchBody = { kind: 'merge'; body: unknown } | { kind: 'json'; body: unknown };

export interface Versioned<D = Doc> {
  doc: D;
  version: number;
}

const SERVER_FIELDS = ['id', 'href'];
const ETAG = /^(W\/)?"(\d+)"$/;

/** `"3"` — the row version as a strong entity tag. */
export const etagOf = (version: number) => `"${version}"`;

function etagMatches(header: string, version: number): boolean {
  if (header.trim() === '*') return true;
  return header.split(',').some((t) => {
    const m = ETAG.exec(t.trim());
    return m !== null && Number(m[2]) === version;
  });
}

const isObject = (v: unknown): v is Doc => typeof v === 'object' && v !== null && !Array.isArray(v);

function valuesAt(node: unknown, path: readonly string[]): unknown[] {
  if (path.length === 0) return Array.isArray(node) ? node : [node];
  if (Array.isArray(node)) return node.flatMap((n) => valuesAt(n, path));
  if (isObject(node)) return valuesAt(node[path[0]!], path.slice(1));
  return [];
}

/**
 * The one implementation of TMF630 behaviour for a resource type: used by the
 * HTTP routes, by flows and by the seed, so that every write goes through the
 * same validation, lifecycle check and outbox event.
 */
export class ResourceService<D extends Doc = Doc> {
  readonly table: DocumentTable<D>;
  readonly known: ReadonlySet<string>;
  readonly events: readonly EventKind[];
  private readonly writable: ReadonlySet<string>;
  private readonly protectedFields: readonly string[];

  constructor(readonly def: ResourceDefinition, readonly api: ApiInfo, private readonly db: Database) {
    this.table = new DocumentTable<D>({
      table: def.table,
      ...(def.lifecycle ? { statusAttribute: def.lifecycle.field } : {}),
      ...(def.lastUpdate ? { lastUpdateAttribute: def.lastUpdate } : {}),
      ...(def.indexed ? { indexedAttributes: def.indexed } : {}),
      ...(def.cached ? { cache: DocumentChanges.of(db).cache(def.table) } : {}),
    });
    const props = Object.keys(def.schema.properties);
    this.writable = new Set(props);
    const serverSet = [...SERVER_FIELDS, ...(def.readOnly ?? []), ...(def.lastUpdate ? [def.lastUpdate] : [])];
    this.known = new Set([...props, ...serverSet, ...(def.created ? [def.created] : []), '@type', '@baseType', '@schemaLocation']);
    this.protectedFields = [...serverSet.filter((f) => f !== 'href'), ...(def.created ? [def.created] : []), ...(def.immutable ?? [])];
    const kinds = def.changeEvents === 'combined'
      ? (def.events ?? ['Create', 'Change', 'Delete']).filter((k) => k !== 'AttributeValueChange' && k !== 'StateChange')
      : (def.events ?? EVENT_KINDS).filter((k) => k !== 'Change');
    this.events = kinds.filter((k) => k !== 'StateChange' || def.lifecycle);
  }

  /** Event types this resource publishes. */
  eventTypes(): string[] {
    return this.events.map((k) => eventType(this.def.type, k));
  }

  /** The party a caller is confined to, when this resource holds party data; undefined: no confinement. */
  private confinedTo(ctx: RequestContext): string | undefined {
    return this.def.partyPaths && ctx.principal?.partyId ? ctx.principal.partyId : undefined;
  }

  /** Whether `doc` names `party` at one of the resource's party paths. */
  belongsTo(doc: Doc, party: string): boolean {
    return (this.def.partyPaths ?? []).some((p) => valuesAt(doc, p.split('.')).some((v) => v === party));
  }

  /** Another party's document is answered exactly like a missing one: never a hint that it exists. */
  private assertVisible(ctx: RequestContext, id: string, doc: Doc): void {
    const party = this.confinedTo(ctx);
    if (party !== undefined && !this.belongsTo(doc, party)) throw notFound(this.def.type, id);
  }

  private assertOwned(ctx: RequestContext, doc: Doc): void {
    const party = this.confinedTo(ctx);
    if (party !== undefined && !this.belongsTo(doc, party)) {
      throw new OperonError('forbidden', `a ${this.def.type} must name your own party (${party}) at ${this.def.partyPaths!.join(' or ')}`);
    }
  }

  private auditRecord(ctx: RequestContext, action: AuditRecord['action'], id: string, at: Date, version: number | undefined, before?: Doc, after?: Doc): AuditRecord {
    const p = ctx.principal;
    return {
      at, action, api: this.api.name, resourceType: this.def.type, resourceId: id,
      principalId: p?.id ?? 'anonymous', roles: p?.roles ?? [],
      ...(p?.name ? { principalName: p.name } : {}),
      ...(version !== undefined ? { version } : {}),
      ...(before ? { before } : {}), ...(after ? { after } : {}),
      ...(ctx.correlationId ? { correlationId: ctx.correlationId } : {}),
    };
  }

  href(ctx: RequestContext, id: string): string {
    return `${ctx.baseUrl}${this.api.basePath}/${this.def.name}/${encodeURIComponent(id)}`;
  }

  /** The representation clients see: stored document with its absolute href. */
  present(ctx: RequestContext, doc: D): D {
    const { id, ...rest } = doc;
    return { id, href: this.href(ctx, String(id)), ...rest } as unknown as D;
  }

  private within<T>(tx: Tx | undefined, fn: (tx: Tx) => Promise<T>): Promise<T> {
    return tx ? fn(tx) : this.db.tx(fn);
  }

  private emit(tx: Tx, ctx: RequestContext, kind: EventKind, doc: D, changed?: string[]): void {
    const e = this.eventFor(ctx, kind, doc, changed);
    if (e) tx.emit(e);
  }

  private eventFor(ctx: RequestContext, kind: EventKind, doc: D, changed?: string[]): OutboxEvent | undefined {
    if (!this.events.includes(kind)) return undefined;
    const resource = this.present(ctx, doc);
    return {
      api: this.api.name,
      eventType: eventType(this.def.type, kind),
      resourceType: this.def.type,
      resourceId: String(doc['id']),
      payload: envelope({
        api: this.api.name,
        resourceType: this.def.type,
        eventProperty: this.def.eventProperty ?? lowerFirst(this.def.type),
        kind,
        resource,
        ...(ctx.correlationId ? { correlationId: ctx.correlationId } : {}),
        ...(changed ? { changed } : {}),
      }),
    };
  }

  /** Top-level attributes must be known unless the client points at its own schema (TMF extension pattern). */
  private checkAttributes(doc: Doc, what: string): void {
    if (typeof doc['@schemaLocation'] === 'string') return;
    for (const k of Object.keys(doc)) {
      if (!this.known.has(k)) throw badRequest(`${what}: '${k}' is not an attribute of ${this.def.type}`, k);
    }
  }

  private finish(doc: Doc, what: string): D {
    const normalised = normaliseDates(this.def.schema, doc) as Doc;
    this.checkAttributes(normalised, what);
    assertValid(this.def.schema, normalised, what);
    return normalised as D;
  }

  // --- create --------------------------------------------------------------------------------

  /** `opts.id`: an id the caller made (with newId) and has already written down, e.g. in a row that points here. */
  async create(input: unknown, ctx: RequestContext, tx?: Tx, opts: { id?: string } = {}): Promise<Versioned<D>> {
    if (!isObject(input)) throw badRequest(`the body of a ${this.def.type} must be a JSON object`);
    for (const f of [...SERVER_FIELDS, ...(this.def.readOnly ?? []), ...(this.def.lastUpdate ? [this.def.lastUpdate] : [])]) {
      if (f in input) throw badRequest(`'${f}' is set by the server and cannot be given on create`, f);
    }
    const now = clock.now();
    const id = opts.id ?? newId();
    const draft: Doc = { id, ...input };
    draft['@type'] ??= this.def.type;
    if (this.def.baseType) draft['@baseType'] ??= this.def.baseType;
    const lc = this.def.lifecycle;
    if (lc) {
      draft[lc.field] ??= lc.initial;
      if (typeof draft[lc.field] !== 'string') throw badRequest(`${lc.field} must be a string`, lc.field);
      if (!lc.isState(draft[lc.field])) lc.assertMove(lc.initial, String(draft[lc.field]));
      lc.assertCreatable(String(draft[lc.field]));
    }
    if (this.def.lastUpdate) draft[this.def.lastUpdate] = now.toISOString();
    if (this.def.created) draft[this.def.created] ??= now.toISOString();
    return this.within(tx, async (t) => {
      await this.def.onCreate?.(draft, ctx, t);
      const doc = this.finish(draft, `invalid ${this.def.type}`);
      this.assertOwned(ctx, doc);
      await this.def.validate?.(doc, { op: 'create' }, ctx, t);
      const audit = this.auditRecord(ctx, 'create', id, now, 1, undefined, doc);
      if (tx === undefined) {
        // this create is the whole unit of work: the row, its event and its audit record travel as one statement
        const event = this.eventFor(ctx, 'Create', doc);
        const stored = await this.table.insertLast(t, id, doc, now, event ? [event] : [], [audit]);
        return { doc: stored.doc, version: stored.version };
      }
      const stored = await this.table.insert(t, id, doc, now, { fresh: true });
      this.emit(t, ctx, 'Create', stored.doc);
      t.audit(audit);
      return { doc: stored.doc, version: stored.version };
    });
  }

  // --- read ----------------------------------------------------------------------------------

  async retrieve(id: string, q: Queryable = this.db): Promise<Versioned<D>> {
    const row = await this.table.get(q, id);
    if (!row) throw notFound(this.def.type, id);
    return { doc: row.doc, version: row.version };
  }

  /** Reads the resource and locks it until `tx` ends: the transaction's later reads and changes of it cost no round trip of their own. */
  async retrieveForUpdate(id: string, tx: Tx): Promise<Versioned<D> | undefined> {
    const row = await this.table.get(tx, id, { forUpdate: true });
    return row ? { doc: row.doc, version: row.version } : undefined;
  }

  /**
   * The representation of one resource as JSON text, built without parsing the
   * stored document: PostgreSQL renders it, with `"id"` first (jsonb orders keys
   * by length), and the href is put right after.
   */
  async retrieveJson(ctx: RequestContext, id: string): Promise<{ json: string; version: number }> {
    if (this.confinedTo(ctx) !== undefined) {
      const r = await this.retrieveFor(ctx, id);
      return { json: JSON.stringify(this.present(ctx, r.doc)), version: r.version };
    }
    const row = await this.table.getText(this.db, id);
    if (!row) throw notFound(this.def.type, id);
    const prefix = `{"id": ${JSON.stringify(id)}`;
    if (row.text.startsWith(prefix)) {
      return { json: `${prefix}, "href": ${JSON.stringify(this.href(ctx, id))}${row.text.slice(prefix.length)}`, version: row.version };
    }
    return { json: JSON.stringify(this.present(ctx, JSON.parse(row.text) as D)), version: row.version };
  }

  /** A resource as the caller may see it: another party's is not found. */
  async retrieveFor(ctx: RequestContext, id: string): Promise<Versioned<D>> {
    const r = await this.retrieve(id);
    this.assertVisible(ctx, id, r.doc);
    return r;
  }

  async find(id: string, q: Queryable = this.db): Promise<D | undefined> {
    return (await this.table.get(q, id))?.doc;
  }

  parseQuery(query: Record<string, unknown>): ParsedListQuery {
    return parseListQuery(query, this.known);
  }

  async list(query: ParsedListQuery, q: Queryable = this.db): Promise<{ items: D[]; total: number }> {
    const r = await this.table.list(q, query);
    return { items: r.rows.map((row) => row.doc), total: r.total };
  }

  /** A list page as clients see it: with hrefs and `fields` applied. */
  async listPresented(ctx: RequestContext, query: ParsedListQuery): Promise<{ items: Partial<D>[]; total: number }> {
    const party = this.confinedTo(ctx);
    const scoped = party === undefined ? query : { ...query, scope: { paths: this.def.partyPaths!.map((p) => p.split('.')), values: [party] } };
    const r = await this.list(scoped);
    return { items: r.items.map((d) => project(this.present(ctx, d), query.fields)), total: r.total };
  }

  // --- change --------------------------------------------------------------------------------

  /**
   * Replaces the stored document with `next` under a row lock: protected
   * attributes must be unchanged, the state may only move along the lifecycle,
   * the result must be valid. Emits attribute- and state-change events.
   */
  private async replace(t: Tx, current: StoredDocument<D>, nextInput: unknown, ctx: RequestContext, trusted: boolean): Promise<Versioned<D>> {
    if (!isObject(nextInput)) throw badRequest(`the patched ${this.def.type} must be a JSON object`);
    const before = current.doc as Doc;
    const next: Doc = { ...nextInput };
    if (next['id'] !== undefined && next['id'] !== before['id']) throw badRequest(`'id' cannot be modified`, 'id');
    next['id'] = before['id'];
    delete next['href'];
    for (const f of trusted ? [] : this.protectedFields) {
      if (f === 'id' || (this.def.lastUpdate && f === this.def.lastUpdate)) continue;
      if (!equalJson(next[f], before[f])) throw badRequest(`'${f}' cannot be modified`, f);
    }
    const lc = this.def.lifecycle;
    const stateBefore = lc ? String(before[lc.field]) : undefined;
    const stateAfter = lc ? next[lc.field] : undefined;
    if (lc) {
      if (typeof stateAfter !== 'string') throw badRequest(`${lc.field} is required and must be a string`, lc.field);
      if (stateAfter !== stateBefore) lc.assertMove(stateBefore!, stateAfter);
    }
    const now = clock.now();
    if (this.def.lastUpdate) next[this.def.lastUpdate] = before[this.def.lastUpdate];
    await this.def.onUpdate?.(next, before, ctx, t);
    const doc = this.finish(next, `invalid ${this.def.type}`);
    const changed = Object.keys({ ...before, ...doc }).filter((k) => !equalJson(before[k], (doc as Doc)[k]));
    if (changed.length === 0) return { doc: current.doc, version: current.version };
    if (this.def.lastUpdate) (doc as Doc)[this.def.lastUpdate] = now.toISOString();
    this.assertOwned(ctx, doc);
    await this.def.validate?.(doc, { op: 'update', before }, ctx, t);
    const stored = await this.table.update(t, current.id, doc, current.version, now);
    if (!stored) throw new OperonError('conflict', `${this.def.type} ${current.id} changed while being updated; retry`);
    t.audit(this.auditRecord(ctx, 'update', current.id, now, stored.version, before, stored.doc));
    const stateChanged = lc !== undefined && stateAfter !== stateBefore;
    const attrs = changed.filter((k) => !lc || k !== lc.field);
    if (this.def.changeEvents === 'combined') {
      this.emit(t, ctx, 'Change', stored.doc, changed);
    } else {
      if (stateChanged) this.emit(t, ctx, 'StateChange', stored.doc);
      if (attrs.length > 0) this.emit(t, ctx, 'AttributeValueChange', stored.doc, attrs);
    }
    return { doc: stored.doc, version: stored.version };
  }

  private async locked(t: Tx, ctx: RequestContext, id: string, ifMatch: string | undefined): Promise<StoredDocument<D>> {
    const current = await this.table.get(t, id, { forUpdate: true });
    if (!current) throw notFound(this.def.type, id);
    this.assertVisible(ctx, id, current.doc);
    if (ifMatch !== undefined && !etagMatches(ifMatch, current.version)) {
      throw preconditionFailed(`${this.def.type} ${id} is at version ${etagOf(current.version)}, not ${ifMatch}`);
    }
    return current;
  }

  /** PATCH with a merge patch (RFC 7386) or a JSON Patch (RFC 6902). */
  async patch(id: string, patch: PatchBody, ctx: RequestContext, opts: { ifMatch?: string } = {}, tx?: Tx): Promise<Versioned<D>> {
    if (patch.kind === 'merge' && !isObject(patch.body)) throw badRequest('a merge patch must be a JSON object');
    return this.within(tx, async (t) => {
      const current = await this.locked(t, ctx, id, opts.ifMatch);
      const next = patch.kind === 'merge' ? mergePatch(current.doc, patch.body) : jsonPatch(current.doc, patch.body);
      return this.replace(t, current, next, ctx, false);
    });
  }

  /**
   * Programmatic change for flows: `fn` returns the new document. Server-set
   * attributes may change; lifecycle, schema and business rules still apply.
   */
  async update(id: string, fn: (doc: D) => D | Promise<D>, ctx: RequestContext, tx?: Tx): Promise<Versioned<D>> {
    return this.within(tx, async (t) => {
      const current = await this.locked(t, ctx, id, undefined);
      const next = await fn(cloneJson(current.doc));
      return this.replace(t, current, next, ctx, true);
    });
  }

  /** Moves the resource to `state` (and merges `changes`), checked against the lifecycle. */
  async transition(id: string, state: string, ctx: RequestContext, changes: Doc = {}, tx?: Tx): Promise<Versioned<D>> {
    const lc = this.def.lifecycle;
    if (!lc) throw new Error(`${this.def.type} has no lifecycle`);
    return this.update(id, (doc) => ({ ...doc, ...changes, [lc.field]: state }) as D, ctx, tx);
  }

  async remove(id: string, ctx: RequestContext, opts: { ifMatch?: string } = {}, tx?: Tx): Promise<void> {
    await this.within(tx, async (t) => {
      const current = await this.locked(t, ctx, id, opts.ifMatch);
      const lc = this.def.lifecycle;
      if (lc) lc.assertDeletable(String((current.doc as Doc)[lc.field]));
      await this.def.beforeDelete?.(current.doc, ctx, t);
      await this.table.delete(t, id);
      this.emit(t, ctx, 'Delete', current.doc);
      t.audit(this.auditRecord(ctx, 'delete', id, clock.now(), current.version, current.doc));
    });
  }
}
