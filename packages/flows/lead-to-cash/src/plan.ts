/**
 * The fulfilment plan of one product order, worked out from the catalogs when
 * the order is taken into fulfilment, and the workflow run that carries it
 * out: which tasks, in which order, which of them in parallel.
 */
import { cloneJson } from '@operon/kernel';
import type { ProductOrder } from '@operon/product-order';
import type { Queryable } from '@operon/store';
import { catalogJson, type Doc } from '@operon/tmf';
import type { TaskSpec } from '@operon/workflow';
import { CONTROL_CHARACTERISTICS, Catalogs, characteristicsOf, withDefaults, type CatalogPrice, type CfsPlan, type NameValue, type RfsPlan } from './catalog.ts';
import { areaOfPlaces, customerOf } from './ports.ts';

const { isObject, listOf, str } = catalogJson;

export const RUN_TYPE = 'lead-to-cash';

/** Task kinds, with the eTOM L3 task each performs. */
export const TASKS = {
  openServiceOrder: { kind: 'l2c.open-service-order', etom: 'Track & Manage Service Provisioning' },
  openResourceOrder: { kind: 'l2c.open-resource-order', etom: 'Track & Manage Resource Provisioning' },
  reserveResources: { kind: 'l2c.reserve-resources', etom: 'Allocate & Install Resource' },
  activateResources: { kind: 'l2c.activate-resources', etom: 'Configure & Activate Resource' },
  /** One resource at a time: planned no more, run for orders planned so. */
  activateResource: { kind: 'l2c.activate-resource', etom: 'Configure & Activate Resource' },
  activateService: { kind: 'l2c.activate-service', etom: 'Implement, Configure & Activate Service' },
  modifyServices: { kind: 'l2c.modify-services', etom: 'Implement, Configure & Activate Service' },
  terminateProduct: { kind: 'l2c.terminate-product', etom: 'Implement, Configure & Activate Service' },
  completeProduct: { kind: 'l2c.complete-product', etom: 'Complete Customer Order' },
  closeOrders: { kind: 'l2c.close-orders', etom: 'Close Customer Order' },
} as const;
export type TaskName = keyof typeof TASKS;

export interface ItemPlan {
  itemId: string;
  action: 'add' | 'modify' | 'delete';
  offering?: { id: string; name?: string };
  productSpecification?: { id: string; name?: string };
  /** The existing product a modify or delete item acts on. */
  productId?: string;
  /** The product's characteristics (control characteristics apart). */
  characteristics: NameValue[];
  /** Characteristics steering the simulated network, passed to every activation of the item. */
  controls: NameValue[];
  place?: Doc[];
  area?: string;
  prices: CatalogPrice[];
  cfs: CfsPlan[];
}

export interface OrderPlan {
  orderId: string;
  customer: Doc;
  billingAccount?: Doc;
  items: ItemPlan[];
  /**
   * Several items, none related to another (productOrderItemRelationship):
   * a failure of one item undoes that item only, and the order may end
   * `partial` (see fulfilment.ts, failures scoped to one item).
   */
  independentItems?: boolean;
}

/** The customer as inventories record it (their RelatedParty needs @referredType). */
function customerRef(order: ProductOrder): Doc {
  const c = customerOf(order.relatedParty) ?? {};
  return {
    id: String(c['id']),
    ...(str(c['name']) ? { name: str(c['name']) } : {}),
    role: 'customer',
    '@referredType': str(c['@referredType']) ?? 'Individual',
  };
}

/** Prices given on the order item (already checked against the catalog at capture). */
function orderPrices(item: Doc): CatalogPrice[] {
  return listOf(item['itemPrice']).filter((p) => typeof p['priceType'] === 'string').map((p) => {
    const price = isObject(p['price']) ? p['price'] : {};
    const pop = isObject(p['productOfferingPrice']) ? p['productOfferingPrice'] : undefined;
    return {
      ...(str(p['name']) ? { name: str(p['name'])! } : {}),
      priceType: String(p['priceType']),
      ...(str(p['recurringChargePeriod']) ? { recurringChargePeriod: str(p['recurringChargePeriod'])! } : {}),
      ...(str(p['unitOfMeasure']) ? { unitOfMeasure: str(p['unitOfMeasure'])! } : {}),
      price: cloneJson(price) as CatalogPrice['price'],
      ...(pop && str(pop['id']) ? { productOfferingPrice: { id: str(pop['id'])!, ...(str(pop['name']) ? { name: str(pop['name'])! } : {}) } } : {}),
    };
  });
}

/** Works out the plan of an order from the catalogs (a 422 names what the catalog lacks). */
export async function planOrder(catalogs: Catalogs, order: ProductOrder, q: Queryable): Promise<OrderPlan> {
  const items: ItemPlan[] = [];
  for (const item of order.productOrderItem) {
    const all = characteristicsOf(item.product);
    const controls = all.filter((c) => CONTROL_CHARACTERISTICS.has(c.name));
    const given = all.filter((c) => !CONTROL_CHARACTERISTICS.has(c.name));
    const places = isObject(item.product) ? listOf(item.product['place']) : [];
    const area = places.length ? await areaOfPlaces(catalogs.runtime, places, q) : undefined;
    const base = { itemId: item.id, controls, ...(places.length ? { place: places } : {}), ...(area ? { area } : {}) };
    if (item.action === 'add') {
      const offeringId = String(item.productOffering?.id);
      const offering = await catalogs.offering(offeringId, q);
      const specId = offering ? catalogJson.idOf(offering['productSpecification']) : undefined;
      const spec = specId ? await catalogs.productSpecification(specId, q) : undefined;
      const characteristics = spec ? withDefaults(spec, given) : given;
      const d = await catalogs.decompose(offeringId, `i${item.id}`, characteristics, q);
      const prices = orderPrices(item);
      items.push({
        ...base, action: 'add',
        offering: { id: offeringId, ...(str(d.offering['name']) ? { name: str(d.offering['name'])! } : {}) },
        productSpecification: { id: String(d.productSpecification['id']), ...(str(d.productSpecification['name']) ? { name: str(d.productSpecification['name'])! } : {}) },
        characteristics, prices: prices.length ? prices : await catalogs.offeringPrices(d.offering, q), cfs: d.cfs,
      });
    } else if (item.action === 'modify' || item.action === 'delete') {
      items.push({ ...base, action: item.action, productId: String(item.product?.id), characteristics: given, prices: [], cfs: [] });
    }
    // noChange items need no work
  }
  return {
    orderId: order.id,
    customer: customerRef(order),
    ...(order.billingAccount ? { billingAccount: { ...order.billingAccount, '@referredType': order.billingAccount['@referredType'] ?? 'BillingAccount' } } : {}),
    items,
    independentItems: items.length > 1 && order.productOrderItem.every((i) => listOf((i as unknown as Doc)['productOrderItemRelationship']).length === 0),
  };
}

export function allRfs(item: ItemPlan): RfsPlan[] {
  return item.cfs.flatMap((c) => c.rfs);
}

export function findRfs(plan: OrderPlan, key: string): { item: ItemPlan; rfs: RfsPlan } {
  for (const item of plan.items) for (const rfs of allRfs(item)) if (rfs.key === key) return { item, rfs };
  throw new Error(`the plan of order ${plan.orderId} has no resource-facing service '${key}'`);
}

export function findItem(plan: OrderPlan, itemId: string): ItemPlan {
  const item = plan.items.find((i) => i.itemId === itemId);
  if (!item) throw new Error(`the plan of order ${plan.orderId} has no item '${itemId}'`);
  return item;
}

/**
 * The tasks of the run: the service order first, the resource order, then per
 * RFS its reservation, the activation of its resources (at once), the RFS,
 * then the CFS, then the product; modify and delete items in their own
 * branches; the orders closed when every branch is done.
 */
export function tasksOf(plan: OrderPlan, expectedMs: Partial<Record<TaskName, number>>): TaskSpec[] {
  const tasks: TaskSpec[] = [];
  const add = (name: TaskName, key: string, input: unknown, dependsOn: string[]) => {
    const t = TASKS[name];
    const expected = expectedMs[name];
    tasks.push({ key, kind: t.kind, input, dependsOn, etomTask: t.etom, ...(expected ? { expectedMs: expected } : {}) });
    return key;
  };
  const so = add('openServiceOrder', 'open-service-order', {}, []);
  const needsResources = plan.items.some((i) => allRfs(i).some((r) => r.resources.length > 0));
  const ro = needsResources ? add('openResourceOrder', 'open-resource-order', {}, [so]) : undefined;
  const ends: string[] = [];
  for (const item of plan.items) {
    if (item.action === 'add') {
      const cfsDone: string[] = [];
      for (const cfs of item.cfs) {
        const rfsDone: string[] = [];
        for (const rfs of cfs.rfs) {
          let before = [so];
          if (rfs.resources.length > 0 && ro) {
            const reserve = add('reserveResources', `reserve:${rfs.key}`, { rfs: rfs.key }, [ro]);
            // the resources of a service are configured together, their requests to the network at once
            before = [add('activateResources', `activate-resources:${rfs.key}`, { rfs: rfs.key }, [reserve])];
          }
          rfsDone.push(add('activateService', `activate-service:${rfs.key}`, { rfs: rfs.key }, before));
        }
        cfsDone.push(add('activateService', `activate-service:${cfs.key}`, { cfs: cfs.key }, rfsDone.length ? rfsDone : [so]));
      }
      ends.push(add('completeProduct', `complete-product:${item.itemId}`, { itemId: item.itemId }, cfsDone.length ? cfsDone : [so]));
    } else if (item.action === 'modify') {
      const m = add('modifyServices', `modify-services:${item.itemId}`, { itemId: item.itemId }, [so]);
      ends.push(add('completeProduct', `complete-product:${item.itemId}`, { itemId: item.itemId }, [m]));
    } else {
      ends.push(add('terminateProduct', `terminate-product:${item.itemId}`, { itemId: item.itemId }, [so]));
    }
  }
  add('closeOrders', 'close-orders', {}, ends.length ? ends : [so]);
  return tasks;
}
