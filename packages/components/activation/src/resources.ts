import { clock, conflict, defineLifecycle } from '@operon/kernel';
import type { Queryable } from '@operon/store';
import { defineApi, type ResourceDefinition } from '@operon/tmf';
import { TMF640_BASE_PATH, TMF702_BASE_PATH } from './network/config.ts';
import { Monitor, Resource, ServiceCreate, type AdministrativeState, type MonitorStateName, type ServiceState } from './schemas.ts';

export const TMF640_NAME = 'ServiceActivationAndConfiguration';
export const TMF702_NAME = 'ResourceActivationAndConfiguration';

export const TABLES = {
  service: 'activation_service',
  serviceMonitor: 'activation_service_monitor',
  resource: 'activation_resource',
  resourceMonitor: 'activation_resource_monitor',
  request: 'activation_request',
} as const;

/**
 * A service here is active exactly when the network runs it: reaching
 * `active` (or leaving it) is a network operation; the other states record
 * where the service stands before or after. An active service must be
 * deactivated before it is deleted, so the network never keeps what nobody knows.
 */
export const serviceLifecycle = defineLifecycle<ServiceState>({
  name: 'Service',
  field: 'state',
  initial: 'designed',
  creatable: ['feasibilityChecked', 'designed', 'reserved', 'inactive', 'active'],
  transitions: {
    feasibilityChecked: ['designed', 'reserved', 'inactive', 'active', 'terminated'],
    designed: ['reserved', 'inactive', 'active', 'terminated'],
    reserved: ['designed', 'inactive', 'active', 'terminated'],
    inactive: ['active', 'terminated'],
    active: ['inactive', 'terminated'],
    terminated: [],
  },
  deletable: ['feasibilityChecked', 'designed', 'reserved', 'inactive', 'terminated'],
});

/** A resource is configured on the network exactly when it is `unlocked`. */
export const resourceLifecycle = defineLifecycle<AdministrativeState>({
  name: 'Resource',
  field: 'administrativeState',
  initial: 'locked',
  creatable: ['locked', 'unlocked'],
  transitions: {
    locked: ['unlocked'],
    unlocked: ['locked', 'shutdown'],
    shutdown: ['locked', 'unlocked'],
  },
  deletable: ['locked', 'shutdown'],
});

export const monitorLifecycle = defineLifecycle<MonitorStateName>({
  name: 'Monitor',
  field: 'state',
  initial: 'InProgress',
  transitions: { InProgress: ['Completed', 'InError'], Completed: [], InError: [] },
});

/** A service or resource cannot go while the network works on it. */
async function notInFlight(q: Queryable, api: 'service' | 'resource', id: string): Promise<void> {
  const r = await q.query<{ id: string }>(`SELECT id FROM ${TABLES.request} WHERE api = $1 AND target_id = $2 AND state = 'InProgress'`, [api, id]);
  if (r.rows[0]) throw conflict(`the network is working on ${api} ${id} (monitor ${r.rows[0].id}); wait until it is done`);
}

export const service: ResourceDefinition = {
  name: 'service',
  type: 'Service',
  table: TABLES.service,
  schema: ServiceCreate,
  immutable: ['serviceDate'],
  lifecycle: serviceLifecycle,
  indexed: ['serviceDate'],
  // creation and change go through the network: served by routes.ts
  operations: ['list', 'retrieve', 'delete'],
  onCreate(doc) {
    doc['serviceDate'] ??= clock.iso();
  },
  beforeDelete: (doc, _ctx, q) => notInFlight(q, 'service', String(doc['id'])),
};

export const resource: ResourceDefinition = {
  name: 'resource',
  type: 'Resource',
  table: TABLES.resource,
  schema: Resource,
  lifecycle: resourceLifecycle,
  // creation (under the inventory's id) and change go through the network: served by routes.ts
  operations: ['list', 'retrieve', 'delete'],
  beforeDelete: (doc, _ctx, q) => notInFlight(q, 'resource', String(doc['id'])),
};

function monitor(table: string): ResourceDefinition {
  return {
    name: 'monitor',
    type: 'Monitor',
    table,
    schema: Monitor,
    lifecycle: monitorLifecycle,
    // monitors are written by the server only, so no route takes them from clients
    operations: ['list', 'retrieve'],
    events: ['Create', 'AttributeValueChange', 'StateChange'],
  };
}

export const serviceMonitor = monitor(TABLES.serviceMonitor);
export const resourceMonitor = monitor(TABLES.resourceMonitor);

export const serviceActivationApi = defineApi({
  id: 'TMF640',
  name: TMF640_NAME,
  title: 'Service Activation and Configuration',
  version: '4.0.0',
  basePath: TMF640_BASE_PATH,
  resources: [service, serviceMonitor],
});

export const resourceActivationApi = defineApi({
  id: 'TMF702',
  name: TMF702_NAME,
  title: 'Resource Activation and Configuration',
  version: '4.0.0',
  basePath: TMF702_BASE_PATH,
  resources: [resource, resourceMonitor],
});
