import {
  ITEM_DEPENDENCY, cancelHooks, cancelRequestLifecycle, defineApi, orderHooks, orderItemLifecycle, orderLifecycle,
  type Doc, type OrderingConfig, type OrderItemState, type OrderKind, type OrderState, type ResourceDefinition,
} from '@operon/tmf';
import { CancelResourceOrder as CancelResourceOrderSchema, RESOURCE_ORDER_ITEM_STATES, RESOURCE_ORDER_SERVER_SET, ResourceOrder as ResourceOrderSchema } from './schemas.ts';

export const API_NAME = 'resourceOrderingManagement';
export const BASE_PATH = '/tmf-api/resourceOrderingManagement/v4';

export const TABLES = { resourceOrder: 'resource_order', cancelResourceOrder: 'resource_order_cancel' } as const;

export const resourceOrderLifecycle = orderLifecycle('ResourceOrder');
export const resourceOrderItemLifecycle = orderItemLifecycle('ResourceOrderItem', RESOURCE_ORDER_ITEM_STATES);
export const cancelResourceOrderLifecycle = cancelRequestLifecycle('CancelResourceOrder', 'acknowledged');

const isObject = (v: unknown): v is Doc => typeof v === 'object' && v !== null && !Array.isArray(v);
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/** The relationships of an item naming another item of the same order (no resourceOrderId: this order). */
function sameOrderRelations(item: Doc): Array<{ rel: Doc; ref: Doc; i: number }> {
  return list(item['orderItemRelationship'])
    .map((r, i) => ({ r, i }))
    .filter(({ r }) => isObject(r) && isObject(r['orderItem']) && r['orderItem']['resourceOrderId'] === undefined)
    .map(({ r, i }) => ({ rel: r as Doc, ref: (r as Doc)['orderItem'] as Doc, i }));
}

/** How TMF652 lays out a resource order, for the ordering kit. */
export const resourceOrderKind: OrderKind = {
  type: 'ResourceOrder',
  name: 'resourceOrder',
  items: 'orderItem',
  subject: 'resource',
  relatedItems: (item) => sameOrderRelations(item).map(({ ref, i }) => ({ id: String(ref['itemId'] ?? ''), field: `orderItemRelationship[${i}].orderItem.itemId` })),
  dependsOn: (item) => sameOrderRelations(item)
    .filter(({ rel }) => ITEM_DEPENDENCY.test(String(rel['relationshipType'] ?? '')))
    .map(({ ref }) => String(ref['itemId'] ?? '')),
  itemStates: RESOURCE_ORDER_ITEM_STATES,
  itemStateOnCreate: 'initial',
  numberItems: true,
  startDate: 'startDate',
  // TMF652 orders carry no cancellation date or reason: the cancel request does
  cancellationAttributes: false,
  stampOrderDate: true,
  informationRequired: 'ResourceOrderInformationRequiredEvent',
};

export const resourceOrderingConfig: OrderingConfig = {
  api: API_NAME,
  orderTable: TABLES.resourceOrder,
  order: resourceOrderKind,
  cancel: { type: 'CancelResourceOrder', name: 'cancelResourceOrder', order: 'resourceOrder', initial: 'acknowledged' },
};

export const resourceOrder: ResourceDefinition = {
  name: 'resourceOrder',
  type: 'ResourceOrder',
  table: TABLES.resourceOrder,
  schema: ResourceOrderSchema,
  lifecycle: resourceOrderLifecycle,
  // the server owns the state and processing dates; a requester moves an order only by asking to cancel it
  readOnly: RESOURCE_ORDER_SERVER_SET,
  // items carry the states fulfilment moves; what is ordered changes by a new order, not a PATCH
  immutable: ['orderItem', 'orderDate'],
  indexed: ['externalId', 'orderDate'],
  // POST is the component's capture route (document checks before anything is stored)
  operations: ['list', 'retrieve', 'patch', 'delete'],
  ...orderHooks(resourceOrderKind, resourceOrderItemLifecycle),
};

export const cancelResourceOrder: ResourceDefinition = {
  name: 'cancelResourceOrder',
  type: 'CancelResourceOrder',
  table: TABLES.cancelResourceOrder,
  schema: CancelResourceOrderSchema,
  lifecycle: cancelResourceOrderLifecycle,
  readOnly: ['state', 'effectiveCancellationDate'],
  // POST moves the order too (a route of the component); TMF652 has no PATCH or DELETE here
  operations: ['list', 'retrieve'],
  events: ['Create', 'StateChange'],
  ...cancelHooks(resourceOrderingConfig),
};

export const resourceOrderingApi = defineApi({
  id: 'TMF652',
  name: API_NAME,
  title: 'Resource Ordering Management',
  version: '4.0.0',
  basePath: BASE_PATH,
  resources: [resourceOrder, cancelResourceOrder],
});

// --- types for flows -------------------------------------------------------------------------------

export interface Reference extends Doc {
  id: string;
  href?: string;
  name?: string;
  '@referredType'?: string;
}

export interface ResourceOrderItem extends Doc {
  /** Numbered by the server (1, 2, …) when not given */
  id?: string;
  action: 'add' | 'modify' | 'delete' | 'noChange';
  quantity?: number;
  state?: OrderItemState;
  /** The resource acted on, as the inventory knows it (TMF652 requires its id and href) */
  resource?: Doc & { id: string; href: string };
  resourceSpecification?: Reference;
  orderItemRelationship?: Array<Doc & { relationshipType?: string; orderItem?: Doc & { itemId?: string; resourceOrderId?: string } }>;
}

/** A resource order as stored and served (every other TMF652 attribute is there too, untyped). */
export interface ResourceOrder extends Doc {
  id: string;
  href?: string;
  state: OrderState;
  orderDate: string;
  startDate?: string;
  completionDate?: string;
  expectedCompletionDate?: string;
  requestedCompletionDate?: string;
  externalId?: string;
  orderItem: Array<ResourceOrderItem & { id: string; state: OrderItemState }>;
  relatedParty?: Array<Reference & { role?: string; '@referredType': string }>;
  externalReference?: Array<Doc & { id: string; entityType: string; owner: string }>;
  note?: Doc[];
}

/** A resource order as a requester sends it, before the server adds its id, state and dates. */
export interface ResourceOrderInput extends Doc {
  orderItem: ResourceOrderItem[];
  externalId?: string;
  orderType?: string;
  requestedCompletionDate?: string;
  relatedParty?: Array<Reference & { role?: string; '@referredType': string }>;
  externalReference?: Array<Doc & { id: string; entityType: string; owner: string }>;
}

export interface CancelResourceOrder extends Doc {
  id: string;
  href?: string;
  state: 'acknowledged' | 'inProgress' | 'done' | 'terminatedWithError';
  resourceOrder: Reference;
  cancellationReason?: string;
  requestedCancellationDate?: string;
  effectiveCancellationDate?: string;
}
