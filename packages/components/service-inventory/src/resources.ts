import { clock, defineLifecycle, unprocessable } from '@operon/kernel';
import { checkTimePeriods, defineApi, type ChangeInfo, type Doc, type ResourceDefinition } from '@operon/tmf';
import { Service, type ServiceState } from './schemas.ts';

// the specification's basePath (TMF638 v4.0.0 says serviceInventory, not serviceInventoryManagement)
export const BASE_PATH = '/tmf-api/serviceInventory/v4';
export const API_NAME = 'serviceInventory';
export const TABLE = 'service_inventory';

/**
 * The service lifecycle (TMF638 `state`): checked for feasibility, designed,
 * reserved (its resources held), then inactive or active — back and forth as
 * it is disabled and enabled — until terminated, for good. A service is
 * recorded in any state but terminated (an inventory also takes services that
 * already run); it never goes back to design once reserved, and is deleted
 * only while it holds nothing or once terminated.
 */
export const serviceLifecycle = defineLifecycle<ServiceState>({
  name: 'Service',
  field: 'state',
  initial: 'feasibilityChecked',
  creatable: ['feasibilityChecked', 'designed', 'reserved', 'inactive', 'active'],
  transitions: {
    feasibilityChecked: ['designed', 'reserved', 'terminated'],
    designed: ['reserved', 'inactive', 'active', 'terminated'],
    reserved: ['inactive', 'active', 'terminated'],
    inactive: ['active', 'terminated'],
    active: ['inactive', 'terminated'],
    terminated: [],
  },
  deletable: ['feasibilityChecked', 'designed', 'terminated'],
});

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const isObject = (v: unknown): v is Doc => typeof v === 'object' && v !== null && !Array.isArray(v);
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/** Stamps what a state change implies, unless the client said otherwise. */
function derive(doc: Doc, before: Doc | undefined): void {
  const now = clock.iso();
  const was = before?.['state'];
  if (doc['state'] === 'active' && was !== 'active') {
    doc['hasStarted'] = true;
    if (doc['startDate'] === undefined) doc['startDate'] = now;
  }
  if (doc['state'] === 'terminated' && was !== 'terminated' && doc['endDate'] === undefined) doc['endDate'] = now;
}

/** What a terminated service still takes: notes (e.g. why it ended). */
const AFTER_TERMINATION = new Set(['note']);

function checkService(doc: Doc, change: ChangeInfo): void {
  checkTimePeriods(doc['feature'], 'feature');
  const start = str(doc['startDate']);
  const end = str(doc['endDate']);
  if (start && end && Date.parse(end) < Date.parse(start)) throw unprocessable(`endDate (${end}) must not be before startDate (${start})`, 'endDate');
  const id = doc['id'];
  list(doc['supportingService']).forEach((s, i) => {
    if (isObject(s) && s['id'] === id) throw unprocessable('a service cannot support itself', `supportingService[${i}].id`);
  });
  list(doc['serviceRelationship']).forEach((r, i) => {
    if (isObject(r) && isObject(r['service']) && r['service']['id'] === id) throw unprocessable('a service cannot be related to itself', `serviceRelationship[${i}].service.id`);
  });
  const before = change.before;
  if (change.op === 'update' && before?.['state'] === 'terminated') {
    const changed = Object.keys({ ...before, ...doc }).find((k) => !AFTER_TERMINATION.has(k) && JSON.stringify(before[k]) !== JSON.stringify(doc[k]));
    if (changed) throw unprocessable(`the service is terminated: only notes may still be added, not '${changed}'`, changed);
  }
}

export const service: ResourceDefinition = {
  name: 'service',
  type: 'Service',
  table: TABLE,
  schema: Service,
  lifecycle: serviceLifecycle,
  // TMF638 takes serviceDate on create only (Service_Update has no such attribute)
  immutable: ['serviceDate'],
  // a customer credential sees only the services naming its party
  partyPaths: ['relatedParty.id'],
  onCreate(doc) {
    derive(doc, undefined);
  },
  onUpdate(doc, before) {
    derive(doc, before);
  },
  validate(doc, change) {
    checkService(doc, change);
  },
};

export const serviceInventoryApi = defineApi({
  id: 'TMF638',
  name: API_NAME,
  title: 'Service Inventory Management',
  version: '4.0.0',
  basePath: BASE_PATH,
  resources: [service],
});
