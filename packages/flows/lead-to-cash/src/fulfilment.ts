/**
 * The workflow tasks of an order's fulfilment. Each task's inventory and
 * order changes are made in the attempt's transaction (`ctx.tx`), so they
 * commit exactly once with the task's completion; network calls carry the
 * task's idempotency key. Each task that changes something has a compensation
 * that undoes it, run in reverse order when the run fails or is cancelled.
 */
import { OperonError, cloneJson, notFound, type RequestContext } from '@operon/kernel';
import { isNetworkError, type Activator, type NetworkCharacteristic, type ResourceActivationRequest, type ResourceOutcome, type ServiceActivationRequest } from '@operon/activation';
import type { ProductOrdering } from '@operon/product-order';
import type { ResourceOrdering } from '@operon/resource-order';
import { AllocationRefused, type ResourcePools } from '@operon/resource-inventory';
import type { ServiceOrdering } from '@operon/service-order';
import { JsonParam, Tx, prepared, type Queryable } from '@operon/store';
import { catalogJson, type Doc, type ResourceService } from '@operon/tmf';
import { NonRetryableError, type CompensationContext, type TaskContext, type TaskHandler, type WorkflowEngine } from '@operon/workflow';
import { Catalogs, forSpec, type NameValue } from './catalog.ts';
import { TASKS, allRfs, findItem, findRfs, type ItemPlan, type OrderPlan } from './plan.ts';

const { isObject, listOf, str } = catalogJson;

const CANCELLING = ['assessingCancellation', 'pendingCancellation'];
const CLOSED = ['rejected', 'cancelled', 'completed', 'failed', 'partial'];

export interface Fulfilment {
  ctx: RequestContext;
  productOrders: ProductOrdering;
  serviceOrders: ServiceOrdering;
  resourceOrders: ResourceOrdering;
  products: ResourceService;
  services: ResourceService;
  resources: ResourceService;
  pools: () => ResourcePools;
  activator: () => Activator;
  catalogs: Catalogs;
  /** Longest wait for one network operation. */
  networkTimeoutMs: number;
  /** The engine's attempts per task: a network failure on the last one is final. */
  maxAttempts: number;
}

// --- what each task records --------------------------------------------------------------------

interface Ref {
  key: string;
  ref_type: string;
  ref_id: string;
  detail: Doc;
}

/**
 * What the order's tasks recorded, as this transaction knows it: loaded whole
 * on first use, with what this transaction has recorded and not yet written
 * (putRef), kept up to date by putRef (a rollback to a savepoint drops it). A
 * key missing here may have been recorded since by a parallel task, so a miss
 * is asked of the database.
 */
async function refsIn(q: Queryable, orderId: string): Promise<Map<string, Ref> | undefined> {
  if (!(q instanceof Tx)) return undefined;
  const key = `lead-to-cash:refs:${orderId}`;
  let refs = q.memo.get(key) as Map<string, Ref> | undefined;
  if (!refs) {
    const r = await q.query<Ref>(prepared('SELECT key, ref_type, ref_id, detail FROM lead_to_cash_ref WHERE product_order_id = $1'), [orderId]);
    refs = new Map(r.rows.map((row) => [row.key, row]));
    for (const pending of q.pendingWrites(refTag(orderId)) as Ref[]) refs.set(pending.key, pending);
    q.memo.set(key, refs);
  }
  return refs;
}

const refTag = (orderId: string) => `lead-to-cash:ref:${orderId}`;

/** An order's refs in one statement; a key recorded twice keeps its last record (an upsert cannot touch a row twice). */
const PUT_REFS = `INSERT INTO lead_to_cash_ref (product_order_id, key, ref_type, ref_id, detail)
  SELECT $1, r.key, r.ref_type, r.ref_id, r.detail FROM jsonb_to_recordset($2::jsonb) AS r(key text, ref_type text, ref_id text, detail jsonb)
  ON CONFLICT (product_order_id, key) DO UPDATE SET ref_type = excluded.ref_type, ref_id = excluded.ref_id, detail = excluded.detail`;

const lastByKey = (rows: Ref[]): Ref[] => [...new Map(rows.map((r) => [r.key, r])).values()];

/**
 * Records what a task made. Nothing in the transaction reads the row back
 * (reads go through refsIn and getRef, which know what is queued), so it is
 * written with the commit, in the commit's round trip.
 */
function putRef(tx: Tx, orderId: string, key: string, type: string, id: string, detail: Doc = {}): void {
  const row: Ref = { key, ref_type: type, ref_id: id, detail: cloneJson(detail) };
  tx.writeRowAtCommit(refTag(orderId), row, (rows) => ({ text: PUT_REFS, params: [orderId, new JsonParam(lastByKey(rows as Ref[]))] }));
  const refs = tx.memo.get(`lead-to-cash:refs:${orderId}`) as Map<string, Ref> | undefined;
  refs?.set(key, row);
}

async function getRef(q: Queryable, orderId: string, key: string): Promise<Ref | undefined> {
  const refs = await refsIn(q, orderId);
  const known = refs?.get(key);
  if (known) return known;
  const r = await q.query<Ref>(prepared('SELECT key, ref_type, ref_id, detail FROM lead_to_cash_ref WHERE product_order_id = $1 AND key = $2'), [orderId, key]);
  if (r.rows[0]) refs?.set(key, r.rows[0]);
  return r.rows[0];
}

async function mustRef(q: Queryable, orderId: string, key: string): Promise<Ref> {
  const r = await getRef(q, orderId, key);
  if (!r) throw new Error(`order ${orderId}: nothing recorded for '${key}' (an earlier task should have)`);
  return r;
}

const ref = (f: Fulfilment, svc: ResourceService, id: string, referredType: string, name?: string): Doc => ({
  id, href: svc.href(f.ctx, id), ...(name ? { name } : {}), '@referredType': referredType,
});

// --- helpers -----------------------------------------------------------------------------------

const planOf = (ctx: { run: { input: unknown } }) => ctx.run.input as OrderPlan;

/**
 * The order is being cancelled: work that has not started yet stops here, and
 * the run is undone. Asked once per transaction: tasks chained into one
 * transaction are one unit of work, and a cancellation that arrives meanwhile
 * stops the next one (a rollback to a savepoint forgets the answer).
 */
async function assertGoingOn(f: Fulfilment, orderId: string, tx: Tx, locked = false): Promise<void> {
  const key = `lead-to-cash:going-on:${orderId}`;
  if (tx.memo.has(key)) return;
  // a step that goes on to change the order reads it locked, once
  const order = locked ? await forChange(f.productOrders.orders, orderId, tx) : (await f.productOrders.orders.retrieve(orderId, tx)).doc;
  const state = String(order['state']);
  if (CANCELLING.includes(state)) throw new NonRetryableError(`product order ${orderId} is being cancelled`);
  if (CLOSED.includes(state)) throw new NonRetryableError(`product order ${orderId} is already ${state}`);
  tx.memo.set(key, true);
}

/** Works only in the database: may run in the transaction of the task before it. */
const inDatabase = (): boolean => true;

/**
 * A network step may run in the transaction of the task before it when the
 * network answers at once (a simulated network without latency) and the item
 * does not ask for a delay of its own.
 */
function quickNetwork(f: Fulfilment, item: ItemPlan | undefined): boolean {
  return f.activator().adapter.quick === true && !item?.controls.some((c) => c.name === 'simulateLatencyMs');
}

/** A network failure that repeating cannot fix fails the task for good (and the run compensates). */
async function network<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (e) {
    if (isNetworkError(e) && !e.retryable) throw new NonRetryableError(`the network refused (${e.networkCode}): ${e.message}`, { cause: e });
    throw e;
  }
}

/**
 * Network calls made at once: every answer is awaited, then the first failure
 * that repeating cannot fix is thrown (else the first failure), so no call is
 * still under way when the step fails.
 */
async function allSettledOrThrow<T>(calls: Array<Promise<T>>): Promise<T[]> {
  const settled = await Promise.allSettled(calls);
  const failures = settled.filter((s): s is PromiseRejectedResult => s.status === 'rejected').map((s) => s.reason as unknown);
  if (failures.length) throw failures.find((e) => e instanceof NonRetryableError) ?? failures[0];
  return settled.map((s) => (s as PromiseFulfilledResult<T>).value);
}

function mergeChars(base: readonly Doc[], update: readonly NameValue[]): Doc[] {
  const out = base.map((c) => ({ ...c }));
  for (const u of update) {
    const at = out.findIndex((c) => c['name'] === u.name);
    const next = { name: u.name, value: u.value, ...(u.valueType ? { valueType: u.valueType } : {}) };
    if (at >= 0) out[at] = { ...out[at], ...next };
    else out.push(next);
  }
  return out;
}

const asChars = (list: readonly NameValue[]): Doc[] => list.map((c) => ({ name: c.name, value: c.value, ...(c.valueType ? { valueType: c.valueType } : {}) }));

/**
 * What identifies a resource handed out by a pool on the network, by the kind
 * of pool it came from (its `category`): a port `OLT/shelf/slot/port`, a VLAN
 * id, an address, a number, a SIM card, a geographic number, a SIP account.
 */
function networkIdentity(resource: Doc): NetworkCharacteristic[] {
  const value = str(resource['value']);
  const chars = listOf(resource['resourceCharacteristic']);
  const char = (name: string) => chars.find((c) => c['name'] === name)?.['value'];
  switch (str(resource['category'])) {
    case 'port': {
      const name = str(resource['name']) ?? '';
      const m = /^([^/]+)\/(.+)$/.exec(name);
      return m ? [{ name: 'oltId', value: m[1]! }, { name: 'ponPort', value: m[2]! }] : [{ name: 'port', value: name }];
    }
    case 'vlan':
      // the simulated network scopes VLAN ids by OLT only on ONT ports: a VLAN alone is known by its id
      return [{ name: 'vlanId', value: Number(value) }];
    case 'ipv4':
    case 'ipv6':
      return [{ name: 'address', value }];
    case 'msisdn':
      return [{ name: 'msisdn', value }];
    case 'did':
      // a geographic number: the network keeps it apart from mobile numbers
      return [{ name: 'number', value }];
    case 'sip':
      return [{ name: 'username', value: char('username') }, { name: 'domain', value: char('domain') }];
    case 'sim':
      return [{ name: 'iccid', value: str(resource['serialNumber']) }, { name: 'imsi', value: char('imsi') }];
    default:
      return [];
  }
}

function resourceRequest(resource: Doc, item: ItemPlan): ResourceActivationRequest {
  const spec = isObject(resource['resourceSpecification']) ? resource['resourceSpecification'] : undefined;
  return {
    id: String(resource['id']),
    ...(str(resource['name']) ? { name: str(resource['name'])! } : {}),
    ...(str(resource['@type']) ? { '@type': str(resource['@type'])! } : {}),
    ...(str(resource['category']) ? { category: str(resource['category'])! } : {}),
    ...(str(resource['value']) ? { value: str(resource['value'])! } : {}),
    ...(spec && str(spec['id']) ? { resourceSpecification: { id: str(spec['id'])!, ...(str(spec['name']) ? { name: str(spec['name'])! } : {}) } } : {}),
    resourceCharacteristic: [...networkIdentity(resource), ...item.controls],
  };
}

function serviceRequest(service: Doc, controls: readonly NameValue[]): ServiceActivationRequest {
  const spec = service['serviceSpecification'] as Doc;
  const refs = (v: unknown) => listOf(v).map((r) => ({ id: String(r['id']) }));
  return {
    id: String(service['id']),
    ...(str(service['name']) ? { name: str(service['name'])! } : {}),
    ...(str(service['category']) ? { category: str(service['category'])! } : {}),
    serviceSpecification: { id: String(spec['id']), ...(str(spec['name']) ? { name: str(spec['name'])! } : {}) },
    serviceCharacteristic: [...listOf(service['serviceCharacteristic']).map((c) => ({ name: String(c['name']), value: c['value'] })), ...controls],
    supportingResource: refs(service['supportingResource']),
    supportingService: refs(service['supportingService']),
  };
}

/** A document the step goes on to change, read locked: the change then reads it no more, and nothing queued is sent for it. */
async function forChange(svc: ResourceService, id: string, tx: Tx): Promise<Doc> {
  const found = await svc.retrieveForUpdate(id, tx);
  if (!found) throw notFound(svc.def.type, id);
  return found.doc as Doc;
}

/** Moves service and resource order items, tolerating orders already closed by a compensation. */
async function moveOrderItem(ordering: ServiceOrdering | ResourceOrdering, orderId: string, itemId: string | readonly string[], state: 'completed' | 'failed', f: Fulfilment, tx: Tx): Promise<void> {
  const order = await forChange(ordering.orders, orderId, tx);
  if (CLOSED.includes(String(order['state'])) || CANCELLING.includes(String(order['state']))) return;
  const items = listOf(order[ordering.config.order.items]);
  // several items move in one change of the order (one version, one event)
  const moving = (typeof itemId === 'string' ? [itemId] : itemId).filter((id) => items.find((i) => i['id'] === id)?.['state'] !== state);
  if (moving.length === 0) return;
  await ordering.moveItems(orderId, Object.fromEntries(moving.map((id) => [id, state])), f.ctx, {}, tx);
}

/** Ends a service or resource order the run opened: cancelled with its product order, else failed. */
async function endSubOrder(ordering: ServiceOrdering | ResourceOrdering, orderId: string, cancelling: boolean, reason: string, f: Fulfilment, tx: Tx): Promise<void> {
  const order = (await ordering.orders.retrieve(orderId, tx)).doc;
  const state = String(order['state']);
  if (CLOSED.includes(state)) return;
  if (cancelling && !CANCELLING.includes(state)) {
    const request = await ordering.requestCancellation({ [ordering.config.cancel.order]: { id: orderId }, cancellationReason: reason }, f.ctx, tx);
    await ordering.completeCancellation(String(request.doc['id']), f.ctx, tx);
    return;
  }
  await ordering.fail(orderId, { code: 'fulfilmentStopped', reason, message: reason }, f.ctx, {}, tx);
}

async function isCancelling(f: Fulfilment, orderId: string, tx: Tx): Promise<boolean> {
  const order = (await f.productOrders.orders.retrieve(orderId, tx)).doc;
  return CANCELLING.includes(String(order['state']));
}

/** Puts an inventory service in a state along its lifecycle, unless it is there or terminated. */
async function serviceTo(f: Fulfilment, id: string, state: string, changes: Doc, tx: Tx): Promise<Doc> {
  return (await f.services.update(id, (doc) => (doc['state'] === 'terminated' ? doc : { ...doc, ...changes, state }), f.ctx, tx)).doc;
}

/** Removes the relationships this flow added between the resources of one service. */
async function unrelate(f: Fulfilment, resourceIds: readonly string[], tx: Tx): Promise<void> {
  for (const id of resourceIds) {
    await f.resources.update(id, (doc) => {
      const rels = listOf(doc['resourceRelationship']);
      const kept = rels.filter((r) => !(isObject(r['resource']) && resourceIds.includes(String(r['resource']['id']))));
      return kept.length === rels.length ? doc : { ...doc, resourceRelationship: kept };
    }, f.ctx, tx);
  }
}

// --- the tasks -----------------------------------------------------------------------------------

/**
 * Opens the service order (an item per CFS and RFS, CFS depending on its
 * RFS), records the products (created) and the services (designed) in the
 * inventories.
 */
function openServiceOrder(f: Fulfilment): TaskHandler<Doc, { serviceOrderId: string }> {
  return {
    chainable: inDatabase,
    async run(ctx) {
      const plan = planOf(ctx);
      const { tx } = ctx;
      // the order's milestone is added at the end
      await assertGoingOn(f, plan.orderId, tx, true);
      const soItems: Doc[] = [];
      const itemIds: Record<string, string> = {};
      const nextId = () => String(soItems.length + 1);
      for (const item of plan.items) {
        if (item.action === 'add') {
          const product = await f.products.create({
            name: item.offering?.name ?? item.offering?.id,
            status: 'created',
            isBundle: false,
            productOffering: { id: item.offering!.id, ...(item.offering?.name ? { name: item.offering.name } : {}), '@referredType': 'ProductOffering' },
            productSpecification: { id: item.productSpecification!.id, ...(item.productSpecification?.name ? { name: item.productSpecification.name } : {}), '@referredType': 'ProductSpecification' },
            productCharacteristic: asChars(item.characteristics),
            productPrice: item.prices.map((p) => ({ ...p, ...(plan.billingAccount ? { billingAccount: plan.billingAccount } : {}), '@type': 'ProductPrice' })),
            ...(plan.billingAccount ? { billingAccount: plan.billingAccount } : {}),
            relatedParty: [plan.customer],
            ...(item.place ? { place: item.place } : {}),
            productOrderItem: [{ productOrderId: plan.orderId, orderItemId: item.itemId, orderItemAction: 'add', role: 'creator', '@referredType': 'ProductOrderItem' }],
          }, f.ctx, tx);
          putRef(tx, plan.orderId, `product:${item.itemId}`, 'Product', String(product.doc['id']));
          for (const cfs of item.cfs) {
            const rfsRefs: Doc[] = [];
            const rfsItems: string[] = [];
            for (const rfs of cfs.rfs) {
              const s = await f.services.create({
                name: rfs.specName, category: 'RFS', state: 'designed', '@type': 'Service',
                serviceSpecification: { id: rfs.specId, name: rfs.specName, '@referredType': 'ResourceFacingServiceSpecification' },
                serviceCharacteristic: asChars(rfs.characteristics), relatedParty: [plan.customer],
                ...(item.place ? { place: item.place.map((p) => ({ role: 'serviceAddress', ...p })) } : {}),
              }, f.ctx, tx);
              const id = String(s.doc['id']);
              putRef(tx, plan.orderId, rfs.key, 'Service', id);
              rfsRefs.push(ref(f, f.services, id, 'Service', rfs.specName));
              const itemId = nextId();
              itemIds[rfs.key] = itemId;
              rfsItems.push(itemId);
              soItems.push({
                id: itemId, action: 'add',
                service: { id, href: f.services.href(f.ctx, id), serviceSpecification: { id: rfs.specId, name: rfs.specName }, serviceCharacteristic: asChars(rfs.characteristics), '@type': 'Service' },
              });
            }
            const s = await f.services.create({
              name: cfs.specName, category: 'CFS', state: 'designed', '@type': 'Service',
              serviceSpecification: { id: cfs.specId, name: cfs.specName, '@referredType': 'CustomerFacingServiceSpecification' },
              serviceCharacteristic: asChars(cfs.characteristics), relatedParty: [plan.customer],
              ...(rfsRefs.length ? { supportingService: rfsRefs } : {}),
              ...(item.place ? { place: item.place.map((p) => ({ role: 'serviceAddress', ...p })) } : {}),
            }, f.ctx, tx);
            const id = String(s.doc['id']);
            putRef(tx, plan.orderId, cfs.key, 'Service', id);
            const itemId = nextId();
            itemIds[cfs.key] = itemId;
            soItems.push({
              id: itemId, action: 'add',
              service: { id, href: f.services.href(f.ctx, id), serviceSpecification: { id: cfs.specId, name: cfs.specName }, serviceCharacteristic: asChars(cfs.characteristics), '@type': 'Service' },
              ...(rfsItems.length ? { serviceOrderItemRelationship: rfsItems.map((d) => ({ relationshipType: 'dependsOn', orderItem: { itemId: d } })) } : {}),
            });
          }
        } else {
          // modify and delete act on the product's services
          const product = await f.products.retrieve(item.productId!, tx);
          putRef(tx, plan.orderId, `product:${item.itemId}`, 'Product', item.productId!);
          for (const s of listOf(product.doc['realizingService'])) {
            const service = await f.services.find(String(s['id']), tx);
            if (!service || service['state'] === 'terminated') continue;
            const isCfs = service['category'] === 'CFS';
            if (item.action === 'modify' && !isCfs) continue;
            const itemId = nextId();
            itemIds[`${item.itemId}:${String(service['id'])}`] = itemId;
            soItems.push({ id: itemId, action: item.action, service: { id: String(service['id']), href: f.services.href(f.ctx, String(service['id'])), '@type': 'Service' } });
          }
        }
      }
      let serviceOrderId = '';
      if (soItems.length > 0) {
        const so = await f.serviceOrders.capture({
          serviceOrderItem: soItems,
          relatedParty: [{ ...plan.customer }],
          externalId: plan.orderId,
          description: `Fulfilment of product order ${plan.orderId}`,
          externalReference: [{ name: plan.orderId, externalReferenceType: 'ProductOrder' }],
        }, f.ctx, tx);
        serviceOrderId = String(so.doc['id']);
        await f.serviceOrders.start(serviceOrderId, f.ctx, tx);
        putRef(tx, plan.orderId, 'service-order', 'ServiceOrder', serviceOrderId, { items: itemIds });
      }
      await f.productOrders.addMilestone(plan.orderId, {
        name: 'serviceOrderOpened', status: 'Completed', message: serviceOrderId ? `service order ${serviceOrderId} opened` : 'no service to order',
      }, f.ctx, tx);
      return { serviceOrderId };
    },
    async compensate(ctx, _input, output) {
      const plan = planOf(ctx);
      const { tx } = ctx;
      const cancelling = await isCancelling(f, plan.orderId, tx);
      for (const item of plan.items) {
        if (item.action !== 'add') continue;
        for (const cfs of item.cfs) {
          for (const key of [cfs.key, ...cfs.rfs.map((r) => r.key)]) {
            const r = await getRef(tx, plan.orderId, key);
            if (r) await serviceTo(f, r.ref_id, 'terminated', {}, tx);
          }
        }
        const p = await getRef(tx, plan.orderId, `product:${item.itemId}`);
        if (p) {
          await f.products.update(p.ref_id, (doc) => (['created', 'pendingActive'].includes(String(doc['status'])) ? { ...doc, status: 'cancelled' } : doc), f.ctx, tx);
        }
      }
      if (output.serviceOrderId) await endSubOrder(f.serviceOrders, output.serviceOrderId, cancelling, cancelling ? 'the product order was cancelled' : 'the product order failed', f, tx);
    },
  };
}

/** Opens the resource order: an item per resource to allocate; the products are on their way (pendingActive). */
function openResourceOrder(f: Fulfilment): TaskHandler<Doc, { resourceOrderId: string }> {
  return {
    chainable: inDatabase,
    async run(ctx) {
      const plan = planOf(ctx);
      const { tx } = ctx;
      await assertGoingOn(f, plan.orderId, tx);
      const items: Doc[] = [];
      const itemIds: Record<string, string> = {};
      for (const item of plan.items) {
        for (const rfs of allRfs(item)) {
          for (const res of rfs.resources) {
            const id = String(items.length + 1);
            itemIds[res.key] = id;
            items.push({ id, action: 'add', resourceSpecification: { id: res.specId, name: res.specName } });
          }
        }
      }
      const so = await getRef(tx, plan.orderId, 'service-order');
      const ro = await f.resourceOrders.capture({
        orderItem: items, relatedParty: [{ ...plan.customer }], orderType: 'provisioning',
        externalId: so?.ref_id ?? plan.orderId, description: `Resources of product order ${plan.orderId}`,
      }, f.ctx, tx);
      const resourceOrderId = String(ro.doc['id']);
      await f.resourceOrders.start(resourceOrderId, f.ctx, tx);
      putRef(tx, plan.orderId, 'resource-order', 'ResourceOrder', resourceOrderId, { items: itemIds });
      for (const item of plan.items) {
        if (item.action !== 'add') continue;
        const p = await mustRef(tx, plan.orderId, `product:${item.itemId}`);
        await f.products.update(p.ref_id, (doc) => (doc['status'] === 'created' ? { ...doc, status: 'pendingActive' } : doc), f.ctx, tx);
      }
      return { resourceOrderId };
    },
    async compensate(ctx, _input, output) {
      const plan = planOf(ctx);
      const cancelling = await isCancelling(f, plan.orderId, ctx.tx);
      await endSubOrder(f.resourceOrders, output.resourceOrderId, cancelling, cancelling ? 'the product order was cancelled' : 'the product order failed', f, ctx.tx);
    },
  };
}

interface Reserved {
  allocations: Array<{ key: string; reservationKey: string; resourceId: string }>;
}

/**
 * Reserves the resources of one RFS from the pools serving their
 * specification in the place's access area, atomically, each allocation keyed
 * by the task (a repeat finds the same values); the RFS is reserved.
 */
function reserveResources(f: Fulfilment): TaskHandler<{ rfs: string }, Reserved> {
  return {
    chainable: inDatabase,
    async run(ctx, input) {
      const plan = planOf(ctx);
      const { tx } = ctx;
      await assertGoingOn(f, plan.orderId, tx);
      const { item, rfs } = findRfs(plan, input.rfs);
      // the resources of one service go together, in one round trip: each names the first (e.g. the VLAN and address on the port)
      const keys = rfs.resources.map((res) => `${ctx.idempotencyKey}:${res.key}`);
      let made;
      try {
        made = await f.pools().allocateAll(rfs.resources.map((res, i) => ({
          resourceSpecificationId: res.specId, ...(item.area ? { area: item.area } : {}), count: 1, reservationKey: keys[i]!, relatedParty: [plan.customer],
          ...(i > 0 ? { dependsOnRequest: 0 } : {}),
        })), f.ctx, tx);
      } catch (e) {
        if (e instanceof AllocationRefused && e.kind === 'conflict') {
          throw new NonRetryableError(`cannot allocate ${rfs.resources[e.request]!.specName}${item.area ? ` in ${item.area}` : ''}: ${e.message}`, { cause: e });
        }
        throw e;
      }
      const allocations: Reserved['allocations'] = rfs.resources.map((res, i) => {
        const value = made[i]!.items[0]!;
        putRef(tx, plan.orderId, res.key, 'Resource', value.resourceId, { reservationKey: keys[i]!, value: value.value });
        return { key: res.key, reservationKey: keys[i]!, resourceId: value.resourceId };
      });
      const service = await mustRef(tx, plan.orderId, rfs.key);
      await serviceTo(f, service.ref_id, 'reserved', {
        supportingResource: allocations.map((a) => ref(f, f.resources, a.resourceId, 'Resource')),
      }, tx);
      return { allocations };
    },
    async compensate(ctx, input, output) {
      // what the network holds of these resources is taken off here, before they go back: whether their
      // activation completed (its compensation only marks them idle) or failed half-way
      const { item } = findRfs(planOf(ctx), input.rfs);
      const resources: Doc[] = [];
      for (const a of output.allocations) resources.push((await f.resources.retrieve(a.resourceId, ctx.tx)).doc);
      await allSettledOrThrow(resources.map((resource, i) => f.activator().deactivateResource(resourceRequest(resource, item), {
        idempotencyKey: `${ctx.idempotencyKey}:${output.allocations[i]!.key}`, ifConfigured: true, timeoutMs: f.networkTimeoutMs, signal: ctx.signal,
      })));
      await unrelate(f, output.allocations.map((a) => a.resourceId), ctx.tx);
      for (const a of output.allocations) {
        try {
          await f.pools().release({ reservationKey: a.reservationKey }, f.ctx, ctx.tx);
        } catch (e) {
          // released already (e.g. by an operator): nothing left to undo
          if (!(e instanceof OperonError && e.kind === 'notFound')) throw e;
        }
      }
    },
  };
}

/** A resource the network configured: in use in the inventory, with what the network configured (its controls apart). */
async function inUse(f: Fulfilment, id: string, outcome: ResourceOutcome, item: ItemPlan, tx: Tx): Promise<void> {
  const configured = (outcome.resourceCharacteristic ?? []).filter((c) => !item.controls.some((x) => x.name === c.name));
  await f.resources.update(id, (doc) => ({
    ...doc, usageState: 'active', operationalState: 'enable',
    resourceCharacteristic: mergeChars(listOf(doc['resourceCharacteristic']), configured.map((c) => ({ name: c.name, value: c.value, ...(c.valueType ? { valueType: c.valueType } : {}) }))),
  }), f.ctx, tx);
}

/** Configures one resource on the network; in the inventory it is in use, with what the network configured. */
function activateResource(f: Fulfilment): TaskHandler<{ rfs: string; resource: string }, { resourceId: string }> {
  return {
    chainable: (input, run) => quickNetwork(f, findRfs(run.input as OrderPlan, input.rfs).item),
    async run(ctx, input) {
      const plan = planOf(ctx);
      const { tx } = ctx;
      await assertGoingOn(f, plan.orderId, tx);
      const { item } = findRfs(plan, input.rfs);
      const r = await mustRef(tx, plan.orderId, input.resource);
      const resource = await forChange(f.resources, r.ref_id, tx);
      const outcome = await network(() => f.activator().activateResource(resourceRequest(resource, item), { idempotencyKey: ctx.idempotencyKey, timeoutMs: f.networkTimeoutMs, signal: ctx.signal }));
      await inUse(f, r.ref_id, outcome, item, tx);
      const ro = await mustRef(tx, plan.orderId, 'resource-order');
      const itemId = (ro.detail['items'] as Record<string, string>)[input.resource];
      if (itemId) await moveOrderItem(f.resourceOrders, ro.ref_id, itemId, 'completed', f, tx);
      return { resourceId: r.ref_id };
    },
    async compensate(ctx, input, output) {
      const plan = planOf(ctx);
      const { item } = findRfs(plan, input.rfs);
      const resource = (await f.resources.retrieve(output.resourceId, ctx.tx)).doc;
      await f.activator().deactivateResource(resourceRequest(resource, item), { idempotencyKey: ctx.idempotencyKey, ifConfigured: true, timeoutMs: f.networkTimeoutMs, signal: ctx.signal });
      await f.resources.update(output.resourceId, (doc) => ({ ...doc, usageState: 'idle' }), f.ctx, ctx.tx);
    },
  };
}

/**
 * Configures the resources of one RFS on the network, all at once: one request
 * each, keyed by the task and the resource, so that a repeat finds what an
 * earlier attempt configured. In the inventory they are in use, with what the
 * network configured, and their resource order items are completed. Waits for
 * every answer before it fails, so that nothing it asked for lands after the
 * undo. What it configured, whether the task completed or failed half-way, is
 * taken off the network with the reservation (reserveResources' compensation).
 */
function activateResources(f: Fulfilment): TaskHandler<{ rfs: string }, { resourceIds: string[] }> {
  return {
    chainable: (input, run) => quickNetwork(f, findRfs(run.input as OrderPlan, input.rfs).item),
    async run(ctx, input) {
      const plan = planOf(ctx);
      const { tx } = ctx;
      await assertGoingOn(f, plan.orderId, tx);
      const { item, rfs } = findRfs(plan, input.rfs);
      const ids: string[] = [];
      const resources: Doc[] = [];
      for (const res of rfs.resources) {
        const r = await mustRef(tx, plan.orderId, res.key);
        ids.push(r.ref_id);
        resources.push(await forChange(f.resources, r.ref_id, tx));
      }
      const outcomes = await allSettledOrThrow(resources.map((resource, i) => network(() => f.activator().activateResource(resourceRequest(resource, item), {
        idempotencyKey: `${ctx.idempotencyKey}:${rfs.resources[i]!.key}`, timeoutMs: f.networkTimeoutMs, signal: ctx.signal,
      }))));
      for (const [i, id] of ids.entries()) await inUse(f, id, outcomes[i]!, item, tx);
      const ro = await mustRef(tx, plan.orderId, 'resource-order');
      const items = ro.detail['items'] as Record<string, string>;
      const itemIds = rfs.resources.map((res) => items[res.key]).filter((id): id is string => id !== undefined);
      if (itemIds.length) await moveOrderItem(f.resourceOrders, ro.ref_id, itemIds, 'completed', f, tx);
      return { resourceIds: ids };
    },
    async compensate(ctx, _input, output) {
      // the network lets them go with the reservation, whose compensation runs next (it depends on it)
      for (const id of output.resourceIds) await f.resources.update(id, (doc) => ({ ...doc, usageState: 'idle' }), f.ctx, ctx.tx);
    },
  };
}

/** Activates an RFS (on its resources) or a CFS (on its RFS); the service is active in the inventory. */
function activateService(f: Fulfilment): TaskHandler<{ rfs?: string; cfs?: string }, { serviceId: string }> {
  return {
    chainable: (input, run) => quickNetwork(f, findItem(run.input as OrderPlan, itemOfService(run.input as OrderPlan, input))),
    async run(ctx, input) {
      const plan = planOf(ctx);
      const { tx } = ctx;
      await assertGoingOn(f, plan.orderId, tx);
      const key = input.rfs ?? input.cfs!;
      const item = plan.items.find((i) => i.cfs.some((c) => c.key === key || c.rfs.some((r) => r.key === key)))!;
      const s = await mustRef(tx, plan.orderId, key);
      const service = await forChange(f.services, s.ref_id, tx);
      await network(() => f.activator().activateService(serviceRequest(service, item.controls), { idempotencyKey: ctx.idempotencyKey, timeoutMs: f.networkTimeoutMs, signal: ctx.signal }));
      await serviceTo(f, s.ref_id, 'active', {}, tx);
      const so = await mustRef(tx, plan.orderId, 'service-order');
      const itemId = (so.detail['items'] as Record<string, string>)[key];
      if (itemId) await moveOrderItem(f.serviceOrders, so.ref_id, itemId, 'completed', f, tx);
      return { serviceId: s.ref_id };
    },
    async compensate(ctx, _input, output) {
      const service = (await f.services.retrieve(output.serviceId, ctx.tx)).doc;
      await f.activator().deactivateService(serviceRequest(service, []), { idempotencyKey: ctx.idempotencyKey, ifConfigured: true, timeoutMs: f.networkTimeoutMs, signal: ctx.signal });
      await f.services.update(output.serviceId, (doc) => (doc['state'] === 'active' ? { ...doc, state: 'inactive' } : doc), f.ctx, ctx.tx);
    },
  };
}

interface Modified {
  changed: Array<{ serviceId: string; before: Doc[] }>;
  productBefore: Doc[];
}

/** Reconfigures the product's customer-facing services whose characteristics change (e.g. a speed upgrade). */
function modifyServices(f: Fulfilment): TaskHandler<{ itemId: string }, Modified> {
  return {
    chainable: (input, run) => quickNetwork(f, findItem(run.input as OrderPlan, input.itemId)),
    async run(ctx, input) {
      const plan = planOf(ctx);
      const { tx } = ctx;
      await assertGoingOn(f, plan.orderId, tx);
      const item = findItem(plan, input.itemId);
      const product = (await f.products.retrieve(item.productId!, tx)).doc;
      const productBefore = listOf(product['productCharacteristic']);
      const next = mergeChars(productBefore, item.characteristics).map((c) => ({ name: String(c['name']), value: c['value'] }));
      const changed: Modified['changed'] = [];
      const so = await getRef(tx, plan.orderId, 'service-order');
      for (const r of listOf(product['realizingService'])) {
        const service = await f.services.find(String(r['id']), tx);
        if (!service || service['state'] === 'terminated') continue;
        const specRef = service['serviceSpecification'] as Doc;
        const spec = await f.catalogs.serviceSpecification(String(specRef['id']), tx);
        const wanted = spec ? forSpec(spec, next) : [];
        const before = listOf(service['serviceCharacteristic']);
        const after = mergeChars(before, wanted);
        if (JSON.stringify(after) === JSON.stringify(before) && item.controls.length === 0) continue;
        if (JSON.stringify(after) !== JSON.stringify(before) || service['category'] === 'CFS') {
          const id = String(service['id']);
          await network(() => f.activator().modifyService(serviceRequest({ ...service, serviceCharacteristic: after }, item.controls), { idempotencyKey: `${ctx.idempotencyKey}:${id}`, timeoutMs: f.networkTimeoutMs, signal: ctx.signal }));
          await f.services.update(id, (doc) => ({ ...doc, serviceCharacteristic: after }), f.ctx, tx);
          changed.push({ serviceId: id, before });
        }
      }
      if (so) {
        const items = so.detail['items'] as Record<string, string>;
        for (const [k, itemId] of Object.entries(items)) if (k.startsWith(`${item.itemId}:`)) await moveOrderItem(f.serviceOrders, so.ref_id, itemId, 'completed', f, tx);
      }
      return { changed, productBefore };
    },
    async compensate(ctx, _input, output) {
      for (const c of [...output.changed].reverse()) {
        const service = (await f.services.retrieve(c.serviceId, ctx.tx)).doc;
        await f.activator().modifyService(serviceRequest({ ...service, serviceCharacteristic: c.before }, []), { idempotencyKey: `${ctx.idempotencyKey}:${c.serviceId}`, timeoutMs: f.networkTimeoutMs, signal: ctx.signal });
        await f.services.update(c.serviceId, (doc) => ({ ...doc, serviceCharacteristic: c.before }), f.ctx, ctx.tx);
      }
    },
  };
}

/**
 * Terminates a product: its services deactivated (customer-facing first) and
 * terminated, its resources deactivated and released to their pools, the
 * product terminated. Not undone: a termination carried out is final.
 */
function terminateProduct(f: Fulfilment): TaskHandler<{ itemId: string }, { productId: string }> {
  return {
    chainable: (input, run) => quickNetwork(f, findItem(run.input as OrderPlan, input.itemId)),
    async run(ctx, input) {
      const plan = planOf(ctx);
      const { tx } = ctx;
      await assertGoingOn(f, plan.orderId, tx);
      const item = findItem(plan, input.itemId);
      const product = (await f.products.retrieve(item.productId!, tx)).doc;
      const services: Doc[] = [];
      for (const r of listOf(product['realizingService'])) {
        const s = await f.services.find(String(r['id']), tx);
        if (s) services.push(s);
      }
      // customer-facing services run on the others: they go first
      services.sort((a, b) => Number(b['category'] === 'CFS') - Number(a['category'] === 'CFS'));
      for (const s of services) {
        const id = String(s['id']);
        if (s['state'] === 'terminated') continue;
        await network(() => f.activator().deactivateService(serviceRequest(s, []), { idempotencyKey: `${ctx.idempotencyKey}:service:${id}`, ifConfigured: true, timeoutMs: f.networkTimeoutMs, signal: ctx.signal }));
        await f.services.transition(id, 'terminated', f.ctx, {}, tx);
      }
      const resourceIds = listOf(product['realizingResource']).map((r) => String(r['id']));
      for (const id of resourceIds) {
        const resource = await f.resources.find(id, tx);
        if (!resource) continue;
        await network(() => f.activator().deactivateResource(resourceRequest(resource, item), { idempotencyKey: `${ctx.idempotencyKey}:resource:${id}`, ifConfigured: true, timeoutMs: f.networkTimeoutMs, signal: ctx.signal }));
      }
      await unrelate(f, resourceIds, tx);
      for (const id of resourceIds) {
        try {
          await f.pools().release({ resourceId: id }, f.ctx, tx);
        } catch (e) {
          // a resource recorded by hand, not from a pool: it stays as it is
          if (!(e instanceof OperonError && e.code === 'notPooled')) throw e;
        }
      }
      await f.products.update(item.productId!, (doc) => ({ ...doc, status: 'pendingTerminate' }), f.ctx, tx);
      await f.products.update(item.productId!, (doc) => ({
        ...doc, status: 'terminated',
        productOrderItem: [...listOf(doc['productOrderItem']), { productOrderId: plan.orderId, orderItemId: item.itemId, orderItemAction: 'delete', role: 'terminator', '@referredType': 'ProductOrderItem' }],
      }), f.ctx, tx);
      const so = await getRef(tx, plan.orderId, 'service-order');
      if (so) {
        const items = so.detail['items'] as Record<string, string>;
        for (const [k, itemId] of Object.entries(items)) if (k.startsWith(`${item.itemId}:`)) await moveOrderItem(f.serviceOrders, so.ref_id, itemId, 'completed', f, tx);
      }
      await f.productOrders.moveItems(plan.orderId, { [item.itemId]: 'completed' }, f.ctx, {}, tx);
      return { productId: item.productId! };
    },
  };
}

/**
 * Completes an order item: the product is active (with what realizes it, its
 * prices and billing account: the TMF637 event is the billing hand-off), or
 * carries its new characteristics; the order item is completed.
 */
function completeProduct(f: Fulfilment): TaskHandler<{ itemId: string }, { productId: string; before?: Doc }> {
  return {
    chainable: inDatabase,
    async run(ctx, input) {
      const plan = planOf(ctx);
      const { tx } = ctx;
      await assertGoingOn(f, plan.orderId, tx);
      const item = findItem(plan, input.itemId);
      const p = await mustRef(tx, plan.orderId, `product:${item.itemId}`);
      const before = await forChange(f.products, p.ref_id, tx);
      if (item.action === 'add') {
        const realizingService: Doc[] = [];
        const realizingResource: Doc[] = [];
        // every service and resource of an added item was recorded by the tasks before: one missing is a fault, never a smaller product
        for (const cfs of item.cfs) {
          for (const key of [cfs.key, ...cfs.rfs.map((r) => r.key)]) {
            const r = await mustRef(tx, plan.orderId, key);
            realizingService.push(ref(f, f.services, r.ref_id, 'Service'));
          }
          for (const res of cfs.rfs.flatMap((r) => r.resources)) {
            const r = await mustRef(tx, plan.orderId, res.key);
            realizingResource.push(ref(f, f.resources, r.ref_id, 'Resource', String(r.detail['value'] ?? res.specName)));
          }
        }
        if (before['status'] === 'created') await f.products.transition(p.ref_id, 'pendingActive', f.ctx, {}, tx);
        await f.products.update(p.ref_id, (doc) => ({ ...doc, status: 'active', realizingService, realizingResource }), f.ctx, tx);
      } else {
        await f.products.update(p.ref_id, (doc) => ({
          ...doc,
          productCharacteristic: mergeChars(listOf(doc['productCharacteristic']), item.characteristics),
          productOrderItem: [...listOf(doc['productOrderItem']), { productOrderId: plan.orderId, orderItemId: item.itemId, orderItemAction: 'modify', role: 'modifier', '@referredType': 'ProductOrderItem' }],
        }), f.ctx, tx);
      }
      await f.productOrders.moveItems(plan.orderId, { [item.itemId]: 'completed' }, f.ctx, {}, tx);
      await f.productOrders.addMilestone(plan.orderId, {
        name: item.action === 'add' ? 'productActivated' : 'productModified', status: 'Completed', message: `product ${p.ref_id}`, itemIds: [item.itemId],
      }, f.ctx, tx);
      return { productId: p.ref_id, ...(item.action === 'modify' ? { before: { productCharacteristic: before['productCharacteristic'] ?? [] } } : {}) };
    },
    async compensate(ctx, input, output) {
      const plan = planOf(ctx);
      const item = findItem(plan, input.itemId);
      await f.products.update(output.productId, (doc) => {
        if (item.action === 'modify') return { ...doc, productCharacteristic: output.before?.['productCharacteristic'] ?? doc['productCharacteristic'] };
        // what was delivered is taken back: a product that was active ends terminated
        return doc['status'] === 'active' ? { ...doc, status: 'terminated' } : doc;
      }, f.ctx, ctx.tx);
    },
  };
}

/** Closes the resource and service orders, then the product order (completed). */
function closeOrders(f: Fulfilment): TaskHandler<Doc, { state: string }> {
  return {
    chainable: inDatabase,
    async run(ctx) {
      const plan = planOf(ctx);
      const { tx } = ctx;
      await assertGoingOn(f, plan.orderId, tx);
      const ro = await getRef(tx, plan.orderId, 'resource-order');
      if (ro) await f.resourceOrders.close(ro.ref_id, f.ctx, tx);
      const so = await getRef(tx, plan.orderId, 'service-order');
      if (so) await f.serviceOrders.close(so.ref_id, f.ctx, tx);
      // the milestone goes first: a closed order takes no more milestones
      const items = listOf((await f.productOrders.orders.retrieve(plan.orderId, tx)).doc['productOrderItem']).map((i) => i['state']);
      const delivered = items.filter((s) => s === 'completed').length;
      await f.productOrders.addMilestone(plan.orderId, {
        name: 'orderCompleted', status: 'Completed',
        message: delivered === items.length ? 'every item delivered' : delivered > 0 ? 'some items delivered, the others failed' : 'no item delivered',
      }, f.ctx, tx);
      const r = await f.productOrders.close(plan.orderId, f.ctx, tx);
      return { state: String(r.doc['state']) };
    },
  };
}

// --- failures scoped to one order item ----------------------------------------------------------

/*
 * Why an item's failure does not undo the other items (TMF622 `partial`).
 * The engine compensates a whole run when one of its tasks fails for good:
 * right when an order's items stand or fall together (a single item, or
 * items related by productOrderItemRelationship). When an order has several
 * independent items, the tasks of each item are wrapped (`itemScoped`): a
 * failure that is the item's for good — the network refused, no capacity in
 * the pools, a network error on the last attempt — is rolled back to a
 * savepoint, recorded against the item, and the task completes, so the run
 * goes on for the other items. The item's later tasks then do nothing, and
 * its last task (complete-product or terminate-product), which depends on all
 * of them, undoes the item's completed tasks with their own compensations in
 * reverse order of completion, in its transaction, and fails the item with
 * its reason; close-orders ends the order `partial` (or `failed` when no item
 * was delivered). One run per item was the alternative: it would split the
 * one service order and resource order of a product order, and a
 * cancellation or a kill -9 would have several runs to follow instead of one.
 * Anything else (a bug, the order being cancelled) still fails the whole run.
 */

/** A task of an item already failed, or that failed for the item: it did nothing. */
interface ItemSkipped {
  itemFailed: string;
}

const isSkipped = (output: unknown): output is ItemSkipped => isObject(output) && typeof output['itemFailed'] === 'string';
const failureKey = (itemId: string) => `failed:${itemId}`;

/** Which order item a task works for. */
type ItemOf<I> = (plan: OrderPlan, input: I) => string;

const itemOfService: ItemOf<{ rfs?: string; cfs?: string }> = (plan, input) => {
  const key = input.rfs ?? input.cfs!;
  const item = plan.items.find((i) => i.cfs.some((c) => c.key === key || c.rfs.some((r) => r.key === key)));
  if (!item) throw new Error(`the plan of order ${plan.orderId} has no service '${key}'`);
  return item.itemId;
};
const itemOfRfs: ItemOf<{ rfs: string }> = (plan, input) => findRfs(plan, input.rfs).item.itemId;
const itemOfInput: ItemOf<{ itemId: string }> = (_plan, input) => input.itemId;

/** A failure that repeating the item's work cannot fix: refused by the network, no capacity, or retries used up. */
function isItemFailure(e: unknown, attempt: number, maxAttempts: number): boolean {
  if (e instanceof NonRetryableError) {
    const cause = e.cause;
    return isNetworkError(cause) || (cause instanceof OperonError && cause.kind === 'conflict');
  }
  return isNetworkError(e) && attempt >= maxAttempts;
}

/**
 * The transaction as a savepoint's body sees it: events, audit records and
 * after-commit hooks wait until the savepoint is released, so that what is
 * rolled back to it announces nothing. The transaction has begun (the
 * SAVEPOINT), so a final write is a plain query plus its events.
 */
function deferring(tx: Tx): { tx: Tx; flush(): void } {
  const calls: Array<() => void> = [];
  const deferred = new Set<PropertyKey>(['emit', 'audit', 'afterCommit']);
  const proxy = new Proxy(tx, {
    get(target, p) {
      if (p === 'finalWrite') {
        return async (text: string, params: unknown[], events: Parameters<Tx['emit']>[0][], audits: Parameters<Tx['audit']>[0][] = []) => {
          const r = await target.query(text, params);
          calls.push(() => {
            for (const e of events) target.emit(e);
            for (const a of audits) target.audit(a);
          });
          return r;
        };
      }
      const v: unknown = Reflect.get(target, p, target);
      if (typeof v !== 'function') return v;
      const fn = v as (...a: unknown[]) => unknown;
      if (deferred.has(p)) return (...args: unknown[]) => void calls.push(() => fn.apply(target, args));
      return (...args: unknown[]) => fn.apply(target, args);
    },
  });
  return { tx: proxy, flush: () => calls.splice(0).forEach((c) => c()) };
}

interface Scoped {
  handler: TaskHandler<never, unknown>;
  itemOf: ItemOf<never>;
}

/**
 * Undoes what the tasks of one failed item did (reverse order of completion),
 * ends its products and services, fails its service and resource order items
 * and the product order item, with the reason on the order.
 */
async function failItem(f: Fulfilment, scoped: ReadonlyMap<string, Scoped>, ctx: TaskContext, plan: OrderPlan, itemId: string, reason: string): Promise<void> {
  const { tx } = ctx;
  const done = await tx.query<{ id: string; key: string; kind: string; input: unknown; output: unknown; etom_task: string | null }>(
    `SELECT id, key, kind, input, output, etom_task FROM workflow_task WHERE run_id = $1 AND status = 'done' ORDER BY done_seq DESC`, [ctx.run.id],
  );
  for (const t of done.rows) {
    const s = scoped.get(t.kind);
    if (!s?.handler.compensate || isSkipped(t.output) || (s.itemOf as ItemOf<unknown>)(plan, t.input) !== itemId) continue;
    await (s.handler as TaskHandler<unknown, unknown>).compensate!({
      tx, run: ctx.run, task: { id: t.id, key: t.key, kind: t.kind, etomTask: t.etom_task }, attempt: ctx.attempt,
      idempotencyKey: `${t.id}:compensate`, signal: ctx.signal,
    }, t.input, t.output);
  }
  const item = findItem(plan, itemId);
  const serviceKeys = item.cfs.flatMap((c) => [c.key, ...c.rfs.map((r) => r.key)]);
  if (item.action === 'add') {
    // what openServiceOrder recorded for this item, ended as its compensation ends it for a whole order
    for (const key of serviceKeys) {
      const r = await getRef(tx, plan.orderId, key);
      if (r) await serviceTo(f, r.ref_id, 'terminated', {}, tx);
    }
    const p = await getRef(tx, plan.orderId, `product:${itemId}`);
    if (p) await f.products.update(p.ref_id, (doc) => (['created', 'pendingActive'].includes(String(doc['status'])) ? { ...doc, status: 'cancelled' } : doc), f.ctx, tx);
  }
  const so = await getRef(tx, plan.orderId, 'service-order');
  if (so) {
    for (const [k, soItem] of Object.entries(so.detail['items'] as Record<string, string>)) {
      if (serviceKeys.includes(k) || k.startsWith(`${itemId}:`)) await moveOrderItem(f.serviceOrders, so.ref_id, soItem, 'failed', f, tx);
    }
  }
  const ro = await getRef(tx, plan.orderId, 'resource-order');
  if (ro) {
    const resourceKeys = allRfs(item).flatMap((r) => r.resources.map((x) => x.key));
    for (const [k, roItem] of Object.entries(ro.detail['items'] as Record<string, string>)) {
      if (resourceKeys.includes(k)) await moveOrderItem(f.resourceOrders, ro.ref_id, roItem, 'failed', f, tx);
    }
  }
  await f.productOrders.moveItems(plan.orderId, { [itemId]: 'failed' }, f.ctx, {}, tx);
  await f.productOrders.addErrorMessage(plan.orderId, {
    code: 'fulfilmentFailed', reason: `Order item ${itemId} could not be delivered`, message: reason, itemIds: [itemId],
  }, f.ctx, tx);
  const failure = await mustRef(tx, plan.orderId, failureKey(itemId));
  putRef(tx, plan.orderId, failureKey(itemId), failure.ref_type, failure.ref_id, { ...failure.detail, compensated: true });
}

/**
 * Wraps the task of an item so that its failure stays the item's when the
 * order's items are independent (see above). `last` marks the item's final
 * task, where a failed item is undone and failed.
 */
function itemScoped<I, O>(f: Fulfilment, scoped: Map<string, Scoped>, kind: string, handler: TaskHandler<I, O>, itemOf: ItemOf<I>, last = false): TaskHandler<I, O | ItemSkipped> {
  scoped.set(kind, { handler: handler as TaskHandler<never, unknown>, itemOf: itemOf as ItemOf<never> });
  return {
    async run(ctx, input) {
      const plan = planOf(ctx);
      if (!plan.independentItems) return handler.run(ctx, input);
      const itemId = itemOf(plan, input);
      const failed = await getRef(ctx.tx, plan.orderId, failureKey(itemId));
      if (failed) {
        const reason = String(failed.detail['reason']);
        if (last) await failItem(f, scoped, ctx, plan, itemId, reason);
        return { itemFailed: reason };
      }
      await ctx.tx.query('SAVEPOINT lead_to_cash_item');
      const d = deferring(ctx.tx);
      let output: O;
      try {
        output = await handler.run({ ...ctx, tx: d.tx }, input);
      } catch (e) {
        if (!isItemFailure(e, ctx.attempt, f.maxAttempts)) throw e;
        await ctx.tx.query('ROLLBACK TO SAVEPOINT lead_to_cash_item');
        const reason = (e as Error).message;
        putRef(ctx.tx, plan.orderId, failureKey(itemId), 'OrderItemFailure', ctx.task.key, { reason });
        if (last) await failItem(f, scoped, ctx, plan, itemId, reason);
        return { itemFailed: reason };
      }
      await ctx.tx.query('RELEASE SAVEPOINT lead_to_cash_item');
      d.flush();
      return output;
    },
    ...(handler.compensate ? {
      async compensate(ctx: CompensationContext, input: I, output: O | ItemSkipped) {
        if (isSkipped(output)) return;
        const plan = planOf(ctx);
        if (plan.independentItems) {
          // undone already, when its item failed
          const failed = await getRef(ctx.tx, plan.orderId, failureKey(itemOf(plan, input)));
          if (failed?.detail['compensated']) return;
        }
        await handler.compensate!(ctx, input, output);
      },
    } : {}),
    ...(handler.retry ? { retry: handler.retry } : {}),
    ...(handler.timeoutMs ? { timeoutMs: handler.timeoutMs } : {}),
    ...(handler.chainable ? { chainable: handler.chainable.bind(handler) } : {}),
  };
}

/** Registers every task kind of the flow with the engine. */
export function registerTasks(engine: WorkflowEngine, f: Fulfilment): void {
  const scoped = new Map<string, Scoped>();
  engine
    .register(TASKS.openServiceOrder.kind, openServiceOrder(f))
    .register(TASKS.openResourceOrder.kind, openResourceOrder(f))
    .register(TASKS.reserveResources.kind, itemScoped(f, scoped, TASKS.reserveResources.kind, reserveResources(f), itemOfRfs))
    .register(TASKS.activateResources.kind, itemScoped(f, scoped, TASKS.activateResources.kind, activateResources(f), itemOfRfs))
    // runs planned before the resources of a service were activated together
    .register(TASKS.activateResource.kind, itemScoped(f, scoped, TASKS.activateResource.kind, activateResource(f), itemOfRfs))
    .register(TASKS.activateService.kind, itemScoped(f, scoped, TASKS.activateService.kind, activateService(f), itemOfService))
    .register(TASKS.modifyServices.kind, itemScoped(f, scoped, TASKS.modifyServices.kind, modifyServices(f), itemOfInput))
    .register(TASKS.terminateProduct.kind, itemScoped(f, scoped, TASKS.terminateProduct.kind, terminateProduct(f), itemOfInput, true))
    .register(TASKS.completeProduct.kind, itemScoped(f, scoped, TASKS.completeProduct.kind, completeProduct(f), itemOfInput, true))
    .register(TASKS.closeOrders.kind, closeOrders(f));
}
