/**
 * What the simulated network configures, in its own tables, by the rules a
 * real one keeps: a resource is recognised by the characteristics that
 * identify it on the network (an OLT and PON port, a VLAN id, an address, an
 * ICCID and IMSI, a number, a SIP user), is configured once, and nothing it
 * needs may already serve another resource.
 *
 * Every function here runs inside the caller's transaction (under a
 * savepoint): a failure part-way leaves nothing configured.
 */
import type { Queryable } from '@operon/store';
import {
  NetworkError, type NetworkCharacteristic, type ResourceActivationRequest, type ServiceActivationRequest,
} from './adapter.ts';
import { characteristic, mergeCharacteristics } from './common.ts';

export type ResourceKind = 'ontPort' | 'vlan' | 'ipAddress' | 'simCard' | 'msisdn' | 'telephoneNumber' | 'sipAccount';

/** Characteristics that steer the simulation; they are never configured. */
export const CONTROL_CHARACTERISTICS = new Set(['simulateFailure', 'simulateLatencyMs']);

type Identity =
  | { kind: 'ontPort'; oltId: string; ponPort: string; onuId: number | undefined }
  | { kind: 'vlan'; scope: string; vlanId: number }
  | { kind: 'ipAddress'; address: string; pool: string | undefined }
  | { kind: 'simCard'; iccid: string; imsi: string }
  | { kind: 'msisdn' | 'telephoneNumber'; number: string }
  | { kind: 'sipAccount'; username: string; domain: string };

/** Tables of configured resources, with the words used for what their key identifies. */
const TABLES: Record<ResourceKind, { table: string; what: string }> = {
  ontPort: { table: 'activation_sim_ont_port', what: 'ONT port' },
  vlan: { table: 'activation_sim_vlan', what: 'VLAN' },
  ipAddress: { table: 'activation_sim_ip_binding', what: 'IP address' },
  simCard: { table: 'activation_sim_sim_card', what: 'SIM card' },
  msisdn: { table: 'activation_sim_number', what: 'number' },
  telephoneNumber: { table: 'activation_sim_number', what: 'number' },
  sipAccount: { table: 'activation_sim_sip_account', what: 'SIP account' },
};
const RESOURCE_TABLES = [...new Set(Object.values(TABLES).map((t) => t.table))];

const invalid = (message: string) => new NetworkError('invalidRequest', message);

function text(v: unknown): string | undefined {
  if (typeof v === 'string' && v.trim() !== '') return v.trim();
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return undefined;
}

function integer(v: unknown, name: string, min: number, max: number): number {
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\d+$/.test(v.trim()) ? Number(v) : NaN;
  if (!Number.isInteger(n) || n < min || n > max) throw invalid(`${name} must be an integer from ${min} to ${max}, not ${JSON.stringify(v)}`);
  return n;
}

function ipv4(v: string): number | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(v);
  if (!m) return undefined;
  const parts = m.slice(1).map(Number);
  if (parts.some((p) => p > 255)) return undefined;
  return parts.reduce((acc, p) => acc * 256 + p, 0);
}

function e164(v: unknown, name: string): string {
  const s = text(v)?.replace(/[\s-]/g, '');
  if (!s || !/^\+?[1-9]\d{6,14}$/.test(s)) throw invalid(`${name} must be a number in E.164 form, not ${JSON.stringify(v)}`);
  return s.startsWith('+') ? s : `+${s}`;
}

/** What identifies the resource on the network, read from its characteristics (or its value). */
export function identify(req: ResourceActivationRequest): Identity {
  const chars = req.resourceCharacteristic;
  const c = (name: string) => characteristic(chars, name);
  const oltId = text(c('oltId'));
  const ponPort = text(c('ponPort'));
  if (oltId !== undefined || ponPort !== undefined) {
    if (!oltId || !/^[\w.:-]{1,64}$/.test(oltId)) throw invalid(`oltId must name an OLT (letters, digits, . : _ -), not ${JSON.stringify(c('oltId'))}`);
    if (!ponPort || !/^\d{1,2}\/\d{1,2}\/\d{1,3}$/.test(ponPort)) throw invalid(`ponPort must be shelf/slot/port such as 1/1/3, not ${JSON.stringify(c('ponPort'))}`);
    const onu = c('onuId');
    return { kind: 'ontPort', oltId, ponPort, onuId: onu === undefined || onu === null || onu === '' ? undefined : integer(onu, 'onuId', 0, 127) };
  }
  if (c('vlanId') !== undefined) {
    return { kind: 'vlan', scope: text(c('oltId')) ?? 'default', vlanId: integer(c('vlanId'), 'vlanId', 2, 4094) };
  }
  const address = c('address') ?? c('ipAddress');
  if (address !== undefined) {
    const a = text(address);
    const n = a === undefined ? undefined : ipv4(a);
    if (a === undefined || n === undefined) throw invalid(`address must be an IPv4 address in dotted-quad form, not ${JSON.stringify(address)}`);
    const pool = text(c('pool'));
    if (pool !== undefined) {
      const m = /^(.+)\/(\d{1,2})$/.exec(pool);
      const base = m ? ipv4(m[1]!) : undefined;
      const bits = m ? Number(m[2]) : NaN;
      if (base === undefined || !(bits >= 0 && bits <= 32)) throw invalid(`pool must be an IPv4 prefix such as 192.0.2.0/24, not ${JSON.stringify(pool)}`);
      const size = 2 ** (32 - bits);
      if (Math.floor(n / size) !== Math.floor(base / size)) throw invalid(`address ${a} is not in pool ${pool}`);
    }
    return { kind: 'ipAddress', address: a, pool };
  }
  if (c('iccid') !== undefined || c('imsi') !== undefined) {
    const iccid = text(c('iccid'));
    const imsi = text(c('imsi'));
    if (!iccid || !/^\d{18,22}$/.test(iccid)) throw invalid(`iccid must be 18 to 22 digits, not ${JSON.stringify(c('iccid'))}`);
    if (!imsi || !/^\d{14,15}$/.test(imsi)) throw invalid(`imsi must be 14 or 15 digits, not ${JSON.stringify(c('imsi'))}`);
    return { kind: 'simCard', iccid, imsi };
  }
  if (c('msisdn') !== undefined) return { kind: 'msisdn', number: e164(c('msisdn'), 'msisdn') };
  if (c('number') !== undefined) return { kind: 'telephoneNumber', number: e164(c('number'), 'number') };
  if (c('username') !== undefined) {
    const username = text(c('username'));
    if (!username || !/^[\w.+-]{1,64}$/.test(username)) throw invalid(`username must be a SIP user name, not ${JSON.stringify(c('username'))}`);
    return { kind: 'sipAccount', username, domain: text(c('domain')) ?? 'default' };
  }
  throw new NetworkError(
    'unknownResource',
    `the network does not know resource ${req.id}${req.name ? ` (${req.name})` : ''}: none of its characteristics identifies it ` +
      '(oltId and ponPort, vlanId, address, iccid and imsi, msisdn, number, or username)',
  );
}

/** The characteristics to keep configured: the request's, without the simulation's own. */
function configured(req: ResourceActivationRequest, extra: NetworkCharacteristic[] = []): NetworkCharacteristic[] {
  const own = (req.resourceCharacteristic ?? []).filter((c) => !CONTROL_CHARACTERISTICS.has(c.name)).map(({ name, value, valueType }) => ({ name, value, ...(valueType ? { valueType } : {}) }));
  return mergeCharacteristics(own, extra);
}

/** One statement asks every table of configured resources, in the order of TABLES (a number is a msisdn or a geographic one). */
const FIND_RESOURCES = `SELECT resource_id, kind, config FROM (${(Object.entries(TABLES) as [ResourceKind, { table: string }][])
  .map(([kind, t], i) => {
    const extra = t.table === 'activation_sim_number' ? ` AND number_type = '${kind === 'msisdn' ? 'msisdn' : 'geographic'}'` : '';
    return `SELECT resource_id, '${kind}' AS kind, config, ${i} AS o FROM ${t.table} WHERE resource_id = ANY($1::text[])${extra}`;
  })
  .join(' UNION ALL ')}) x ORDER BY resource_id, o`;

/** The kind of resource configured under each of these ids, with what it was configured with. */
async function findResources(q: Queryable, resourceIds: readonly string[]): Promise<Map<string, { kind: ResourceKind; config: NetworkCharacteristic[] }>> {
  const found = new Map<string, { kind: ResourceKind; config: NetworkCharacteristic[] }>();
  if (!resourceIds.length) return found;
  const r = await q.query<{ resource_id: string; kind: ResourceKind; config: NetworkCharacteristic[] }>(FIND_RESOURCES, [resourceIds]);
  for (const row of r.rows) if (!found.has(row.resource_id)) found.set(row.resource_id, { kind: row.kind, config: row.config });
  return found;
}

/** The kind of resource configured under this id, with what it was configured with. */
export async function findResource(q: Queryable, resourceId: string): Promise<{ kind: ResourceKind; config: NetworkCharacteristic[] } | undefined> {
  return (await findResources(q, [resourceId])).get(resourceId);
}

/**
 * Sends a check or a claim ahead of the caller's next statement, in its round
 * trip (Tx.writeWithNext), where a refusal may surface late: the operation
 * applied at once, whose every failure undoes it all and sends it the general
 * way, which applies it again statement by statement and records why.
 */
export type Defer = (text: string, params: unknown[], mapError: (e: unknown) => unknown) => void;

/** A refusal of a deferred check (operon_expect_rows raises P0001) as the network's conflict. */
const refusedAs = (message: string) => (e: unknown) => ((e as { code?: string }).code === 'P0001' ? new NetworkError('conflict', message) : e);

/**
 * Configures a key on the network: `insert` claims it (the key is unique in its
 * table). When another resource holds it, `holder` names that resource in the
 * refusal. One round trip when the key is free, which it almost always is;
 * none of its own when deferred.
 */
async function claim(q: Queryable, insert: string, params: unknown[], holder: string, holderParams: unknown[], what: string, defer?: Defer): Promise<void> {
  if (defer) {
    defer(
      `WITH c AS (${insert} ON CONFLICT DO NOTHING RETURNING 1) SELECT operon_expect_rows((SELECT count(*) FROM c), 1, $${params.length + 1})`,
      [...params, `claim of ${what}`],
      refusedAs(`${what} is already configured`),
    );
    return;
  }
  const r = await q.query(`${insert} ON CONFLICT DO NOTHING`, params);
  if (r.rowCount === 1) return;
  const h = await q.query<{ resource_id: string }>(holder, holderParams);
  throw new NetworkError('conflict', `${what} is already configured${h.rows[0] ? ` for resource ${h.rows[0].resource_id}` : ''}`);
}

/** Configures a resource; returns the characteristics it is configured with. */
export async function configureResource(q: Queryable, req: ResourceActivationRequest, operationId: string, defer?: Defer): Promise<NetworkCharacteristic[]> {
  const id = identify(req);
  if (defer) {
    defer(`SELECT operon_expect_rows((SELECT count(*) FROM (${FIND_RESOURCES}) f), 0, $2)`, [[req.id], `configuration of resource ${req.id}`], refusedAs(`resource ${req.id} is already configured on the network`));
  } else {
    const already = await findResource(q, req.id);
    if (already) throw new NetworkError('conflict', `resource ${req.id} is already configured on the network (as ${TABLES[already.kind].what}); deactivate it first or modify it`);
  }
  switch (id.kind) {
    case 'ontPort': {
      // ONU ids are chosen per PON port: one chooser at a time; the lock is a statement before the
      // read of the ids taken (a statement sees what was committed when it began)
      const lock = `WITH olt AS (INSERT INTO activation_sim_element (element_id, element_type) VALUES ($1, 'OLT') ON CONFLICT DO NOTHING)
         SELECT pg_advisory_xact_lock(hashtext($2))`;
      const lockParams = [id.oltId, `onu:${id.oltId}:${id.ponPort}`];
      if (defer) defer(lock, lockParams, (e) => e);
      else await q.query(lock, lockParams);
      let onuId = id.onuId;
      if (onuId === undefined) {
        const used = await q.query<{ onu_id: number }>('SELECT onu_id FROM activation_sim_ont_port WHERE olt_id = $1 AND pon_port = $2', [id.oltId, id.ponPort]);
        const taken = new Set(used.rows.map((r) => r.onu_id));
        onuId = Array.from({ length: 127 }, (_, i) => i + 1).find((n) => !taken.has(n));
        if (onuId === undefined) throw new NetworkError('conflict', `PON port ${id.ponPort} of ${id.oltId} has no free ONU id`);
      }
      const config = configured(req, [{ name: 'onuId', value: onuId, valueType: 'integer' }]);
      await claim(
        q, 'INSERT INTO activation_sim_ont_port (olt_id, pon_port, onu_id, resource_id, config, operation_id) VALUES ($1, $2, $3, $4, $5, $6)',
        [id.oltId, id.ponPort, onuId, req.id, JSON.stringify(config), operationId],
        'SELECT resource_id FROM activation_sim_ont_port WHERE olt_id = $1 AND pon_port = $2 AND onu_id = $3', [id.oltId, id.ponPort, onuId],
        `ONT port ${id.oltId} ${id.ponPort} ONU ${onuId}`, defer,
      );
      return config;
    }
    case 'vlan': {
      const config = configured(req);
      await claim(
        q, 'INSERT INTO activation_sim_vlan (scope, vlan_id, resource_id, config, operation_id) VALUES ($1, $2, $3, $4, $5)', [id.scope, id.vlanId, req.id, JSON.stringify(config), operationId],
        'SELECT resource_id FROM activation_sim_vlan WHERE scope = $1 AND vlan_id = $2', [id.scope, id.vlanId], `VLAN ${id.vlanId}${id.scope === 'default' ? '' : ` on ${id.scope}`}`, defer,
      );
      return config;
    }
    case 'ipAddress': {
      const config = configured(req);
      await claim(
        q, 'INSERT INTO activation_sim_ip_binding (address, pool, resource_id, config, operation_id) VALUES ($1::inet, $2::cidr, $3, $4, $5)', [id.address, id.pool ?? null, req.id, JSON.stringify(config), operationId],
        'SELECT resource_id FROM activation_sim_ip_binding WHERE address = $1::inet', [id.address], `address ${id.address}`, defer,
      );
      return config;
    }
    case 'simCard': {
      const config = configured(req);
      await claim(
        q, 'INSERT INTO activation_sim_sim_card (iccid, imsi, resource_id, config, operation_id) VALUES ($1, $2, $3, $4, $5)', [id.iccid, id.imsi, req.id, JSON.stringify(config), operationId],
        'SELECT resource_id FROM activation_sim_sim_card WHERE iccid = $1 OR imsi = $2', [id.iccid, id.imsi], `SIM card ${id.iccid} (IMSI ${id.imsi})`, defer,
      );
      return config;
    }
    case 'msisdn':
    case 'telephoneNumber': {
      const config = configured(req);
      await claim(
        q, 'INSERT INTO activation_sim_number (number, number_type, resource_id, config, operation_id) VALUES ($1, $2, $3, $4, $5)',
        [id.number, id.kind === 'msisdn' ? 'msisdn' : 'geographic', req.id, JSON.stringify(config), operationId],
        'SELECT resource_id FROM activation_sim_number WHERE number = $1', [id.number], `number ${id.number}`, defer,
      );
      return config;
    }
    case 'sipAccount': {
      const config = configured(req);
      await claim(
        q, 'INSERT INTO activation_sim_sip_account (username, domain, resource_id, config, operation_id) VALUES ($1, $2, $3, $4, $5)', [id.username, id.domain, req.id, JSON.stringify(config), operationId],
        'SELECT resource_id FROM activation_sim_sip_account WHERE username = $1 AND domain = $2', [id.username, id.domain], `SIP account ${id.username}@${id.domain}`, defer,
      );
      return config;
    }
  }
}

/** Removes a resource's configuration; refused while an active service runs on it. */
export async function removeResource(q: Queryable, resourceId: string, options: { forModify?: boolean } = {}): Promise<NetworkCharacteristic[]> {
  const found = await findResource(q, resourceId);
  if (!found) throw new NetworkError('notConfigured', `resource ${resourceId} is not configured on the network`);
  if (!options.forModify) {
    const users = await q.query<{ service_id: string }>('SELECT service_id FROM activation_sim_service WHERE supporting_resources @> ARRAY[$1]::text[] ORDER BY service_id', [resourceId]);
    if (users.rows.length) {
      throw new NetworkError('conflict', `resource ${resourceId} carries active service ${users.rows.map((r) => r.service_id).join(', ')}; deactivate the service first`);
    }
  }
  for (const table of RESOURCE_TABLES) await q.query(`DELETE FROM ${table} WHERE resource_id = $1`, [resourceId]);
  return found.config;
}

/** Reconfigures a resource in place: the same kind of resource, under the same id. */
export async function reconfigureResource(q: Queryable, req: ResourceActivationRequest, operationId: string): Promise<NetworkCharacteristic[]> {
  const found = await findResource(q, req.id);
  if (!found) throw new NetworkError('notConfigured', `resource ${req.id} is not configured on the network`);
  const next = identify(req);
  if (next.kind !== found.kind) throw new NetworkError('refused', `resource ${req.id} is configured as ${TABLES[found.kind].what}; it cannot become ${TABLES[next.kind].what}`);
  await removeResource(q, req.id, { forModify: true });
  return configureResource(q, req, operationId);
}

function serviceCharacteristics(req: ServiceActivationRequest): NetworkCharacteristic[] {
  return (req.serviceCharacteristic ?? []).filter((c) => !CONTROL_CHARACTERISTICS.has(c.name)).map(({ name, value, valueType }) => ({ name, value, ...(valueType ? { valueType } : {}) }));
}

/** The service's resources, each configured on the network; with the SIM's IMSI and the mobile number when it runs on both. */
async function resourcesOf(q: Queryable, req: ServiceActivationRequest): Promise<{ ids: string[]; imsi?: string; msisdn?: string }> {
  const ids = [...new Set((req.supportingResource ?? []).map((r) => r.id))];
  let imsi: string | undefined;
  let msisdn: string | undefined;
  const configuredNow = await findResources(q, ids);
  for (const id of ids) {
    const found = configuredNow.get(id);
    if (!found) throw new NetworkError('refused', `service ${req.id} needs resource ${id}, which is not configured on the network; activate the resource first`);
    if (found.kind === 'simCard') imsi = text(characteristic(found.config, 'imsi'));
    if (found.kind === 'msisdn') msisdn = e164(characteristic(found.config, 'msisdn'), 'msisdn');
  }
  return { ids, ...(imsi !== undefined ? { imsi } : {}), ...(msisdn !== undefined ? { msisdn } : {}) };
}

/** A service on a SIM and a mobile number registers its subscriber (the HLR entry). */
async function registerSubscriber(q: Queryable, req: ServiceActivationRequest, on: { imsi?: string; msisdn?: string }): Promise<void> {
  const { imsi, msisdn } = on;
  if (imsi === undefined || msisdn === undefined) return;
  const holder = await q.query<{ service_id: string }>('SELECT service_id FROM activation_sim_subscriber WHERE (imsi = $1 OR msisdn = $2) AND service_id <> $3', [imsi, msisdn, req.id]);
  if (holder.rows[0]) throw new NetworkError('conflict', `IMSI ${imsi} or number ${msisdn} is already subscribed for service ${holder.rows[0].service_id}`);
  await q.query('DELETE FROM activation_sim_subscriber WHERE service_id = $1', [req.id]);
  await q.query('INSERT INTO activation_sim_subscriber (imsi, msisdn, service_id, profile) VALUES ($1, $2, $3, $4)', [imsi, msisdn, req.id, JSON.stringify(serviceCharacteristics(req))]);
}

/** Activates a service on its configured resources (checked first, so a refusal leaves nothing behind). */
export async function configureService(q: Queryable, req: ServiceActivationRequest, operationId: string, defer?: Defer): Promise<NetworkCharacteristic[]> {
  const on = await resourcesOf(q, req);
  const config = serviceCharacteristics(req);
  const insert = `INSERT INTO activation_sim_service (service_id, name, specification_id, characteristics, supporting_resources, operation_id) VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (service_id) DO NOTHING`;
  const params = [req.id, req.name ?? null, req.serviceSpecification.id, JSON.stringify(config), on.ids, operationId];
  const already = `service ${req.id} is already active on the network; deactivate it first or modify it`;
  if (defer) {
    defer(`WITH c AS (${insert} RETURNING 1) SELECT operon_expect_rows((SELECT count(*) FROM c), 1, $7)`, [...params, `activation of service ${req.id}`], refusedAs(already));
  } else {
    const added = await q.query(insert, params);
    if (!added.rowCount) throw new NetworkError('conflict', already);
  }
  await registerSubscriber(q, req, on);
  return config;
}

export async function reconfigureService(q: Queryable, req: ServiceActivationRequest, operationId: string): Promise<NetworkCharacteristic[]> {
  const existing = await q.query('SELECT 1 FROM activation_sim_service WHERE service_id = $1 FOR UPDATE', [req.id]);
  if (!existing.rowCount) throw new NetworkError('notConfigured', `service ${req.id} is not active on the network`);
  const config = serviceCharacteristics(req);
  const on = await resourcesOf(q, req);
  await registerSubscriber(q, req, on);
  await q.query(
    'UPDATE activation_sim_service SET name = $2, characteristics = $3, supporting_resources = $4, operation_id = $5, modified_at = now() WHERE service_id = $1',
    [req.id, req.name ?? null, JSON.stringify(config), on.ids, operationId],
  );
  return config;
}

export async function removeService(q: Queryable, serviceId: string): Promise<NetworkCharacteristic[]> {
  const r = await q.query<{ characteristics: NetworkCharacteristic[] }>('DELETE FROM activation_sim_service WHERE service_id = $1 RETURNING characteristics', [serviceId]);
  if (!r.rows[0]) throw new NetworkError('notConfigured', `service ${serviceId} is not active on the network`);
  return r.rows[0].characteristics;
}

/** Everything the network holds for a resource or service id (for operators, demos and tests). */
export async function networkView(q: Queryable, id: string): Promise<{ resource?: { kind: ResourceKind; config: NetworkCharacteristic[] }; service?: { characteristics: NetworkCharacteristic[]; supportingResources: string[] }; subscriber?: { imsi: string; msisdn: string } }> {
  const resource = await findResource(q, id);
  const service = await q.query<{ characteristics: NetworkCharacteristic[]; supporting_resources: string[] }>('SELECT characteristics, supporting_resources FROM activation_sim_service WHERE service_id = $1', [id]);
  const subscriber = await q.query<{ imsi: string; msisdn: string }>('SELECT imsi, msisdn FROM activation_sim_subscriber WHERE service_id = $1', [id]);
  return {
    ...(resource ? { resource } : {}),
    ...(service.rows[0] ? { service: { characteristics: service.rows[0].characteristics, supportingResources: service.rows[0].supporting_resources } } : {}),
    ...(subscriber.rows[0] ? { subscriber: subscriber.rows[0] } : {}),
  };
}
