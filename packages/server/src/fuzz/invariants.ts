/**
 * What must hold of the stored data after a fuzz run: every document of every
 * resource table valid against its resource schema and the official
 * specification; the outbox and the audit trail consistent with the stored
 * documents (an event and an audit record for every write that happened, none
 * for a write that was refused); listeners, users and keys well-formed.
 */
import { isDeepStrictEqual } from 'node:util';
import type { RequestContext } from '@operon/kernel';
import { parseHubQuery } from '@operon/store';
import { assertValid, eventType, lowerFirst, type ResourceService } from '@operon/tmf';
import { loadSpec } from '@operon/tmf/testing';
import { components } from '../components.ts';
import type { RunningOperon } from '../operon.ts';
import { ROLES, PARTY_CONFINED_ROLES, type Role } from '../security/roles.ts';

type Doc = Record<string, unknown>;

interface Row {
  id: string;
  version: number;
  doc: Doc;
}

const LIMIT = 5;

/** Every stored document, one resource at a time; problems as lines. */
export async function storeViolations(op: Pick<RunningOperon, 'db' | 'runtime'>): Promise<string[]> {
  const problems: string[] = [];
  const specOf = new Map(components.flatMap((c) => c.exposes.map((a) => [a.name, a.id] as const)));
  const ctx: RequestContext = { baseUrl: 'http://operon.invalid' };
  for (const [apiName, services] of op.runtime.services) {
    for (const svc of services.values()) {
      const where = `${apiName}/${svc.def.name}`;
      const rows = (await op.db.query<Row>(`SELECT id, version, doc FROM ${svc.table.table} ORDER BY id`)).rows;
      const oracle = loadSpec(specOf.get(apiName)!);
      const checkSpec = oracle.definitions.includes(svc.def.type);
      let bad = 0;
      for (const r of rows) {
        const found: string[] = [];
        if (r.doc['id'] !== r.id) found.push(`doc.id ${JSON.stringify(r.doc['id'])} is not the row id`);
        try {
          assertValid(svc.def.schema, r.doc, 'stored');
        } catch (e) {
          found.push((e as Error).message);
        }
        if (typeof r.doc['@schemaLocation'] !== 'string') {
          const unknown = Object.keys(r.doc).filter((k) => !svc.known.has(k));
          if (unknown.length) found.push(`unknown attributes ${unknown.join(', ')}`);
        }
        if (checkSpec) {
          const errs = oracle.errors(svc.def.type, svc.present(ctx, r.doc));
          if (errs.length) found.push(`not a valid ${svc.def.type}: ${errs.slice(0, 2).join('; ')}`);
        }
        if (found.length && bad++ < LIMIT) problems.push(`${where} ${r.id}: ${found.join('; ')}`);
      }
      problems.push(...(await trailViolations(op, svc, rows, where)));
    }
  }
  problems.push(...(await securityViolations(op)));
  return problems;
}

/** The outbox and the audit trail of one resource against its table. */
async function trailViolations(op: Pick<RunningOperon, 'db'>, svc: ResourceService, rows: readonly Row[], where: string): Promise<string[]> {
  const problems: string[] = [];
  const { type } = svc.def;
  const api = svc.api.name;
  const stored = new Map(rows.map((r) => [r.id, r]));

  const audits = (await op.db.query<{ resource_id: string; action: string; version: number | null; after: Doc | null }>(
    'SELECT resource_id, action, version, after FROM audit_log WHERE api = $1 AND resource_type = $2 ORDER BY seq',
    [api, type],
  )).rows;
  const auditOf = new Map<string, typeof audits>();
  for (const a of audits) auditOf.set(a.resource_id, [...(auditOf.get(a.resource_id) ?? []), a]);
  let bad = 0;
  const say = (line: string) => {
    if (bad++ < LIMIT) problems.push(`${where} ${line}`);
  };
  for (const r of rows) {
    const trail = auditOf.get(r.id) ?? [];
    const writes = trail.filter((a) => a.action !== 'delete');
    if (trail.some((a) => a.action === 'delete')) say(`${r.id}: stored, yet the audit trail records its deletion`);
    if (writes.length !== r.version) say(`${r.id}: version ${r.version}, yet ${writes.length} audited writes`);
    const last = writes[writes.length - 1];
    if (last && !isDeepStrictEqual(last.after, r.doc)) say(`${r.id}: the last audit record does not hold the stored document`);
  }
  for (const [id, trail] of auditOf) {
    if (!stored.has(id) && !trail.some((a) => a.action === 'delete')) say(`${id}: audited writes of a document that is not stored and was never deleted`);
  }

  const events = (await op.db.query<{ resource_id: string; event_type: string; payload: Doc }>(
    'SELECT resource_id, event_type, payload FROM outbox WHERE api = $1 AND resource_type = $2 ORDER BY seq',
    [api, type],
  )).rows;
  const eventsOf = new Map<string, typeof events>();
  for (const e of events) eventsOf.set(e.resource_id, [...(eventsOf.get(e.resource_id) ?? []), e]);
  const created = eventType(type, 'Create');
  const deleted = eventType(type, 'Delete');
  const changeKinds = svc.def.changeEvents === 'combined' ? ['Change'] : ['AttributeValueChange', ...(svc.def.lifecycle ? ['StateChange'] : [])];
  const tracksChanges = svc.events.includes('Create') && changeKinds.every((k) => svc.events.includes(k as never));
  const property = svc.def.eventProperty ?? lowerFirst(type);
  for (const [id, list] of eventsOf) {
    const isStored = stored.has(id);
    const deleteEvent = list.some((e) => e.event_type === deleted);
    // an API without a delete event (TMF620's jobs) leaves the deletion to the audit trail
    const wasDeleted = deleteEvent || (auditOf.get(id) ?? []).some((a) => a.action === 'delete');
    if (!isStored && !wasDeleted) say(`${id}: ${list.length} events for a document that is not stored and was never deleted (first: ${list[0]!.event_type})`);
    if (isStored && deleteEvent) say(`${id}: stored, yet a ${deleted} was published`);
    if (list.filter((e) => e.event_type === created).length > 1) say(`${id}: more than one ${created}`);
  }
  for (const r of rows) {
    const list = eventsOf.get(r.id) ?? [];
    if (svc.events.includes('Create') && !list.some((e) => e.event_type === created)) say(`${r.id}: stored without a ${created}`);
    if (tracksChanges && list.length) {
      const resource = ((list[list.length - 1]!.payload['event'] as Doc | undefined)?.[property] ?? {}) as Doc;
      const { href: _href, ...published } = resource;
      if (!isDeepStrictEqual(published, r.doc)) say(`${r.id}: the last event (${list[list.length - 1]!.event_type}) does not carry the stored document`);
    }
  }
  return problems;
}

/** Listeners, users and keys as stored: callbacks are http(s) URLs, queries readable, roles known. */
async function securityViolations(op: Pick<RunningOperon, 'db'>): Promise<string[]> {
  const problems: string[] = [];
  const hubs = (await op.db.query<{ id: string; callback: string; query: string | null }>(`SELECT id, callback, query FROM event_consumer WHERE kind = 'hub'`)).rows;
  for (const h of hubs) {
    try {
      if (!/^https?:$/.test(new URL(h.callback).protocol)) problems.push(`listener ${h.id}: callback ${h.callback} is not http(s)`);
      parseHubQuery(h.query);
    } catch (e) {
      problems.push(`listener ${h.id}: ${(e as Error).message}`);
    }
  }
  const principals = [
    ...(await op.db.query<{ id: string; username: string; roles: string[]; party_id: string | null }>('SELECT id, username, roles, party_id FROM operon_user')).rows.map((u) => ({ what: `user ${u.username}`, ...u })),
    ...(await op.db.query<{ id: string; name: string; roles: string[]; party_id: string | null }>('SELECT id, name, roles, party_id FROM operon_api_key')).rows.map((k) => ({ what: `key ${k.id}`, username: undefined, ...k })),
  ];
  for (const p of principals) {
    if (p.username !== undefined && !/^[A-Za-z0-9._@-]{3,64}$/.test(p.username)) problems.push(`${p.what}: username is not well-formed`);
    if (!p.roles.length || p.roles.some((r) => !(r in ROLES))) problems.push(`${p.what}: roles ${JSON.stringify(p.roles)}`);
    if (p.roles.some((r) => PARTY_CONFINED_ROLES.includes(r as Role)) && !p.party_id) problems.push(`${p.what}: a confined role without a party`);
  }
  return problems;
}

/** Counts of the outbox and the audit trail, to show a run changed nothing. */
export async function trailCounts(op: Pick<RunningOperon, 'db'>): Promise<{ outbox: number; audit: number }> {
  const r = await op.db.query<{ outbox: number; audit: number }>('SELECT (SELECT count(*) FROM outbox)::int AS outbox, (SELECT count(*) FROM audit_log)::int AS audit');
  return r.rows[0]!;
}

/** Audited writes of one principal that touched a document not of `partyId`. */
export async function writesOutsideParty(op: Pick<RunningOperon, 'db' | 'runtime'>, principalId: string, partyId: string): Promise<string[]> {
  const rows = (await op.db.query<{ api: string; resource_type: string; resource_id: string; before: Doc | null; after: Doc | null }>(
    'SELECT api, resource_type, resource_id, operon_audit_before(before, after, undo) AS before, after FROM audit_log WHERE principal_id = $1',
    [principalId],
  )).rows;
  const out: string[] = [];
  for (const r of rows) {
    const svc = [...(op.runtime.services.get(r.api)?.values() ?? [])].find((s) => s.def.type === r.resource_type);
    if (!svc) continue;
    for (const d of [r.before, r.after]) {
      if (d && !svc.belongsTo(d, partyId)) out.push(`${principalId} wrote ${r.resource_type} ${r.resource_id}, which is not of party ${partyId}`);
    }
  }
  return out;
}
