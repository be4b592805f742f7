import { OperonError, defineLifecycle, unprocessable } from '@operon/kernel';
import type { Queryable } from '@operon/store';
import { checkTimePeriods, defineApi, type ChangeInfo, type Doc, type ResourceDefinition } from '@operon/tmf';
import { ADMINISTRATIVE_STATES, AnyResource, LOGICAL_ONLY, PHYSICAL_ONLY, type ResourceStatus } from './schemas.ts';

type AdministrativeState = (typeof ADMINISTRATIVE_STATES)[number];

export const BASE_PATH = '/tmf-api/resourceInventoryManagement/v4';
export const API_NAME = 'resourceInventoryManagement';
export const TABLE = 'resource_inventory';
export const ITEM_TABLE = 'resource_pool_item';

export const PHYSICAL = 'PhysicalResource';
export const LOGICAL = 'LogicalResource';

/**
 * The resource lifecycle (TMF639 `resourceStatus`): installed in standby, made
 * available, reserved for a customer or a service, and back to available when
 * released. Only an available resource (or one reserved before an alarm or a
 * suspension) can be reserved, and a reserved one is released before it goes
 * back to standby. Alarm, suspension and unknown come and go.
 */
export const resourceLifecycle = defineLifecycle<ResourceStatus>({
  name: 'Resource',
  field: 'resourceStatus',
  initial: 'available',
  // an inventory records what it finds on the network, in whatever status
  creatable: ['standby', 'available', 'reserved', 'alarm', 'suspended', 'unknown'],
  transitions: {
    standby: ['available', 'alarm', 'suspended', 'unknown'],
    available: ['reserved', 'standby', 'alarm', 'suspended', 'unknown'],
    reserved: ['available', 'alarm', 'suspended', 'unknown'],
    alarm: ['available', 'reserved', 'standby', 'suspended', 'unknown'],
    suspended: ['available', 'reserved', 'standby', 'alarm', 'unknown'],
    unknown: ['standby', 'available', 'reserved', 'alarm', 'suspended'],
  },
  // a reserved resource serves someone: release it first
  deletable: ['standby', 'available', 'alarm', 'suspended', 'unknown'],
});

const isObject = (v: unknown): v is Doc => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** Whether a document is of the subclass `type` (itself or a subclass of it, by `@baseType`). */
export function isOfType(doc: Doc, type: string): boolean {
  return doc['@type'] === type || doc['@baseType'] === type;
}

/** Physical and logical resources each keep to their own attributes, so that each validates as its subclass. */
function checkSubclass(doc: Doc): void {
  const physical = isOfType(doc, PHYSICAL);
  const logical = isOfType(doc, LOGICAL);
  if (physical && logical) throw unprocessable('a resource is either physical or logical, not both', '@baseType');
  const foreign = physical ? LOGICAL_ONLY : logical ? PHYSICAL_ONLY : [];
  const wrong = foreign.find((k) => doc[k] !== undefined);
  if (wrong) throw unprocessable(`'${wrong}' is an attribute of ${physical ? LOGICAL : PHYSICAL}, not of this ${physical ? PHYSICAL : LOGICAL}`, wrong);
}

/**
 * ITU X.731 administrative state (TMF639 `administrativeState`): an unlocked
 * resource is locked at once, or shut down (no new users, current ones stay)
 * on its way to locked; a shutdown is withdrawn by unlocking. A locked
 * resource is unlocked before anything else.
 */
export const administrativeStateLifecycle = defineLifecycle<AdministrativeState>({
  name: 'Resource',
  field: 'administrativeState',
  initial: 'unlocked',
  creatable: ['unlocked', 'locked', 'shutdown'],
  transitions: {
    unlocked: ['locked', 'shutdown'],
    shutdown: ['locked', 'unlocked'],
    locked: ['unlocked'],
  },
});

/** X.731 states together: administrative moves along its table; a locked or disabled resource is not in use; a locked one is not reserved. */
function checkStates(doc: Doc, before: Doc | undefined): void {
  const was = before?.['administrativeState'];
  const now = doc['administrativeState'];
  if (typeof was === 'string' && typeof now === 'string' && was !== now) administrativeStateLifecycle.assertMove(was, now);
  const usage = doc['usageState'];
  if (usage === 'active' || usage === 'busy') {
    if (now === 'locked') throw unprocessable(`a locked resource cannot be in use (usageState ${usage}): unlock it, or set usageState idle`, 'usageState');
    if (doc['operationalState'] === 'disable') throw unprocessable(`a disabled resource (operationalState disable) cannot be in use (usageState ${usage})`, 'usageState');
  }
  if (doc['resourceStatus'] === 'reserved' && before?.['resourceStatus'] !== 'reserved' && (now === 'locked' || now === 'shutdown')) {
    throw unprocessable(`a resource whose administrativeState is ${String(now)} cannot be reserved`, 'resourceStatus');
  }
}

/** The pool allocation holding this resource, if any. */
export async function allocationOf(q: Queryable, resourceId: string): Promise<{ poolId: string; key: string | null } | undefined> {
  const r = await q.query<{ pool_id: string; allocation_key: string | null }>(
    `SELECT pool_id, allocation_key FROM ${ITEM_TABLE} WHERE resource_id = $1 LIMIT 1`, [resourceId],
  );
  const row = r.rows[0];
  return row ? { poolId: row.pool_id, key: row.allocation_key } : undefined;
}

async function checkResource(doc: Doc, change: ChangeInfo, q: Queryable): Promise<void> {
  checkSubclass(doc);
  checkStates(doc, change.before);
  checkTimePeriods(doc['attachment'], 'attachment');
  const start = str(doc['startOperatingDate']);
  const end = str(doc['endOperatingDate']);
  if (start && end && Date.parse(end) < Date.parse(start)) {
    throw unprocessable(`endOperatingDate (${end}) must not be before startOperatingDate (${start})`, 'endOperatingDate');
  }
  (Array.isArray(doc['resourceRelationship']) ? doc['resourceRelationship'] : []).forEach((r, i) => {
    if (isObject(r) && r['id'] === doc['id']) throw unprocessable('a resource cannot be related to itself', `resourceRelationship[${i}].id`);
  });
  // a value handed out from a pool goes back through the pool, which frees it for the next allocation
  if (change.op === 'update' && doc['resourceStatus'] === 'available' && change.before?.['resourceStatus'] !== 'available') {
    const held = await allocationOf(q, String(doc['id']));
    if (held?.key) {
      throw new OperonError('unprocessable', `the resource is allocated from resource pool ${held.poolId} (allocation '${held.key}'): release the allocation to make it available`, { field: 'resourceStatus', code: 'allocated' });
    }
  }
}

export const resource: ResourceDefinition = {
  name: 'resource',
  type: 'Resource',
  table: TABLE,
  schema: AnyResource,
  lifecycle: resourceLifecycle,
  // the subclass is what the resource is; it does not change
  immutable: ['@type', '@baseType'],
  // values looked up by the network and the flows: a phone number, an address, a serial number
  indexed: ['value', 'serialNumber', 'category'],
  // resources usually name no party; one allocated to a customer does (relatedParty)
  partyPaths: ['relatedParty.id'],
  validate: (doc, change, _ctx, q) => checkResource(doc, change, q),
  async beforeDelete(doc, _ctx, q) {
    const held = await allocationOf(q, String(doc['id']));
    if (held) throw new OperonError('conflict', `the resource is a value of resource pool ${held.poolId}: it goes with the pool`, { code: 'pooled' });
  },
};

export const resourceInventoryApi = defineApi({
  id: 'TMF639',
  name: API_NAME,
  title: 'Resource Inventory Management',
  version: '4.0.0',
  basePath: BASE_PATH,
  resources: [resource],
});
