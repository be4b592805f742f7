/**
 * Resource Order component (TMF652, ROM): orders for resources — allocate,
 * install, configure, release — placed by the lead-to-cash flow for a service
 * order (or by any external SOM) and moved along the order and item state
 * machines, with item dependencies, information requests and cancellation
 * requests.
 */
import { fileURLToPath } from 'node:url';
import { defineComponent, outputOf, postRoute } from '@operon/tmf';
import { ResourceOrdering } from './ordering.ts';
import { API_NAME, BASE_PATH, resourceOrderingApi } from './resources.ts';
import { CancelResourceOrder, CancelResourceOrderCreate, ResourceOrder, ResourceOrderCreate } from './schemas.ts';

export {
  resourceOrderingApi, resourceOrder, cancelResourceOrder, resourceOrderingConfig, resourceOrderKind,
  resourceOrderLifecycle, resourceOrderItemLifecycle, cancelResourceOrderLifecycle, API_NAME, BASE_PATH, TABLES,
  type ResourceOrder, type ResourceOrderItem, type ResourceOrderInput, type CancelResourceOrder, type Reference,
} from './resources.ts';
export { ResourceOrdering } from './ordering.ts';
export { RESOURCE_ORDER_ITEM_STATES, ResourceOrderCreate, CancelResourceOrderCreate } from './schemas.ts';

/** Events published beyond the kit's create/change/delete ones. */
export const RESOURCE_ORDER_EXTRA_EVENTS = ['ResourceOrderInformationRequiredEvent'] as const;

/** The operations on resource orders for a flow (capture, state moves, cancellations). */
export function resourceOrdering(runtime: ConstructorParameters<typeof ResourceOrdering>[0]): ResourceOrdering {
  return new ResourceOrdering(runtime);
}

const TAG = 'TMF652 Resource Ordering Management';

export const resourceOrderComponent = defineComponent({
  name: 'resource-order',
  title: 'Resource Ordering Management',
  description: 'Resource orders (ROM): capture, the order and item state machines with item dependencies, information requests and cancellation requests.',
  exposes: [resourceOrderingApi],
  // what resource orders refer to: resource specifications, resources in the inventory, parties
  dependsOn: ['TMF634', 'TMF639', 'TMF632'],
  subscribes: [],
  publishesExtra: RESOURCE_ORDER_EXTRA_EVENTS,
  etomTasks: ['issue-resource-orders', 'track-and-manage-resource-provisioning', 'report-resource-provisioning', 'close-resource-order'],
  migrations: fileURLToPath(new URL('../migrations', import.meta.url)),
  routes(app, runtime) {
    const ordering = new ResourceOrdering(runtime);
    postRoute(app, {
      area: API_NAME, tag: TAG, url: `${BASE_PATH}/resourceOrder`, type: 'ResourceOrder', body: ResourceOrderCreate,
      response: outputOf(ResourceOrder, 'ResourceOrder'),
      summary: 'Place a resource order: it is acknowledged, or refused with a TMF Error when malformed',
      async create(body, ctx) {
        const r = await ordering.capture(body, ctx);
        return { doc: ordering.orders.present(ctx, r.doc), version: r.version, href: ordering.orders.href(ctx, r.doc.id) };
      },
    });
    postRoute(app, {
      area: API_NAME, tag: TAG, url: `${BASE_PATH}/cancelResourceOrder`, type: 'CancelResourceOrder', body: CancelResourceOrderCreate,
      response: outputOf(CancelResourceOrder, 'CancelResourceOrder'),
      summary: 'Ask for a resource order to be cancelled: the order goes to assessingCancellation',
      async create(body, ctx) {
        const r = await ordering.requestCancellation(body, ctx);
        return { doc: ordering.cancellations.present(ctx, r.doc), version: r.version, href: ordering.cancellations.href(ctx, r.doc.id) };
      },
    });
  },
});
