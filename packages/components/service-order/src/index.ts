/**
 * Service Order component (TMF641, SOM): orders for customer- and
 * resource-facing services, placed by the lead-to-cash flow (or any external
 * COM) and moved along the order and item state machines, with item
 * dependencies, milestones, jeopardy alerts, information requests and
 * cancellation requests.
 */
import { fileURLToPath } from 'node:url';
import { defineComponent, outputOf, postRoute } from '@operon/tmf';
import { ServiceOrdering } from './ordering.ts';
import { API_NAME, BASE_PATH, serviceOrderingApi } from './resources.ts';
import { CancelServiceOrder, CancelServiceOrderCreate, ServiceOrder, ServiceOrderCreate } from './schemas.ts';

export {
  serviceOrderingApi, serviceOrder, cancelServiceOrder, serviceOrderingConfig, serviceOrderKind,
  serviceOrderLifecycle, serviceOrderItemLifecycle, cancelServiceOrderLifecycle, API_NAME, BASE_PATH, TABLES,
  type ServiceOrder, type ServiceOrderItem, type ServiceOrderItemRef, type ServiceOrderInput, type CancelServiceOrder, type Reference,
} from './resources.ts';
export { ServiceOrdering } from './ordering.ts';
export { ServiceOrderCreate, CancelServiceOrderCreate } from './schemas.ts';

/** Events published beyond the kit's create/change/delete ones. */
export const SERVICE_ORDER_EXTRA_EVENTS = ['ServiceOrderMilestoneEvent', 'ServiceOrderJeopardyEvent', 'ServiceOrderInformationRequiredEvent'] as const;

/** The operations on service orders for a flow (capture, state moves, milestones, cancellations). */
export function serviceOrdering(runtime: ConstructorParameters<typeof ServiceOrdering>[0]): ServiceOrdering {
  return new ServiceOrdering(runtime);
}

const TAG = 'TMF641 Service Ordering';

export const serviceOrderComponent = defineComponent({
  name: 'service-order',
  title: 'Service Ordering',
  description: 'Service orders (SOM): capture, the order and item state machines with item dependencies, milestones, jeopardy alerts and cancellation requests.',
  exposes: [serviceOrderingApi],
  // what service orders refer to: service specifications, existing services, parties
  dependsOn: ['TMF633', 'TMF638', 'TMF632'],
  subscribes: [],
  publishesExtra: SERVICE_ORDER_EXTRA_EVENTS,
  etomTasks: ['issue-service-orders', 'track-and-manage-service-provisioning', 'report-service-provisioning', 'close-service-order'],
  migrations: fileURLToPath(new URL('../migrations', import.meta.url)),
  routes(app, runtime) {
    const ordering = new ServiceOrdering(runtime);
    postRoute(app, {
      area: API_NAME, tag: TAG, url: `${BASE_PATH}/serviceOrder`, type: 'ServiceOrder', body: ServiceOrderCreate,
      response: outputOf(ServiceOrder, 'ServiceOrder'),
      summary: 'Place a service order: it is acknowledged, or refused with a TMF Error when malformed',
      async create(body, ctx) {
        const r = await ordering.capture(body, ctx);
        return { doc: ordering.orders.present(ctx, r.doc), version: r.version, href: ordering.orders.href(ctx, r.doc.id) };
      },
    });
    postRoute(app, {
      area: API_NAME, tag: TAG, url: `${BASE_PATH}/cancelServiceOrder`, type: 'CancelServiceOrder', body: CancelServiceOrderCreate,
      response: outputOf(CancelServiceOrder, 'CancelServiceOrder'),
      summary: 'Ask for a service order to be cancelled: the order goes to assessingCancellation',
      async create(body, ctx) {
        const r = await ordering.requestCancellation(body, ctx);
        return { doc: ordering.cancellations.present(ctx, r.doc), version: r.version, href: ordering.cancellations.href(ctx, r.doc.id) };
      },
    });
  },
});
