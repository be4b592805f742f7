import {
  cancelHooks, cancelRequestLifecycle, defineApi, orderHooks, orderItemLifecycle, orderLifecycle,
  type Doc, type OrderingConfig, type OrderItemState, type OrderKind, type OrderState, type ResourceDefinition,
} from '@operon/tmf';
import { CancelProductOrder, PRODUCT_ORDER_ITEM_STATES, PRODUCT_ORDER_SERVER_SET, ProductOrder as ProductOrderSchema } from './schemas.ts';

export const API_NAME = 'productOrderingManagement';
export const BASE_PATH = '/tmf-api/productOrderingManagement/v4';

export const TABLES = { productOrder: 'product_order', cancelProductOrder: 'product_order_cancel' } as const;

export const productOrderLifecycle = orderLifecycle('ProductOrder');
export const productOrderItemLifecycle = orderItemLifecycle('ProductOrderItem', PRODUCT_ORDER_ITEM_STATES);
export const cancelProductOrderLifecycle = cancelRequestLifecycle('CancelProductOrder', 'acknowledged');

const isObject = (v: unknown): v is Doc => typeof v === 'object' && v !== null && !Array.isArray(v);

/** How TMF622 lays out a product order, for the shared order kit. */
export const productOrderKind: OrderKind = {
  type: 'ProductOrder',
  name: 'productOrder',
  items: 'productOrderItem',
  subItems: 'productOrderItem',
  subject: 'product',
  relatedItems: (item) => (Array.isArray(item['productOrderItemRelationship']) ? item['productOrderItemRelationship'] : [])
    .map((r: unknown, i: number) => ({ r, i }))
    .filter(({ r }) => isObject(r) && typeof r['id'] === 'string')
    .map(({ r, i }) => ({ id: String((r as Doc)['id']), field: `productOrderItemRelationship[${i}].id` })),
  itemStates: PRODUCT_ORDER_ITEM_STATES,
  itemStateOnCreate: 'server',
  cancellationAttributes: true,
  milestone: { attribute: 'productOrderMilestone', eventType: 'ProductOrderMilestoneEvent', type: 'ProductOrderMilestone' },
  jeopardy: { attribute: 'productOrderJeopardyAlert', eventType: 'ProductOrderJeopardyAlertEvent', type: 'ProductOrderJeopardyAlert' },
  errorMessage: { attribute: 'productOrderErrorMessage', eventType: 'ProductOrderErrorMessageEvent', type: 'ProductOrderErrorMessage' },
  itemRef: (orderId, _href, itemId) => ({ productOrderId: orderId, productOrderItemId: itemId, '@referredType': 'ProductOrderItem' }),
  // the TMF622 conformance profile (and its kit) has every order name its parties: the customer at least
  mandatory: ['relatedParty'],
};

export const productOrderingConfig: OrderingConfig = {
  api: API_NAME,
  orderTable: TABLES.productOrder,
  order: productOrderKind,
  cancel: { type: 'CancelProductOrder', name: 'cancelProductOrder', order: 'productOrder', initial: 'acknowledged', copyParties: true },
};

export const productOrder: ResourceDefinition = {
  name: 'productOrder',
  type: 'ProductOrder',
  table: TABLES.productOrder,
  schema: ProductOrderSchema,
  lifecycle: productOrderLifecycle,
  // the server owns states and dates; a client moves an order only by asking to cancel it
  readOnly: PRODUCT_ORDER_SERVER_SET,
  created: 'orderDate',
  // items carry the states fulfilment moves; what is ordered changes by a new order, not a PATCH
  immutable: ['productOrderItem'],
  // a customer credential sees and places only its own orders
  partyPaths: ['relatedParty.id'],
  indexed: ['externalId', 'orderDate'],
  // POST is the capture route (validation through the productOrderValidator port)
  operations: ['list', 'retrieve', 'patch', 'delete'],
  ...orderHooks(productOrderKind, productOrderItemLifecycle),
};

export const cancelProductOrder: ResourceDefinition = {
  name: 'cancelProductOrder',
  type: 'CancelProductOrder',
  table: TABLES.cancelProductOrder,
  schema: CancelProductOrder,
  lifecycle: cancelProductOrderLifecycle,
  readOnly: ['state', 'effectiveCancellationDate', 'relatedParty'],
  partyPaths: ['relatedParty.id'],
  // POST moves the order too (a route of the component); TMF622 has no PATCH or DELETE here
  operations: ['list', 'retrieve'],
  events: ['Create', 'StateChange'],
  ...cancelHooks(productOrderingConfig),
};

export const productOrderingApi = defineApi({
  id: 'TMF622',
  name: API_NAME,
  title: 'Product Ordering Management',
  version: '4.0.0',
  basePath: BASE_PATH,
  resources: [productOrder, cancelProductOrder],
});

// --- types for flows -------------------------------------------------------------------------------

export interface Reference extends Doc {
  id: string;
  href?: string;
  name?: string;
  '@referredType'?: string;
}

export interface ProductOrderItem extends Doc {
  id: string;
  action: 'add' | 'modify' | 'delete' | 'noChange';
  quantity?: number;
  state?: OrderItemState;
  product?: Doc & { id?: string };
  productOffering?: Reference;
  productOrderItem?: ProductOrderItem[];
  productOrderItemRelationship?: Array<Doc & { id?: string; relationshipType?: string }>;
}

/** A product order as stored and served (every other TMF622 attribute is there too, untyped). */
export interface ProductOrder extends Doc {
  id: string;
  href?: string;
  state: OrderState;
  orderDate: string;
  completionDate?: string;
  expectedCompletionDate?: string;
  requestedCompletionDate?: string;
  externalId?: string;
  productOrderItem: ProductOrderItem[];
  relatedParty?: Array<Reference & { role?: string }>;
  billingAccount?: Reference;
  productOrderErrorMessage?: Doc[];
  productOrderMilestone?: Doc[];
  productOrderJeopardyAlert?: Doc[];
}

/** An order as a client sends it, before the server adds its id, state and dates. */
export interface ProductOrderInput extends Doc {
  productOrderItem: ProductOrderItem[];
  requestedCompletionDate?: string;
  externalId?: string;
  relatedParty?: Array<Reference & { role?: string }>;
  billingAccount?: Reference;
}

export interface CancelProductOrder extends Doc {
  id: string;
  href?: string;
  state: 'acknowledged' | 'inProgress' | 'done' | 'terminatedWithError';
  productOrder: Reference;
  cancellationReason?: string;
  requestedCancellationDate?: string;
  effectiveCancellationDate?: string;
}
