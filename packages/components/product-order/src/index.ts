/**
 * Product Order component (TMF622): customer orders captured in the CRM layer
 * (COM) — validated at capture through the `productOrderValidator` port, then
 * moved by the lead-to-cash flow along the order and item state machines to
 * completion, with milestones, jeopardy alerts and cancellation requests.
 */
import { fileURLToPath } from 'node:url';
import { defineComponent, outputOf, postRoute } from '@operon/tmf';
import { ProductOrdering } from './ordering.ts';
import { API_NAME, BASE_PATH, productOrderingApi } from './resources.ts';
import { CancelProductOrder, CancelProductOrderCreate, ProductOrder, ProductOrderCreate } from './schemas.ts';

export {
  productOrderingApi, productOrder, cancelProductOrder, productOrderingConfig, productOrderKind,
  productOrderLifecycle, productOrderItemLifecycle, cancelProductOrderLifecycle, API_NAME, BASE_PATH, TABLES,
  type ProductOrder, type ProductOrderItem, type ProductOrderInput, type CancelProductOrder, type Reference,
} from './resources.ts';
export { ProductOrdering, type ProductOrderValidator, type ProductOrderVerdict, type ProductOrderRefusal } from './ordering.ts';
export {
  ORDER_STATES, ORDER_ITEM_STATES, CLOSED_ORDER_STATES, CANCELLABLE_ORDER_STATES, OrderOperations,
  type OrderState, type OrderItemState, type MilestoneInput, type JeopardyAlertInput, type ErrorMessageInput,
} from '@operon/tmf';
export { PRODUCT_ORDER_ITEM_STATES, ProductOrderCreate, CancelProductOrderCreate } from './schemas.ts';

/** Events published beyond the kit's create/change/delete ones (TMF622 v5 names). */
export const PRODUCT_ORDER_EXTRA_EVENTS = ['ProductOrderMilestoneEvent', 'ProductOrderJeopardyAlertEvent', 'ProductOrderErrorMessageEvent'] as const;

/** The operations on product orders for a flow (capture, state moves, milestones, cancellations). */
export function productOrdering(runtime: ConstructorParameters<typeof ProductOrdering>[0]): ProductOrdering {
  return new ProductOrdering(runtime);
}

const TAG = 'TMF622 Product Ordering Management';

export const productOrderComponent = defineComponent({
  name: 'product-order',
  title: 'Product Ordering Management',
  description: 'Customer orders for products: capture with validation, the order and item state machines, milestones, jeopardy alerts and cancellation requests.',
  exposes: [productOrderingApi],
  // what orders refer to: offerings, customers and parties, billing accounts, existing products
  dependsOn: ['TMF620', 'TMF629', 'TMF632', 'TMF666', 'TMF637'],
  subscribes: [],
  publishesExtra: PRODUCT_ORDER_EXTRA_EVENTS,
  etomTasks: ['issue-customer-orders', 'track-and-manage-customer-order-handling', 'report-customer-order-handling', 'close-customer-order'],
  migrations: fileURLToPath(new URL('../migrations', import.meta.url)),
  routes(app, runtime) {
    const ordering = new ProductOrdering(runtime);
    postRoute(app, {
      area: API_NAME, tag: TAG, url: `${BASE_PATH}/productOrder`, type: 'ProductOrder', body: ProductOrderCreate,
      response: outputOf(ProductOrder, 'ProductOrder'),
      summary: 'Place a product order: acknowledged, or rejected with the reasons in productOrderErrorMessage',
      async create(body, ctx) {
        const r = await ordering.capture(body, ctx);
        return { doc: ordering.orders.present(ctx, r.doc), version: r.version, href: ordering.orders.href(ctx, r.doc.id) };
      },
    });
    postRoute(app, {
      area: API_NAME, tag: TAG, url: `${BASE_PATH}/cancelProductOrder`, type: 'CancelProductOrder', body: CancelProductOrderCreate,
      response: outputOf(CancelProductOrder, 'CancelProductOrder'),
      summary: 'Ask for a product order to be cancelled: the order goes to assessingCancellation',
      async create(body, ctx) {
        const r = await ordering.requestCancellation(body, ctx);
        return { doc: ordering.cancellations.present(ctx, r.doc), version: r.version, href: ordering.cancellations.href(ctx, r.doc.id) };
      },
    });
  },
});
