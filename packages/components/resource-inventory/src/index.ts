/**
 * Resource Inventory component (TMF639): the operator's resources, physical
 * (equipment, ports, SIM cards) and logical (numbers, addresses, VLANs),
 * their states (resourceStatus, and the ITU X.731 administrative, operational
 * and usage states) and relationships, and the resource pools they are
 * allocated from: MSISDN and geographic number ranges, IPv4/IPv6 blocks, VLAN
 * ranges, ports, SIM cards and SIP accounts, handed out atomically
 * (`FOR UPDATE SKIP LOCKED`), never twice.
 *
 * Pools are an Operon extension modelled on TMF685 Resource Pool, served
 * under the TMF639 base path at `…/resourcePool`. The lead-to-cash flow
 * allocates and releases through `resourcePools(runtime)`, in its own
 * transaction when it passes one.
 */
import { fileURLToPath } from 'node:url';
import { defineComponent } from '@operon/tmf';
import { poolRoutes } from './pool-routes.ts';
import { resourcePools } from './pools.ts';
import { resourceInventoryApi } from './resources.ts';
import { subtypeRoutes } from './subtypes.ts';

export {
  API_NAME, BASE_PATH, LOGICAL, PHYSICAL, administrativeStateLifecycle, isOfType, resource, resourceInventoryApi, resourceLifecycle,
} from './resources.ts';
export {
  ADMINISTRATIVE_STATES, OPERATIONAL_STATES, RESOURCE_STATUSES, USAGE_STATES, type ResourceStatus,
} from './schemas.ts';
export {
  AllocationRefused, MAX_ALLOCATION, ResourcePools, resourcePool, resourcePools,
  type AllocatedValue, type Allocation, type AllocationRequest, type BatchAllocationRequest, type CapacityReport, type PoolCapacity, type PoolSelector, type Release,
} from './pools.ts';
export { MAX_POOL_SIZE, POOL_KINDS, type PoolKind } from './values.ts';

/** Events of the pools themselves (the resources' events come from the API definition). */
const POOL_EVENTS = ['ResourcePoolCreateEvent', 'ResourcePoolAttributeValueChangeEvent', 'ResourcePoolDeleteEvent'];

export const resourceInventoryComponent = defineComponent({
  name: 'resource-inventory',
  title: 'Resource Inventory Management',
  description: 'Physical and logical resources with their states and relationships, and the resource pools (numbers, IPv4/IPv6, VLANs, ports, SIM cards, SIP accounts) they are allocated from atomically.',
  exposes: [resourceInventoryApi],
  // references stay federated: resource specifications (TMF634), parties (TMF632), places (TMF673/674)
  dependsOn: ['TMF634', 'TMF632', 'TMF673'],
  subscribes: [],
  publishesExtra: POOL_EVENTS,
  etomTasks: ['manage-resource-inventory', 'allocate-and-install-resource'],
  migrations: fileURLToPath(new URL('../migrations', import.meta.url)),
  routes(app, runtime) {
    const services = runtime.services.get(resourceInventoryApi.name)!;
    subtypeRoutes(app, services.get('resource')!);
    poolRoutes(app, () => resourcePools(runtime));
  },
});
