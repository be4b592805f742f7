import { OperonError, badRequest, cloneJson, newId, notFound, type RequestContext } from '@operon/kernel';
import { prepared, type Database, type Queryable, type Tx } from '@operon/store';
import { ResourceService, assertValid, type ComponentRuntime, type Doc, type ResourceDefinition } from '@operon/tmf';
import { API_NAME, BASE_PATH, ITEM_TABLE, TABLE } from './resources.ts';
import { ResourcePool } from './schemas.ts';
import { POOL_KINDS, UNITS, poolValues, type PoolContent, type PoolKind } from './values.ts';

/**
 * Resource pools: MSISDN and geographic number (DID) ranges, IPv4 and IPv6
 * blocks, VLAN id ranges, ports of network elements, SIM cards and SIP
 * accounts, from which resources are handed out one value at a time.
 *
 * A pool's values are written up front, one row each, in `resource_pool_item`.
 * Allocation takes free rows with `FOR UPDATE SKIP LOCKED`: concurrent
 * allocations never wait for each other and never see the same row, and a
 * UNIQUE (domain, value) index makes a value belong to one pool only. An
 * allocation creates (or re-reserves) one TMF639 resource per value, in status
 * `reserved`, in the caller's transaction; a release puts the values back and
 * the resources to `available`.
 */

export const POOL_TABLE = 'resource_pool';
export const ALLOCATION_TABLE = 'resource_allocation';
/** Most values one allocation may take. */
export const MAX_ALLOCATION = 1000;

export const resourcePool: ResourceDefinition = {
  name: 'resourcePool',
  type: 'ResourcePool',
  table: POOL_TABLE,
  schema: ResourcePool,
  // figures computed when served, never stored
  readOnly: ['capacity'],
  // what a pool holds is fixed at creation: a different block is a different pool
  immutable: ['kind', 'cidr', 'prefixLength', 'range', 'values', 'simCards', 'sipDomain', 'exclude', 'accessArea'],
  indexed: ['kind', 'accessArea'],
};

/** Which pools to allocate from: one by id, or every pool of a kind and/or specification serving an area. */
export interface PoolSelector {
  poolId?: string;
  kind?: PoolKind;
  /** The access area to serve: pools of that area first, then pools serving every area (no accessArea). */
  area?: string;
  resourceSpecificationId?: string;
}

export interface AllocationRequest extends PoolSelector {
  /** How many values (default 1, at most 1000). */
  count?: number;
  /**
   * Makes the allocation idempotent: the same key gives the same values back
   * (e.g. one key per workflow task). A key is used once: after its release,
   * allocate again with a new key. Generated when not given.
   */
  reservationKey?: string;
  /** Parties the resources are reserved for (copied to the resources). */
  relatedParty?: readonly Doc[];
  /**
   * A resource the allocated ones go with (a `dependsOn` resourceRelationship
   * on each, written with the reservation): the VLAN and address of a port.
   */
  dependsOn?: Doc;
}

/** One allocation of several made together (ResourcePools.allocateAll). */
export interface BatchAllocationRequest extends AllocationRequest {
  /**
   * The allocated resources go with the first value of an earlier request of
   * the same call (by index): a `dependsOn` resourceRelationship, as `dependsOn`
   * writes, to a resource not yet known when the call is made.
   */
  dependsOnRequest?: number;
}

/** An allocation of several made together that could not be made (allocateAll): which one, and why. */
export class AllocationRefused extends OperonError {
  constructor(readonly request: number, why: OperonError) {
    super(why.kind, why.message, { code: why.code, reason: why.reason, cause: why, ...(why.field === undefined ? {} : { field: why.field }) });
  }
}

export interface AllocatedValue {
  value: string;
  poolId: string;
  resourceId: string;
  /** The TMF639 resource as stored (without href). */
  resource: Doc;
}

export interface Allocation {
  reservationKey: string;
  /** False when the key had already allocated these values (an idempotent repeat). */
  created: boolean;
  items: AllocatedValue[];
}

export interface Release {
  reservationKey?: string;
  /** The resources this call put back (empty when they were already released). */
  released: Doc[];
}

export interface PoolCapacity {
  total: number;
  used: number;
  free: number;
  /** Free values whose resource is out of service (not available, or locked): not handed out. */
  outOfService: number;
  units: string;
}

export interface CapacityReport extends Omit<PoolCapacity, 'units'> {
  pools: Array<PoolCapacity & { id: string; name: string; kind: PoolKind; accessArea?: string }>;
}

const isObject = (v: unknown): v is Doc => typeof v === 'object' && v !== null && !Array.isArray(v);
const PHYSICAL_KINDS = new Set<PoolKind>(['port', 'sim']);
const BATCH = 50_000;

/**
 * Values that must be unique across pools: VLAN ids only within an access
 * area, SIP user names only within a SIP domain, everything else everywhere;
 * mobile and geographic numbers share the one E.164 numbering space (named
 * `msisdn`, as it was before geographic numbers had pools).
 */
function domainOf(kind: PoolKind, area: string | undefined, sipDomain: string | undefined): string {
  if (kind === 'vlan') return `vlan@${area ?? ''}`;
  if (kind === 'sip') return `sip@${sipDomain ?? ''}`;
  if (kind === 'did') return 'msisdn';
  return kind;
}

function nameOf(kind: PoolKind, v: { value: string; extra: Record<string, string> | null }): string {
  if (kind === 'vlan') return `VLAN ${v.value}`;
  if (kind === 'sim') return `SIM ${v.value}`;
  // the account's address of record
  if (kind === 'sip') return `${v.value}@${v.extra?.['domain'] ?? ''}`;
  return v.value;
}

/** Why a value another pool holds cannot be in this one. */
function overlapRule(kind: PoolKind): string {
  if (kind === 'vlan') return 'pools of the same kind and access area cannot overlap';
  if (kind === 'sip') return 'pools of the same SIP domain cannot overlap';
  if (kind === 'msisdn' || kind === 'did') return 'a number belongs to one pool, mobile (msisdn) or geographic (did)';
  return 'pools of the same kind cannot overlap';
}

function contentOf(doc: Doc): PoolContent {
  return doc as unknown as PoolContent;
}

interface ItemRow {
  pool_id: string;
  seq: number;
  value: string;
  extra: Record<string, string> | null;
  resource_id: string | null;
}

/** A row of operon_allocate (migration 0002): a value taken, or (another outcome) why none were. */
interface TakenRow extends ItemRow {
  outcome: 'taken' | 'exists' | 'noPool' | 'unknownPool' | 'short';
  pool: Doc;
  resource_id: string;
  fresh: boolean;
}

const ALLOCATE = prepared('SELECT * FROM operon_allocate($1, $2::jsonb, $3, $4, $5, $6, $7, $8, $9::text[])');

function checkSelector(s: PoolSelector): void {
  if (s.poolId !== undefined) {
    if (s.kind !== undefined || s.area !== undefined || s.resourceSpecificationId !== undefined) {
      throw badRequest('name the pool, or its kind, area and specification, not both', 'poolId');
    }
    return;
  }
  if (s.kind === undefined && s.resourceSpecificationId === undefined) throw badRequest('say which pool: its id, or a kind and/or a resource specification (and an area)', 'kind');
  if (s.kind !== undefined && !POOL_KINDS.includes(s.kind)) throw badRequest(`'${String(s.kind)}' is not a pool kind; kinds: ${POOL_KINDS.join(', ')}`, 'kind');
}

/** The typed programmatic service of the pools; the lead-to-cash flow and the HTTP routes call it. */
export class ResourcePools {
  readonly pools: ResourceService;

  constructor(private readonly db: Database, readonly resources: ResourceService) {
    this.pools = new ResourceService(resourcePool, { name: API_NAME, basePath: BASE_PATH }, db);
  }

  private within<T>(tx: Tx | undefined, fn: (tx: Tx) => Promise<T>): Promise<T> {
    return tx ? fn(tx) : this.db.tx(fn);
  }

  // --- pools -----------------------------------------------------------------------------------

  /** Creates a pool and writes its values; a value another pool already holds is a 409. */
  async createPool(input: unknown, ctx: RequestContext, tx?: Tx): Promise<{ doc: Doc; version: number }> {
    if (!isObject(input)) throw badRequest('the body of a ResourcePool must be a JSON object');
    if ('capacity' in input) throw badRequest(`'capacity' is set by the server and cannot be given on create`, 'capacity');
    assertValid(ResourcePool, input, 'invalid ResourcePool');
    const values = poolValues(contentOf(input));
    const kind = input['kind'] as PoolKind;
    const area = typeof input['accessArea'] === 'string' ? input['accessArea'] : undefined;
    const sipDomain = kind === 'sip' ? values[0]?.extra?.['domain'] : undefined;
    return this.within(tx, async (t) => {
      const r = await this.pools.create(input, ctx, t);
      const id = String(r.doc['id']);
      const domain = domainOf(kind, area, sipDomain);
      for (let from = 0; from < values.length; from += BATCH) {
        const batch = values.slice(from, from + BATCH);
        const inserted = await t.query(
          `INSERT INTO ${ITEM_TABLE} (pool_id, seq, domain, value, extra)
           SELECT $1, $2 + u.o - 1, $3, u.v, u.e FROM unnest($4::text[], $5::jsonb[]) WITH ORDINALITY AS u(v, e, o)
           ON CONFLICT DO NOTHING`,
          [id, from + 1, domain, batch.map((v) => v.value), batch.map((v) => (v.extra ? JSON.stringify(v.extra) : null))],
        );
        if (inserted.rowCount !== batch.length) {
          const taken = await t.query<{ value: string; pool_id: string }>(
            `SELECT value, pool_id FROM ${ITEM_TABLE} WHERE domain = $1 AND value = ANY($2::text[]) AND pool_id <> $3 ORDER BY seq LIMIT 1`,
            [domain, batch.map((v) => v.value), id],
          );
          const hit = taken.rows[0];
          throw new OperonError('conflict', hit ? `${hit.value} already belongs to resource pool ${hit.pool_id}: ${overlapRule(kind)}` : 'the pool overlaps another pool', { code: 'overlap', field: kind === 'sim' ? 'simCards' : kind === 'port' ? 'values' : input['cidr'] ? 'cidr' : 'range' });
        }
      }
      return r;
    });
  }

  /** Deletes a pool with its values and their resources; refused while any value is allocated. */
  async deletePool(id: string, ctx: RequestContext, opts: { ifMatch?: string } = {}, tx?: Tx): Promise<void> {
    await this.within(tx, async (t) => {
      // lock every value: an allocation in flight either finishes first or finds the pool gone
      const held = await t.query<{ n: number }>(`SELECT count(*) FILTER (WHERE allocation_key IS NOT NULL)::int AS n FROM (SELECT allocation_key FROM ${ITEM_TABLE} WHERE pool_id = $1 FOR UPDATE) i`, [id]);
      if ((held.rows[0]?.n ?? 0) > 0) throw new OperonError('conflict', `resource pool ${id} has ${held.rows[0]!.n} values allocated: release them first`, { code: 'inUse' });
      const resources = await t.query<{ resource_id: string }>(`DELETE FROM ${ITEM_TABLE} WHERE pool_id = $1 AND resource_id IS NOT NULL RETURNING resource_id`, [id]);
      await this.pools.remove(id, ctx, opts, t);
      // the resources once handed out go with the pool
      for (const r of resources.rows) await this.resources.remove(r.resource_id, ctx, {}, t);
    });
  }

  // --- capacity --------------------------------------------------------------------------------

  private async poolsFor(q: Queryable, s: PoolSelector): Promise<Doc[]> {
    if (s.poolId !== undefined) {
      const pool = await this.pools.find(s.poolId, q);
      if (!pool) throw notFound('ResourcePool', s.poolId);
      return [pool];
    }
    const r = await q.query<{ doc: Doc }>(
      `SELECT doc FROM ${POOL_TABLE}
       WHERE ($1::text IS NULL OR doc->>'kind' = $1)
         AND ($2::text IS NULL OR doc->'resourceSpecification'->>'id' = $2)
         AND ($3::text IS NULL OR doc->>'accessArea' = $3 OR doc->>'accessArea' IS NULL)
       ORDER BY (doc->>'accessArea') IS NULL, created_at, id`,
      [s.kind ?? null, s.resourceSpecificationId ?? null, s.area ?? null],
    );
    return r.rows.map((row) => row.doc);
  }

  /** Capacity figures of pools by id (one query); pools without values are left out. */
  async capacityOf(ids: readonly string[], q: Queryable = this.db): Promise<Map<string, Omit<PoolCapacity, 'units'>>> {
    const r = await q.query<{ pool_id: string; total: number; used: number; out_of_service: number }>(
      `SELECT i.pool_id, count(*)::int AS total, count(i.allocation_key)::int AS used,
              count(*) FILTER (WHERE i.allocation_key IS NULL AND r.id IS NOT NULL
                                 AND (r.status IS DISTINCT FROM 'available' OR coalesce(r.doc->>'administrativeState', 'unlocked') <> 'unlocked'))::int AS out_of_service
       FROM ${ITEM_TABLE} i LEFT JOIN ${TABLE} r ON r.id = i.resource_id
       WHERE i.pool_id = ANY($1::text[]) GROUP BY i.pool_id`,
      [ids],
    );
    return new Map(r.rows.map((row) => [row.pool_id, { total: row.total, used: row.used, outOfService: row.out_of_service, free: row.total - row.used - row.out_of_service }]));
  }

  /** Free and used values of one pool, or of every pool a selector matches (e.g. a kind in an area). */
  async capacity(selector: PoolSelector, q: Queryable = this.db): Promise<CapacityReport> {
    checkSelector(selector);
    const pools = await this.poolsFor(q, selector);
    const figures = await this.capacityOf(pools.map((p) => String(p['id'])), q);
    const report: CapacityReport = { total: 0, used: 0, free: 0, outOfService: 0, pools: [] };
    for (const p of pools) {
      const kind = p['kind'] as PoolKind;
      const f = figures.get(String(p['id'])) ?? { total: 0, used: 0, free: 0, outOfService: 0 };
      report.pools.push({
        id: String(p['id']), name: String(p['name']), kind, ...(typeof p['accessArea'] === 'string' ? { accessArea: p['accessArea'] } : {}), ...f, units: UNITS[kind],
      });
      report.total += f.total;
      report.used += f.used;
      report.free += f.free;
      report.outOfService += f.outOfService;
    }
    return report;
  }

  // --- allocation ------------------------------------------------------------------------------

  /**
   * Allocates `count` values: each becomes a TMF639 resource in status
   * `reserved` naming its pool, in `tx` when given (the caller's transaction)
   * or in a transaction of its own. All or nothing: when the pools have fewer
   * free values than asked, nothing is written and a 409 (code `noCapacity`)
   * is thrown. The same `reservationKey` gives the same values back.
   */
  async allocate(request: AllocationRequest, ctx: RequestContext, tx?: Tx): Promise<Allocation> {
    return (await this.allocateAll([request], ctx, tx))[0]!;
  }

  /**
   * Several allocations at once, in one round trip, all or nothing: when one
   * cannot be made (no capacity, a reservation key used for another request),
   * none of them is, and its error is thrown. Each is as `allocate` makes it;
   * `dependsOnRequest` lets a later one go with the first value of an earlier one.
   */
  async allocateAll(requests: readonly BatchAllocationRequest[], ctx: RequestContext, tx?: Tx): Promise<Allocation[]> {
    const asks = requests.map((request, index) => this.checkedRequest(request, index));
    if (asks.length === 0) return [];
    return this.within(tx, async (t) => {
      // a single allocation writes nothing when it fails; several undo those before the one that failed
      const together = asks.length > 1;
      if (together) await t.query('SAVEPOINT resource_allocations');
      try {
        const answered = await t.queriesBeside(asks.map((a) => [ALLOCATE, a.params] as const), true);
        const out: Allocation[] = [];
        for (const [i, a] of asks.entries()) {
          const rows = answered[i]!.rows as TakenRow[];
          try {
            if (rows[0]?.outcome === 'exists') {
              out.push(await this.repeated(t, a.key, a.asked));
              continue;
            }
            this.refuseUnless(rows, a.request);
          } catch (e) {
            throw e instanceof OperonError ? new AllocationRefused(i, e) : e;
          }
          const on = a.request.dependsOnRequest === undefined ? a.request.dependsOn : this.firstOf(out[a.request.dependsOnRequest]!, ctx);
          const items: AllocatedValue[] = [];
          for (const row of rows) {
            const resource = row.fresh
              ? (await this.resources.create(this.reserved(this.fresh(row), row, ctx, a.key, a.request, on), ctx, t, { id: row.resource_id })).doc
              : (await this.resources.update(row.resource_id, (doc) => this.reserved(doc, row, ctx, a.key, a.request, on), ctx, t)).doc;
            items.push({ value: row.value, poolId: row.pool_id, resourceId: row.resource_id, resource });
          }
          out.push({ reservationKey: a.key, created: true, items });
        }
        if (together) await t.query('RELEASE SAVEPOINT resource_allocations');
        return out;
      } catch (e) {
        if (together) {
          await t.query('ROLLBACK TO SAVEPOINT resource_allocations');
          await t.query('RELEASE SAVEPOINT resource_allocations');
        }
        throw e;
      }
    });
  }

  /** A request checked, with its key, what it asks (as recorded) and the parameters of operon_allocate. */
  private checkedRequest(request: BatchAllocationRequest, index: number): { request: BatchAllocationRequest; key: string; asked: Doc; params: unknown[] } {
    checkSelector(request);
    const count = request.count ?? 1;
    if (!Number.isInteger(count) || count < 1 || count > MAX_ALLOCATION) throw badRequest(`count must be an integer from 1 to ${MAX_ALLOCATION}`, 'count');
    const key = request.reservationKey ?? newId();
    if (key.trim() === '' || key.length > 200) throw badRequest('reservationKey must be a non-empty string of at most 200 characters', 'reservationKey');
    const on = request.dependsOnRequest;
    if (on !== undefined && !(Number.isInteger(on) && on >= 0 && on < index)) throw badRequest(`dependsOnRequest must name an earlier request of the same call, got ${on}`, 'dependsOnRequest');
    if (on !== undefined && request.dependsOn) throw badRequest('name the resource the values go with, or an earlier request, not both', 'dependsOn');
    const asked = { poolId: request.poolId ?? null, kind: request.kind ?? null, area: request.area ?? null, resourceSpecificationId: request.resourceSpecificationId ?? null, count };
    // new resources' ids are made here so that the values can point at them in the same statement
    const ids = Array.from({ length: count }, () => newId());
    const params = [
      key, JSON.stringify(asked), request.reservationKey !== undefined, request.poolId ?? null, request.kind ?? null,
      request.resourceSpecificationId ?? null, request.area ?? null, count, ids,
    ];
    return { request, key, asked, params };
  }

  /** Throws why operon_allocate took nothing (its one row says), if it did not. */
  private refuseUnless(rows: readonly TakenRow[], request: AllocationRequest): void {
    const outcome = rows[0]?.outcome;
    if (outcome === 'unknownPool') throw notFound('ResourcePool', request.poolId!);
    if (outcome === 'noPool') throw new OperonError('conflict', `no resource pool matches ${JSON.stringify(request)}`, { code: 'noCapacity' });
    if (outcome === 'short') {
      const taken = Number(rows[0]!.value);
      const count = request.count ?? 1;
      const where = request.poolId !== undefined ? `resource pool ${request.poolId}` : `the ${request.kind ?? ''} pools${request.area ? ` serving ${request.area}` : ''}`;
      throw new OperonError('conflict', `${where} ${taken === 0 ? 'have no free value left' : `have only ${taken} free values`}: ${count} asked`, { code: 'noCapacity' });
    }
  }

  /** A reference to the first resource of an allocation made earlier in the same call. */
  private firstOf(a: Allocation, ctx: RequestContext): Doc {
    const id = a.items[0]!.resourceId;
    return { id, href: this.resources.href(ctx, id) };
  }

  /** A reservation key used before: the same request gets the same values back, anything else a 409. */
  private async repeated(t: Tx, key: string, asked: Doc): Promise<Allocation> {
    const existing = await t.query<{ same: boolean; request: Doc; released_at: Date | null }>(
      `SELECT request = $2::jsonb AS same, request, released_at FROM ${ALLOCATION_TABLE} WHERE reservation_key = $1`, [key, JSON.stringify(asked)],
    );
    const prior = existing.rows[0]!;
    if (!prior.same) {
      throw new OperonError('conflict', `reservationKey '${key}' was used for another allocation (${JSON.stringify(prior.request)}): use a new key`, { code: 'reservationKeyInUse', field: 'reservationKey' });
    }
    if (prior.released_at) throw new OperonError('conflict', `the allocation '${key}' was released: allocate with a new reservationKey`, { code: 'released', field: 'reservationKey' });
    return { reservationKey: key, created: false, items: await this.itemsOf(t, key) };
  }

  /** The resource a value becomes the first time it is handed out. */
  private fresh(row: ItemRow & { pool: Doc }): Doc {
    const kind = row.pool['kind'] as PoolKind;
    const physical = PHYSICAL_KINDS.has(kind);
    const doc: Doc = {
      '@type': physical ? 'PhysicalResource' : 'LogicalResource',
      name: nameOf(kind, row),
      category: kind,
      administrativeState: 'unlocked',
      operationalState: 'enable',
      resourceSpecification: row.pool['resourceSpecification'],
    };
    if (!physical) doc['value'] = row.value;
    if (kind === 'sim') doc['serialNumber'] = row.value;
    for (const k of ['place', 'resourceRelationship'] as const) if (row.pool[k] !== undefined) doc[k] = cloneJson(row.pool[k]);
    return doc;
  }

  /** The resource reserved under `key`: status, pool and key as characteristics, parties. */
  private reserved(doc: Doc, row: ItemRow & { pool: Doc }, ctx: RequestContext, key: string, request: AllocationRequest, on: Doc | undefined): Doc {
    const pool = row.pool;
    const extra = row.extra ?? {};
    // what the pool writes is written anew: a value handed out again does not carry it twice
    const kept = (Array.isArray(doc['resourceCharacteristic']) ? (doc['resourceCharacteristic'] as Doc[]) : [])
      .filter((c) => !OWN_CHARACTERISTICS.has(String(c['name'])) && !Object.hasOwn(extra, String(c['name'])));
    const characteristics: Doc[] = [
      ...kept,
      { name: 'resourcePool', valueType: 'object', value: { id: pool['id'], href: this.pools.href(ctx, String(pool['id'])), name: pool['name'] } },
      { name: 'reservationKey', valueType: 'string', value: key },
      ...Object.entries(extra).map(([name, value]) => ({ name, valueType: 'string', value })),
    ];
    const next: Doc = { ...doc, resourceStatus: 'reserved', usageState: 'idle', resourceCharacteristic: characteristics };
    if (on) {
      const rels = (Array.isArray(doc['resourceRelationship']) ? (doc['resourceRelationship'] as Doc[]) : [])
        .filter((r) => !(r['relationshipType'] === 'dependsOn' && (r['resource'] as Doc | undefined)?.['id'] === on['id']));
      next['resourceRelationship'] = [...rels, { relationshipType: 'dependsOn', resource: cloneJson(on) }];
    }
    if (request.relatedParty?.length) next['relatedParty'] = cloneJson(request.relatedParty);
    else delete next['relatedParty'];
    return next;
  }

  private async itemsOf(q: Queryable, key: string): Promise<AllocatedValue[]> {
    const r = await q.query<{ value: string; pool_id: string; resource_id: string; doc: Doc }>(
      `SELECT i.value, i.pool_id, i.resource_id, r.doc FROM ${ITEM_TABLE} i JOIN ${TABLE} r ON r.id = i.resource_id
       WHERE i.allocation_key = $1 ORDER BY i.allocated_at, i.pool_id, i.seq`,
      [key],
    );
    return r.rows.map((row) => ({ value: row.value, poolId: row.pool_id, resourceId: row.resource_id, resource: row.doc }));
  }

  /** The values an allocation holds now. */
  async allocation(reservationKey: string, q: Queryable = this.db): Promise<AllocatedValue[]> {
    return this.itemsOf(q, reservationKey);
  }

  // --- release ---------------------------------------------------------------------------------

  /**
   * Puts values back in their pool: every value of an allocation, or one
   * resource. Their resources go to `available` (usageState idle, parties
   * removed). Releasing what is already released changes nothing.
   */
  async release(target: { reservationKey: string } | { resourceId: string }, ctx: RequestContext, tx?: Tx): Promise<Release> {
    return this.within(tx, async (t) => {
      if ('reservationKey' in target) {
        const key = target.reservationKey;
        await t.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 7639))', [`resource-allocation:${key}`]);
        const a = await t.query(`SELECT 1 FROM ${ALLOCATION_TABLE} WHERE reservation_key = $1`, [key]);
        if (a.rowCount === 0) throw new OperonError('notFound', `no allocation with reservationKey '${key}'`, { field: 'reservationKey' });
        const rows = await t.query<{ pool_id: string; seq: number; resource_id: string }>(
          `SELECT pool_id, seq, resource_id FROM ${ITEM_TABLE} WHERE allocation_key = $1 ORDER BY pool_id, seq FOR UPDATE`, [key],
        );
        const released = await this.putBack(t, rows.rows, ctx);
        await t.query(`UPDATE ${ALLOCATION_TABLE} SET released_at = now() WHERE reservation_key = $1 AND released_at IS NULL`, [key]);
        return { reservationKey: key, released };
      }
      const id = target.resourceId;
      const rows = await t.query<{ pool_id: string; seq: number; resource_id: string; allocation_key: string | null }>(
        `SELECT pool_id, seq, resource_id, allocation_key FROM ${ITEM_TABLE} WHERE resource_id = $1 FOR UPDATE`, [id],
      );
      const row = rows.rows[0];
      if (!row) {
        await this.resources.retrieve(id, t);
        throw new OperonError('unprocessable', `resource ${id} was not allocated from a resource pool`, { field: 'resource.id', code: 'notPooled' });
      }
      if (row.allocation_key === null) return { released: [] };
      const released = await this.putBack(t, [row], ctx);
      // the allocation is over when its last value is back
      await t.query(
        `UPDATE ${ALLOCATION_TABLE} a SET released_at = now() WHERE reservation_key = $1 AND released_at IS NULL
           AND NOT EXISTS (SELECT 1 FROM ${ITEM_TABLE} i WHERE i.allocation_key = a.reservation_key)`,
        [row.allocation_key],
      );
      return { reservationKey: row.allocation_key, released };
    });
  }

  private async putBack(t: Tx, rows: readonly { pool_id: string; seq: number; resource_id: string }[], ctx: RequestContext): Promise<Doc[]> {
    const out: Doc[] = [];
    for (const row of rows) {
      await t.query(`UPDATE ${ITEM_TABLE} SET allocation_key = NULL, allocated_at = NULL WHERE pool_id = $1 AND seq = $2`, [row.pool_id, row.seq]);
      const r = await this.resources.update(row.resource_id, (doc) => {
        const next: Doc = { ...doc, resourceStatus: 'available', usageState: 'idle' };
        delete next['relatedParty'];
        const chars = (Array.isArray(doc['resourceCharacteristic']) ? (doc['resourceCharacteristic'] as Doc[]) : []).filter((c) => c['name'] !== 'reservationKey');
        next['resourceCharacteristic'] = chars;
        return next;
      }, ctx, t);
      out.push(r.doc);
    }
    return out;
  }
}

/** Characteristics the pool writes on every resource it hands out (besides those of the value itself: an IMSI, a SIP user name and domain). */
const OWN_CHARACTERISTICS = new Set(['resourcePool', 'reservationKey']);

const running = new WeakMap<ComponentRuntime, ResourcePools>();

/** The pools of a running Operon (the component must be one of its components). */
export function resourcePools(runtime: ComponentRuntime): ResourcePools {
  let p = running.get(runtime);
  if (!p) {
    const resources = runtime.services.get(API_NAME)?.get('resource');
    if (!resources) throw new Error('the resource-inventory component is not part of this Operon: add it to the components');
    p = new ResourcePools(runtime.db, resources);
    running.set(runtime, p);
  }
  return p;
}
