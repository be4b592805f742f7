import { clock, defineLifecycle, newId, unprocessable } from '@operon/kernel';
import { defineApi, type Doc, type ResourceDefinition } from '@operon/tmf';
import {
  CheckServiceQualification, ProductOfferingQualification, QueryServiceQualification,
  type PoqState, type ServiceQualificationState,
} from './schemas.ts';

export const TABLES = {
  productOfferingQualification: 'qualification_product_offering',
  checkServiceQualification: 'qualification_check_service',
  queryServiceQualification: 'qualification_query_service',
} as const;

/**
 * The task lifecycle of TMF679 (TMF645 names its first state `accepted`):
 * a qualification is acknowledged, evaluated (inProgress), and ends done, or
 * terminatedWithError when it could not be evaluated. The server moves it;
 * clients read it.
 */
function taskLifecycle<S extends string>(name: string, initial: S) {
  return defineLifecycle<S | 'inProgress' | 'done' | 'terminatedWithError'>({
    name,
    field: 'state',
    initial,
    transitions: {
      [initial]: ['inProgress', 'terminatedWithError'],
      inProgress: ['done', 'terminatedWithError'],
      done: [],
      terminatedWithError: [],
    } as { [K in S | 'inProgress' | 'done' | 'terminatedWithError']: readonly (S | 'inProgress' | 'done' | 'terminatedWithError')[] },
  });
}

export const productOfferingQualificationLifecycle = taskLifecycle<PoqState>('ProductOfferingQualification', 'acknowledged');
export const checkServiceQualificationLifecycle = taskLifecycle<ServiceQualificationState>('CheckServiceQualification', 'accepted');
export const queryServiceQualificationLifecycle = taskLifecycle<ServiceQualificationState>('QueryServiceQualification', 'accepted');

const isObject = (v: unknown): v is Doc => typeof v === 'object' && v !== null && !Array.isArray(v);
const items = (doc: Doc, field: string): Doc[] => (Array.isArray(doc[field]) ? doc[field].filter(isObject) : []);

/** Answers are the server's: whatever a client puts in them on create is dropped. */
const ANSWER_ATTRIBUTES = ['qualificationItemResult', 'qualificationResult', 'state', 'eligibilityUnavailabilityReason', 'alternateProductOfferingProposal', 'alternateServiceProposal', 'terminationError'];

function prepareItems(doc: Doc, field: string, state: string, assignIds: boolean): void {
  const list = items(doc, field);
  const taken = new Set(list.map((i) => i['id']).filter((id) => typeof id === 'string'));
  let next = 1;
  for (const item of list) {
    for (const a of ANSWER_ATTRIBUTES) delete item[a];
    if (assignIds && item['id'] === undefined) {
      while (taken.has(String(next))) next++;
      const id = String(next);
      item['id'] = id;
      taken.add(id);
    }
    item['state'] = state;
  }
}

function checkItemIds(doc: Doc, field: string): void {
  const seen = new Set<string>();
  items(doc, field).forEach((item, i) => {
    const id = item['id'];
    if (typeof id !== 'string') return;
    if (seen.has(id)) throw unprocessable(`item id '${id}' is used twice`, `${field}[${i}].id`);
    seen.add(id);
  });
}

/** TMF679 requires an id on every note; one is given when the client leaves it out. */
function identifyNotes(notes: unknown): void {
  if (Array.isArray(notes)) for (const n of notes) if (isObject(n) && n['id'] === undefined) n['id'] = newId();
}

export const productOfferingQualification: ResourceDefinition = {
  name: 'productOfferingQualification',
  type: 'ProductOfferingQualification',
  table: TABLES.productOfferingQualification,
  schema: ProductOfferingQualification,
  lifecycle: productOfferingQualificationLifecycle,
  partyPaths: ['relatedParty.id'],
  created: 'productOfferingQualificationDate',
  readOnly: ['state', 'qualificationResult', 'effectiveQualificationDate', 'expectedPOQCompletionDate', 'expirationDate', 'productOfferingQualificationDate', 'terminationError'],
  // the question is fixed once asked; an answer to another question is another qualification
  immutable: ['instantSyncQualification', 'provideAlternative', 'provideOnlyAvailable', 'provideUnavailabilityReason', 'category', 'channel', 'place', 'productOfferingQualificationItem'],
  // created through routes.ts, which answers 200 for an instant qualification and 201 for a task
  operations: ['list', 'retrieve', 'patch', 'delete'],
  onCreate(doc) {
    prepareItems(doc, 'productOfferingQualificationItem', 'acknowledged', false);
    identifyNotes(doc['note']);
    for (const item of items(doc, 'productOfferingQualificationItem')) identifyNotes(item['note']);
    // evaluation starts at once, in the request or just after it
    doc['expectedPOQCompletionDate'] = clock.iso();
  },
  onUpdate(doc) {
    identifyNotes(doc['note']);
  },
  validate(doc) {
    checkItemIds(doc, 'productOfferingQualificationItem');
  },
};

export const checkServiceQualification: ResourceDefinition = {
  name: 'checkServiceQualification',
  type: 'CheckServiceQualification',
  table: TABLES.checkServiceQualification,
  schema: CheckServiceQualification,
  lifecycle: checkServiceQualificationLifecycle,
  partyPaths: ['relatedParty.id'],
  created: 'checkServiceQualificationDate',
  indexed: ['externalId'],
  readOnly: ['state', 'qualificationResult', 'effectiveQualificationDate', 'estimatedResponseDate', 'expirationDate', 'checkServiceQualificationDate', 'terminationError'],
  immutable: ['instantSyncQualification', 'provideAlternative', 'provideUnavailabilityReason', 'serviceQualificationItem'],
  operations: ['list', 'retrieve', 'patch', 'delete'],
  onCreate(doc) {
    // answers are given per item id: items without one are numbered
    prepareItems(doc, 'serviceQualificationItem', 'accepted', true);
    doc['estimatedResponseDate'] = clock.iso();
  },
  validate(doc) {
    if (items(doc, 'serviceQualificationItem').length === 0) throw unprocessable('a check needs at least one service qualification item', 'serviceQualificationItem');
    checkItemIds(doc, 'serviceQualificationItem');
  },
};

export const queryServiceQualification: ResourceDefinition = {
  name: 'queryServiceQualification',
  type: 'QueryServiceQualification',
  table: TABLES.queryServiceQualification,
  schema: QueryServiceQualification,
  lifecycle: queryServiceQualificationLifecycle,
  partyPaths: ['relatedParty.id'],
  created: 'queryServiceQualificationDate',
  indexed: ['externalId'],
  readOnly: ['state', 'effectiveQualificationDate', 'estimatedResponseDate', 'expirationDate', 'queryServiceQualificationDate', 'serviceQualificationItem', 'terminationError'],
  immutable: ['instantSyncQualification', 'searchCriteria'],
  operations: ['list', 'retrieve', 'patch', 'delete'],
  // TMF645 publishes no attribute change event for a query
  events: ['Create', 'StateChange', 'Delete'],
  onCreate(doc) {
    doc['estimatedResponseDate'] = clock.iso();
  },
};

export const productOfferingQualificationApi = defineApi({
  id: 'TMF679',
  name: 'productOfferingQualification',
  title: 'Product Offering Qualification',
  version: '4.0.0',
  basePath: '/tmf-api/productOfferingQualification/v4',
  resources: [productOfferingQualification],
});

export const serviceQualificationApi = defineApi({
  id: 'TMF645',
  name: 'serviceQualificationManagement',
  title: 'Service Qualification Management',
  version: '4.0.1',
  basePath: '/tmf-api/serviceQualificationManagement/v4',
  resources: [checkServiceQualification, queryServiceQualification],
});
