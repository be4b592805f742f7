import { unprocessable } from '@operon/kernel';
import {
  ITEM_DEPENDENCY, ORDER_ITEM_STATES, cancelHooks, cancelRequestLifecycle, defineApi, itemsOf, orderHooks, orderItemLifecycle, orderLifecycle,
  type Doc, type OrderingConfig, type OrderItemState, type OrderKind, type OrderState, type ResourceDefinition,
} from '@operon/tmf';
import { CancelServiceOrder as CancelServiceOrderSchema, SERVICE_ORDER_SERVER_SET, ServiceOrder as ServiceOrderSchema } from './schemas.ts';

export const API_NAME = 'serviceOrdering';
export const BASE_PATH = '/tmf-api/serviceOrdering/v4';

export const TABLES = { serviceOrder: 'service_order', cancelServiceOrder: 'service_order_cancel' } as const;

export const serviceOrderLifecycle = orderLifecycle('ServiceOrder');
/** TMF641 items have every order state, `partial` included. */
export const serviceOrderItemLifecycle = orderItemLifecycle('ServiceOrderItem', ORDER_ITEM_STATES);
export const cancelServiceOrderLifecycle = cancelRequestLifecycle('CancelServiceOrder', 'accepted');

const isObject = (v: unknown): v is Doc => typeof v === 'object' && v !== null && !Array.isArray(v);
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/** The item references of an item's relationships, with their index. */
function relationRefs(item: Doc): Array<{ ref: Doc; i: number }> {
  return list(item['serviceOrderItemRelationship'])
    .map((r, i) => ({ r, i }))
    .filter(({ r }) => isObject(r) && isObject(r['orderItem']))
    .map(({ r, i }) => ({ ref: (r as Doc)['orderItem'] as Doc, i }));
}

/** The relationships of an item that name another item of the same order (no serviceOrderId: this order). */
function sameOrderRelations(item: Doc): Array<{ ref: Doc; i: number }> {
  return relationRefs(item).filter(({ ref }) => ref['serviceOrderId'] === undefined);
}

/** How TMF641 lays out a service order, for the ordering kit. */
export const serviceOrderKind: OrderKind = {
  type: 'ServiceOrder',
  name: 'serviceOrder',
  items: 'serviceOrderItem',
  subItems: 'serviceOrderItem',
  subject: 'service',
  relatedItems: (item) => sameOrderRelations(item).map(({ ref, i }) => ({
    id: String(ref['itemId'] ?? ref['id'] ?? ''),
    field: `serviceOrderItemRelationship[${i}].orderItem.itemId`,
  })),
  dependsOn: (item) => sameOrderRelations(item)
    .filter(({ i }) => ITEM_DEPENDENCY.test(String((list(item['serviceOrderItemRelationship'])[i] as Doc)['relationshipType'] ?? '')))
    .map(({ ref }) => String(ref['itemId'] ?? ref['id'] ?? '')),
  itemStates: ORDER_ITEM_STATES,
  itemStateOnCreate: 'initial',
  startDate: 'startDate',
  cancellationAttributes: true,
  milestone: { attribute: 'milestone', eventType: 'ServiceOrderMilestoneEvent', type: 'ServiceOrderMilestone' },
  jeopardy: { attribute: 'jeopardyAlert', eventType: 'ServiceOrderJeopardyEvent', type: 'ServiceOrderJeopardyAlert' },
  // TMF641 has no event of its own for errors: the state change (failed) or attribute change announces them
  errorMessage: { attribute: 'errorMessage', type: 'ServiceOrderErrorMessage' },
  itemErrorMessage: { attribute: 'errorMessage', type: 'ServiceOrderItemErrorMessage' },
  informationRequired: 'ServiceOrderInformationRequiredEvent',
  itemRef: (orderId, href, itemId) => ({ id: itemId, itemId, serviceOrderId: orderId, serviceOrderHref: href, '@referredType': 'ServiceOrderItem' }),
};

export const serviceOrderingConfig: OrderingConfig = {
  api: API_NAME,
  orderTable: TABLES.serviceOrder,
  order: serviceOrderKind,
  cancel: { type: 'CancelServiceOrder', name: 'cancelServiceOrder', order: 'serviceOrder', initial: 'accepted', errorMessage: 'errorMessage' },
};

/** TMF641 requires `@type` on every related party: `RelatedParty` unless the client says otherwise. */
function typeParties(node: unknown): void {
  if (Array.isArray(node)) return node.forEach(typeParties);
  if (!isObject(node)) return;
  for (const [k, v] of Object.entries(node)) {
    if (k === 'relatedParty' && Array.isArray(v)) for (const p of v) if (isObject(p)) p['@type'] ??= 'RelatedParty';
    typeParties(v);
  }
}

/**
 * TMF641's ServiceOrderItemRef requires `id` yet describes `itemId`: a
 * reference to an item carries both, equal.
 */
function completeItemRefs(doc: Doc): void {
  for (const { item, path } of itemsOf(serviceOrderKind, doc)) {
    for (const { ref, i } of relationRefs(item)) {
      const { id, itemId } = ref;
      const field = `${path}.serviceOrderItemRelationship[${i}].orderItem`;
      if (id === undefined && itemId === undefined) throw unprocessable(`${field}: the item referred to is named by itemId (or id)`, `${field}.itemId`);
      if (id !== undefined && itemId !== undefined && id !== itemId) {
        throw unprocessable(`${field}: id '${String(id)}' and itemId '${String(itemId)}' name different items`, `${field}.itemId`);
      }
      if (itemId !== undefined) ref['id'] = itemId;
      else if (id !== undefined) ref['itemId'] = id;
    }
  }
}

const hooks = orderHooks(serviceOrderKind, serviceOrderItemLifecycle);

export const serviceOrder: ResourceDefinition = {
  name: 'serviceOrder',
  type: 'ServiceOrder',
  table: TABLES.serviceOrder,
  schema: ServiceOrderSchema,
  lifecycle: serviceOrderLifecycle,
  // the server owns states and dates; a requester moves an order only by asking to cancel it
  readOnly: SERVICE_ORDER_SERVER_SET,
  created: 'orderDate',
  // items carry the states fulfilment moves; what is ordered changes by a new order, not a PATCH
  immutable: ['serviceOrderItem'],
  indexed: ['externalId', 'orderDate'],
  // POST is the component's capture route (document checks before anything is stored)
  operations: ['list', 'retrieve', 'patch', 'delete'],
  ...hooks,
  async onCreate(draft, ctx, q) {
    typeParties(draft);
    completeItemRefs(draft);
    await hooks.onCreate?.(draft, ctx, q);
  },
  async onUpdate(next, before, ctx, q) {
    typeParties(next);
    await hooks.onUpdate?.(next, before, ctx, q);
  },
};

const cancel = cancelHooks(serviceOrderingConfig);

export const cancelServiceOrder: ResourceDefinition = {
  name: 'cancelServiceOrder',
  type: 'CancelServiceOrder',
  table: TABLES.cancelServiceOrder,
  schema: CancelServiceOrderSchema,
  lifecycle: cancelServiceOrderLifecycle,
  readOnly: ['state', 'effectiveCancellationDate', 'completionMessage', 'errorMessage'],
  // POST moves the order too (a route of the component); TMF641 has no PATCH or DELETE here
  operations: ['list', 'retrieve'],
  events: ['Create', 'StateChange'],
  ...cancel,
  async onUpdate(next, before, ctx, q) {
    await cancel.onUpdate?.(next, before, ctx, q);
    if (next['state'] === 'done' && before['state'] !== 'done') next['completionMessage'] ??= 'The service order is cancelled';
  },
};

export const serviceOrderingApi = defineApi({
  id: 'TMF641',
  name: API_NAME,
  title: 'Service Ordering',
  version: '4.1.0',
  basePath: BASE_PATH,
  resources: [serviceOrder, cancelServiceOrder],
});

// --- types for flows -------------------------------------------------------------------------------

export interface Reference extends Doc {
  id: string;
  href?: string;
  name?: string;
  '@referredType'?: string;
}

/** A reference to an item: of this order (itemId only) or of another (with serviceOrderId). */
export interface ServiceOrderItemRef extends Doc {
  id?: string;
  itemId?: string;
  serviceOrderId?: string;
  serviceOrderHref?: string;
}

export interface ServiceOrderItem extends Doc {
  id: string;
  action: 'add' | 'modify' | 'delete' | 'noChange';
  quantity?: number;
  state?: OrderItemState;
  /** The service to create (by value, with its serviceSpecification) or the existing one to change */
  service: Doc & { id?: string; serviceSpecification?: Reference; serviceCharacteristic?: Array<{ name: string; value: unknown }> };
  serviceOrderItem?: ServiceOrderItem[];
  serviceOrderItemRelationship?: Array<Doc & { relationshipType?: string; orderItem?: ServiceOrderItemRef }>;
  errorMessage?: Doc[];
}

/** A service order as stored and served (every other TMF641 attribute is there too, untyped). */
export interface ServiceOrder extends Doc {
  id: string;
  href?: string;
  state: OrderState;
  orderDate: string;
  startDate?: string;
  completionDate?: string;
  expectedCompletionDate?: string;
  requestedCompletionDate?: string;
  externalId?: string;
  serviceOrderItem: ServiceOrderItem[];
  relatedParty?: Array<Reference & { role?: string }>;
  externalReference?: Array<Doc & { name: string; externalReferenceType?: string }>;
  errorMessage?: Doc[];
  milestone?: Doc[];
  jeopardyAlert?: Doc[];
}

/** A service order as a requester sends it, before the server adds its id, state and dates. */
export interface ServiceOrderInput extends Doc {
  serviceOrderItem: ServiceOrderItem[];
  externalId?: string;
  requestedCompletionDate?: string;
  requestedStartDate?: string;
  relatedParty?: Array<Reference & { role?: string }>;
  externalReference?: Array<Doc & { name: string; externalReferenceType?: string }>;
}

export interface CancelServiceOrder extends Doc {
  id: string;
  href?: string;
  state: 'accepted' | 'inProgress' | 'done' | 'terminatedWithError';
  serviceOrder: Reference;
  cancellationReason?: string;
  requestedCancellationDate?: string;
  effectiveCancellationDate?: string;
  completionMessage?: string;
  errorMessage?: Doc;
}
