/**
 * Service Inventory component (TMF638): the services running for customers —
 * customer-facing services and the resource-facing services that implement
 * them, their characteristics and features, the services and resources that
 * support them — through their lifecycle from design to termination.
 */
import { fileURLToPath } from 'node:url';
import { defineComponent } from '@operon/tmf';
import { serviceInventoryApi } from './resources.ts';

export { API_NAME, BASE_PATH, service, serviceInventoryApi, serviceLifecycle } from './resources.ts';
export { SERVICE_STATES, type ServiceState } from './schemas.ts';

export const serviceInventoryComponent = defineComponent({
  name: 'service-inventory',
  title: 'Service Inventory Management',
  description: 'Services as they run for customers (CFS and RFS): specification, characteristics, features, supporting services and resources, and their lifecycle from design to termination.',
  exposes: [serviceInventoryApi],
  // references stay federated: parties (TMF632), specifications (TMF633), service orders (TMF641), resources (TMF639)
  dependsOn: ['TMF632', 'TMF633', 'TMF641', 'TMF639'],
  subscribes: [],
  etomTasks: ['manage-service-inventory', 'allocate-specific-service-parameters-to-services'],
  migrations: fileURLToPath(new URL('../migrations', import.meta.url)),
});
