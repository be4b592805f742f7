/**
 * The TMF640 and TMF702 requests that reach the network. A POST or PATCH that
 * activates, deactivates or reconfigures a service (resource) records the
 * change it asks for, opens a monitor, and hands the change to the network
 * adapter. If the network answers within the wait, the client gets the result
 * (201/200, or the network's error); otherwise 202 with the monitor, which
 * completes when the network does. The answer is applied from the recorded
 * request, so one that arrives after a restart is applied all the same.
 */
import { badRequest, clock, conflict, preconditionFailed, type RequestContext } from '@operon/kernel';
import { type Database, type Tx } from '@operon/store';
import {
  assertValid, envelope, etagOf, eventType, jsonPatch, mergePatch, normaliseDates, toErrorResponse,
  type ComponentRuntime, type Doc, type PatchBody, type ResourceService, type Versioned,
} from '@operon/tmf';
import {
  NetworkError, isNetworkError,
  type NetworkAdapter, type NetworkCharacteristic, type NetworkOperation, type ResourceActivationRequest, type ResourceOutcome,
  type ServiceActivationRequest, type ServiceOutcome,
} from './network/adapter.ts';
import { isRecord, mergeCharacteristics, sleep } from './network/common.ts';
import { TABLES, TMF640_NAME, TMF702_NAME } from './resources.ts';
import { ResourceCreate } from './schemas.ts';

export type TargetApi = 'service' | 'resource';
type Action = 'activate' | 'deactivate' | 'modify';
type Outcome = ResourceOutcome | ServiceOutcome;

/** What an API route answers. */
export interface ActivationReply {
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

interface RequestRow {
  id: string;
  api: TargetApi;
  target_id: string;
  action: Action;
  method: 'POST' | 'PATCH';
  adapter_key: string;
  request: ResourceActivationRequest | ServiceActivationRequest;
  changes: Doc;
  removed: string[];
  target_state: string;
  base_url: string;
  correlation_id: string | null;
  principal: RequestContext['principal'] | null;
  state: 'InProgress' | 'Completed' | 'InError';
}

type Result = { ok: true; outcome: Outcome } | { ok: false; error: NetworkError };
type Settled = { ok: true; target: Versioned<Doc>; ctx: RequestContext } | { ok: false; error: NetworkError };

/** How one API's targets map onto the network. */
interface TargetRules {
  apiName: string;
  apiId: string;
  stateField: string;
  isActive(state: unknown): boolean;
  /** Attributes whose change, on an active target, reconfigures it. */
  networkAttributes: readonly string[];
  /** The target as stored while the network works on its first activation. */
  pending(doc: Doc): Doc;
  succeeded(doc: Doc, action: Action, targetState: string, outcome: Outcome): Doc;
  failed(doc: Doc, action: Action, error: NetworkError): Doc;
  request(doc: Doc): ResourceActivationRequest | ServiceActivationRequest;
  call(adapter: NetworkAdapter, action: Action, request: ResourceActivationRequest | ServiceActivationRequest, key: string): Promise<NetworkOperation<Outcome>>;
}

function pick(doc: Doc, keys: readonly string[]): Doc {
  const out: Doc = {};
  for (const k of keys) if (doc[k] !== undefined) out[k] = doc[k];
  return out;
}

const charsOf = (v: unknown): NetworkCharacteristic[] | undefined => (Array.isArray(v) ? (v as NetworkCharacteristic[]) : undefined);

function withNote(doc: Doc, text: string, noteField = 'note'): Doc {
  const notes = Array.isArray(doc[noteField]) ? (doc[noteField] as unknown[]) : [];
  return { ...doc, [noteField]: [...notes, { date: clock.iso(), author: 'Operon network activation', text }] };
}

const SERVICE_RULES: TargetRules = {
  apiName: TMF640_NAME,
  apiId: 'tmf640',
  stateField: 'state',
  isActive: (s) => s === 'active',
  networkAttributes: ['serviceCharacteristic', 'feature', 'supportingResource', 'supportingService', 'place', 'serviceSpecification'],
  pending: (doc) => ({ ...doc, state: 'inactive', hasStarted: false, isServiceEnabled: false }),
  succeeded(doc, action, targetState, outcome) {
    const chars = mergeCharacteristics(charsOf(doc['serviceCharacteristic']), (outcome as ServiceOutcome).serviceCharacteristic);
    const configured = chars.length ? { serviceCharacteristic: chars } : {};
    if (action === 'deactivate') {
      return { ...doc, state: targetState, isServiceEnabled: false, ...(targetState === 'terminated' ? { endDate: clock.iso() } : {}) };
    }
    return { ...doc, ...configured, state: 'active', hasStarted: true, isServiceEnabled: true, startDate: doc['startDate'] ?? clock.iso() };
  },
  failed(doc, action, error) {
    // not enabled although started: how TMF640 says a service has failed
    const marked = action === 'activate' ? { ...doc, hasStarted: true, isServiceEnabled: false } : doc;
    return withNote(marked, `${action} failed (${error.networkCode}): ${error.message}`);
  },
  request: (doc) => pick(doc, ['id', 'name', 'category', '@type', 'serviceSpecification', 'serviceCharacteristic', 'supportingResource', 'supportingService', 'relatedParty', 'place']) as unknown as ServiceActivationRequest,
  call(adapter, action, request, key) {
    const r = request as ServiceActivationRequest;
    const options = { idempotencyKey: key };
    return action === 'activate' ? adapter.activateService(r, options) : action === 'deactivate' ? adapter.deactivateService(r, options) : adapter.modifyService(r, options);
  },
};

const RESOURCE_RULES: TargetRules = {
  apiName: TMF702_NAME,
  apiId: 'tmf702',
  stateField: 'administrativeState',
  isActive: (s) => s === 'unlocked',
  networkAttributes: ['resourceCharacteristic', 'activationFeature', 'place', 'value', 'resourceSpecification'],
  pending: (doc) => ({ ...doc, administrativeState: 'locked', operationalState: 'disable' }),
  succeeded(doc, action, targetState, outcome) {
    if (action === 'deactivate') return { ...doc, administrativeState: targetState, operationalState: 'disable' };
    const chars = mergeCharacteristics(charsOf(doc['resourceCharacteristic']), (outcome as ResourceOutcome).resourceCharacteristic);
    return {
      ...doc, ...(chars.length ? { resourceCharacteristic: chars } : {}),
      administrativeState: 'unlocked', operationalState: 'enable', startOperatingDate: doc['startOperatingDate'] ?? clock.iso(),
    };
  },
  failed(doc, action, error) {
    const marked = action === 'activate' ? { ...doc, operationalState: 'disable' } : doc;
    return withNote(marked, `${action} failed (${error.networkCode}): ${error.message}`);
  },
  request: (doc) => pick(doc, ['id', 'name', 'category', '@type', 'value', 'resourceSpecification', 'resourceCharacteristic', 'place', 'relatedParty']) as unknown as ResourceActivationRequest,
  call(adapter, action, request, key) {
    const r = request as ResourceActivationRequest;
    const options = { idempotencyKey: key };
    return action === 'activate' ? adapter.activateResource(r, options) : action === 'deactivate' ? adapter.deactivateResource(r, options) : adapter.modifyResource(r, options);
  },
};

const RULES: Record<TargetApi, TargetRules> = { service: SERVICE_RULES, resource: RESOURCE_RULES };

const sameJson = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

function etagMatches(header: string, version: number): boolean {
  if (header.trim() === '*') return true;
  return header.split(',').some((t) => {
    const m = /^(W\/)?"(\d+)"$/.exec(t.trim());
    return m !== null && Number(m[2]) === version;
  });
}

/** What the network has to do to take a target from `before` to `after`, if anything. */
function networkAction(rules: TargetRules, before: Doc, after: Doc): Action | undefined {
  const was = rules.isActive(before[rules.stateField]);
  const will = rules.isActive(after[rules.stateField]);
  if (!was && will) return 'activate';
  if (was && !will) return 'deactivate';
  if (was && will && rules.networkAttributes.some((k) => !sameJson(before[k], after[k]))) return 'modify';
  return undefined;
}

class DryRun extends Error {}

const JSON_HEADER = [{ name: 'Content-Type', value: 'application/json' }];

export class ActivationRequests {
  private readonly db: Database;
  /** Aborted when Operon stops: background waits end quietly, and the next start resumes them. */
  private readonly stopping = new AbortController();

  constructor(
    private readonly runtime: ComponentRuntime,
    readonly adapter: NetworkAdapter,
    private readonly waitMs: number,
    private readonly log: (message: string, detail: Record<string, unknown>) => void = () => {},
  ) {
    this.db = runtime.db;
  }

  private services(api: TargetApi): { rules: TargetRules; target: ResourceService; monitors: ResourceService } {
    const rules = RULES[api];
    const apiServices = this.runtime.services.get(rules.apiName);
    const target = apiServices?.get(api);
    const monitors = apiServices?.get('monitor');
    if (!target || !monitors) throw new Error(`the ${rules.apiName} API is not mounted`);
    return { rules, target, monitors };
  }

  // --- POST ----------------------------------------------------------------------------------

  /** TMF640 POST /service: a service asked to be `active` is activated on the network; others are recorded. */
  async postService(body: unknown, ctx: RequestContext): Promise<ActivationReply> {
    const { target } = this.services('service');
    if (!isRecord(body)) throw badRequest('the body of a Service must be a JSON object');
    if (body['state'] !== 'active') return this.created(target, ctx, await target.create(body, ctx));
    const pending = SERVICE_RULES.pending(body);
    const row = await this.db.tx(async (tx) => {
      const created = await target.create(pending, ctx, tx);
      return this.open(tx, 'service', { ...created.doc, state: 'active' }, { action: 'activate', method: 'POST', requestBody: body, changes: {}, removed: [], targetState: 'active' }, ctx);
    });
    return this.run(row, ctx);
  }

  /** TMF702 POST /resource: the resource, under its inventory id, is activated unless asked to stay locked. */
  async postResource(body: unknown, ctx: RequestContext): Promise<ActivationReply> {
    const { target } = this.services('resource');
    if (!isRecord(body)) throw badRequest('the body of a Resource must be a JSON object');
    // TMF702 names the resource by its inventory id and href: both required
    assertValid(ResourceCreate, normaliseDates(ResourceCreate, body), 'invalid Resource');
    const { id, href: _inventoryHref, ...rest } = body as Doc & { id: string };
    if (rest['administrativeState'] !== undefined && rest['administrativeState'] !== 'unlocked') {
      return this.created(target, ctx, await this.db.tx((tx) => createWithId(target, id, rest, ctx, tx)));
    }
    const row = await this.db.tx(async (tx) => {
      const created = await createWithId(target, id, RESOURCE_RULES.pending(rest), ctx, tx);
      return this.open(tx, 'resource', { ...created.doc, administrativeState: 'unlocked' }, { action: 'activate', method: 'POST', requestBody: body, changes: {}, removed: [], targetState: 'unlocked' }, ctx);
    });
    return this.run(row, ctx);
  }

  private created(target: ResourceService, ctx: RequestContext, r: Versioned<Doc>): ActivationReply {
    const body = target.present(ctx, r.doc);
    return { status: 201, headers: { Location: String(body['href']), ETag: etagOf(r.version) }, body };
  }

  // --- PATCH ---------------------------------------------------------------------------------

  /** PATCH of a service or resource: through the network when it activates, deactivates or reconfigures it. */
  async patch(api: TargetApi, id: string, patch: PatchBody, ctx: RequestContext, ifMatch?: string): Promise<ActivationReply> {
    const { rules, target } = this.services(api);
    const current = await target.retrieveFor(ctx, id);
    if (ifMatch !== undefined && !etagMatches(ifMatch, current.version)) {
      throw preconditionFailed(`${api} ${id} is at version ${etagOf(current.version)}, not ${ifMatch}`);
    }
    await this.assertIdle(api, id);
    if (patch.kind === 'merge' && !isRecord(patch.body)) throw badRequest('a merge patch must be a JSON object');
    const next = patch.kind === 'merge' ? mergePatch(current.doc, patch.body) : jsonPatch(current.doc, patch.body);
    const action = isRecord(next) ? networkAction(rules, current.doc, next) : undefined;
    const options = ifMatch === undefined ? {} : { ifMatch };
    if (!action || !isRecord(next)) {
      const r = await target.patch(id, patch, ctx, options);
      return { status: 200, headers: { ETag: etagOf(r.version) }, body: target.present(ctx, r.doc) };
    }
    // the change must be valid before the network is asked to make it: try it, and roll it back
    try {
      await this.db.tx(async (tx) => {
        await target.patch(id, patch, ctx, options, tx);
        throw new DryRun();
      });
    } catch (e) {
      if (!(e instanceof DryRun)) throw e;
    }
    const changes: Doc = {};
    const removed: string[] = [];
    for (const k of new Set([...Object.keys(current.doc), ...Object.keys(next)])) {
      if (k === 'id' || k === 'href' || k === rules.stateField) continue;
      if (!(k in next)) removed.push(k);
      else if (!sameJson(current.doc[k], next[k])) changes[k] = next[k];
    }
    const row = await this.db.tx(async (tx) => {
      const locked = await target.table.get(tx, id, { forUpdate: true });
      if (!locked || locked.version !== current.version) throw conflict(`${api} ${id} changed while the request was prepared; retry`);
      return this.open(tx, api, { ...next, id }, { action, method: 'PATCH', requestBody: patch.body, changes, removed, targetState: String(next[rules.stateField]) }, ctx);
    });
    return this.run(row, ctx);
  }

  private async assertIdle(api: TargetApi, id: string): Promise<void> {
    const r = await this.db.query<{ id: string }>(`SELECT id FROM ${TABLES.request} WHERE api = $1 AND target_id = $2 AND state = 'InProgress'`, [api, id]);
    if (r.rows[0]) throw conflict(`the network is working on ${api} ${id} (monitor ${r.rows[0].id}); retry when it is done`);
  }

  // --- the request and its monitor -----------------------------------------------------------

  /** Opens the monitor and records the request, in the caller's transaction. */
  private async open(
    tx: Tx, api: TargetApi, desired: Doc,
    r: { action: Action; method: 'POST' | 'PATCH'; requestBody: unknown; changes: Doc; removed: string[]; targetState: string },
    ctx: RequestContext,
  ): Promise<RequestRow> {
    const { rules, target, monitors } = this.services(api);
    const targetId = String(desired['id']);
    const monitor = await monitors.create({
      state: 'InProgress',
      sourceHref: target.href(ctx, targetId),
      request: {
        method: r.method,
        to: r.method === 'POST' ? `${ctx.baseUrl}${target.api.basePath}/${api}` : target.href(ctx, targetId),
        header: JSON_HEADER,
        body: JSON.stringify(r.requestBody),
      },
    }, ctx, tx);
    const monitorId = String(monitor.doc['id']);
    const row: RequestRow = {
      id: monitorId, api, target_id: targetId, action: r.action, method: r.method, adapter_key: `${rules.apiId}:${monitorId}`,
      request: rules.request(desired), changes: r.changes, removed: r.removed, target_state: r.targetState,
      base_url: ctx.baseUrl, correlation_id: ctx.correlationId ?? null, principal: ctx.principal ?? null, state: 'InProgress',
    };
    await tx.query('SAVEPOINT open_request');
    try {
      await tx.query(
        `INSERT INTO ${TABLES.request} (id, api, target_id, action, method, adapter_key, request, changes, removed, target_state, base_url, correlation_id, principal)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
        [row.id, api, targetId, row.action, row.method, row.adapter_key, JSON.stringify(row.request), JSON.stringify(row.changes), row.removed, row.target_state,
          row.base_url, row.correlation_id, row.principal ? JSON.stringify(row.principal) : null],
      );
    } catch (e) {
      if ((e as { code?: string }).code !== '23505') throw e;
      await tx.query('ROLLBACK TO SAVEPOINT open_request');
      throw conflict(`the network is already working on ${api} ${targetId}; retry when it is done`);
    }
    return row;
  }

  /** Starts the network operation and waits for it at most the configured time. */
  private async run(row: RequestRow, ctx: RequestContext): Promise<ActivationReply> {
    const settled = this.launch(row);
    const first = await Promise.race([settled, sleep(this.waitMs).then(() => 'waiting' as const)]);
    if (first !== 'waiting' && first !== undefined) {
      if (!first.ok) throw first.error;
      const { target } = this.services(row.api);
      const body = target.present(ctx, first.target.doc);
      return {
        status: row.method === 'POST' ? 201 : 200,
        headers: { ...(row.method === 'POST' ? { Location: String(body['href']) } : {}), ETag: etagOf(first.target.version) },
        body,
      };
    }
    const { target, monitors } = this.services(row.api);
    const now = await target.retrieve(row.target_id);
    return {
      status: 202,
      headers: { monitorId: row.id, Location: monitors.href(ctx, row.id), ETag: etagOf(now.version) },
      body: target.present(ctx, now.doc),
    };
  }

  /** The operation, in the background: resolves once its answer is applied (never rejects). */
  private launch(row: RequestRow): Promise<Settled | undefined> {
    const { rules } = this.services(row.api);
    const work = async (): Promise<Settled | undefined> => {
      let result: Result;
      try {
        const op = await rules.call(this.adapter, row.action, row.request, row.adapter_key);
        result = { ok: true, outcome: await op.done({ signal: this.stopping.signal }) };
      } catch (e) {
        // stopping: the request stays in progress, for recover() at the next start
        if (this.stopping.signal.aborted) return undefined;
        if (isNetworkError(e)) result = { ok: false, error: e };
        else {
          this.log('the network adapter failed', { monitor: row.id, error: e instanceof Error ? e.stack ?? e.message : String(e) });
          result = { ok: false, error: new NetworkError('unavailable', 'the network adapter failed unexpectedly; nothing is known to have been done') };
        }
      }
      return this.settle(row, result);
    };
    return work().catch((e: unknown) => {
      if (!this.stopping.signal.aborted) this.log('could not record the network answer', { monitor: row.id, error: e instanceof Error ? e.message : String(e) });
      return undefined;
    });
  }

  /** Ends the background waits (Operon is stopping); what they were waiting for is resumed by the next start. */
  stop(): void {
    this.stopping.abort();
  }

  /** Applies the network's answer to the target and closes the monitor, once. */
  private settle(row: RequestRow, result: Result): Promise<Settled> {
    const { rules, target, monitors } = this.services(row.api);
    const ctx: RequestContext = {
      baseUrl: row.base_url,
      ...(row.correlation_id ? { correlationId: row.correlation_id } : {}),
      ...(row.principal ? { principal: row.principal } : {}),
    };
    return this.db.tx(async (tx) => {
      const r = await tx.query<{ state: string }>(`SELECT state FROM ${TABLES.request} WHERE id = $1 FOR UPDATE`, [row.id]);
      if (r.rows[0]?.state !== 'InProgress') {
        // another node applied it already
        return result.ok ? { ok: true as const, target: await target.retrieve(row.target_id, tx), ctx } : { ok: false as const, error: result.error };
      }
      let updated: Versioned<Doc>;
      let response: Doc;
      if (result.ok) {
        updated = await target.update(row.target_id, (doc) => {
          const next: Doc = { ...doc, ...row.changes };
          for (const k of row.removed) delete next[k];
          return rules.succeeded(next, row.action, row.target_state, result.outcome);
        }, ctx, tx);
        response = { statusCode: row.method === 'POST' ? '201' : '200', header: JSON_HEADER, body: JSON.stringify(target.present(ctx, updated.doc)) };
      } else {
        updated = await target.update(row.target_id, (doc) => rules.failed(doc, row.action, result.error), ctx, tx);
        const e = toErrorResponse(result.error);
        response = { statusCode: String(e.status), header: JSON_HEADER, body: JSON.stringify(e.body) };
      }
      await monitors.update(row.id, (m) => ({ ...m, state: result.ok ? 'Completed' : 'InError', response }), ctx, tx);
      await tx.query(`UPDATE ${TABLES.request} SET state = $2, finished_at = now() WHERE id = $1`, [row.id, result.ok ? 'Completed' : 'InError']);
      return result.ok ? { ok: true as const, target: updated, ctx } : { ok: false as const, error: result.error };
    });
  }

  /** Follows again every request still open (after a restart): the adapter finds each by its key. */
  async recover(): Promise<number> {
    const open = await this.db.query<RequestRow>(`SELECT * FROM ${TABLES.request} WHERE state = 'InProgress' ORDER BY created_at`);
    for (const row of open.rows) void this.launch(row);
    return open.rows.length;
  }
}

/**
 * Creates a resource under an id the client chose (TMF702 names a resource by
 * its inventory id), with the kit's validation, event and audit record.
 */
export async function createWithId(svc: ResourceService, id: string, input: Doc, ctx: RequestContext, tx: Tx): Promise<Versioned<Doc>> {
  const def = svc.def;
  if (typeof id !== 'string' || id === '' || id.length > 200 || /[/?#]/.test(id)) throw badRequest('id must be 1 to 200 characters, without / ? or #', 'id');
  const now = clock.now();
  const draft: Doc = { id, ...input };
  draft['@type'] ??= def.type;
  const lc = def.lifecycle;
  if (lc) {
    draft[lc.field] ??= lc.initial;
    if (typeof draft[lc.field] !== 'string') throw badRequest(`${lc.field} must be a string`, lc.field);
    if (!lc.isState(draft[lc.field])) lc.assertMove(lc.initial, String(draft[lc.field]));
    lc.assertCreatable(String(draft[lc.field]));
  }
  await def.onCreate?.(draft, ctx, tx);
  const doc = normaliseDates(def.schema, draft) as Doc;
  if (typeof doc['@schemaLocation'] !== 'string') {
    for (const k of Object.keys(doc)) if (!svc.known.has(k)) throw badRequest(`invalid ${def.type}: '${k}' is not an attribute of ${def.type}`, k);
  }
  assertValid(def.schema, doc, `invalid ${def.type}`);
  await def.validate?.(doc, { op: 'create' }, ctx, tx);
  const stored = await svc.table.insert(tx, id, doc, now);
  tx.emit({
    api: svc.api.name,
    eventType: eventType(def.type, 'Create'),
    resourceType: def.type,
    resourceId: id,
    payload: envelope({ api: svc.api.name, resourceType: def.type, kind: 'Create', resource: svc.present(ctx, doc), ...(ctx.correlationId ? { correlationId: ctx.correlationId } : {}) }),
  });
  const p = ctx.principal;
  tx.audit({
    at: now, action: 'create', api: svc.api.name, resourceType: def.type, resourceId: id, version: 1, after: doc,
    principalId: p?.id ?? 'anonymous', roles: p?.roles ?? [], ...(p?.name ? { principalName: p.name } : {}),
    ...(ctx.correlationId ? { correlationId: ctx.correlationId } : {}),
  });
  return { doc: stored.doc, version: stored.version };
}

