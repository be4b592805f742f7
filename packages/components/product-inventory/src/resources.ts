import { clock, defineLifecycle, unprocessable, type Lifecycle } from '@operon/kernel';
import { checkTimePeriods, defineApi, type ChangeInfo, type Doc, type ResourceDefinition } from '@operon/tmf';
import { ABORTED, Product, type ProductStatus } from './schemas.ts';

export const BASE_PATH = '/tmf-api/productInventory/v4';
export const API_NAME = 'productInventory';
export const TABLE = 'product_inventory';

const lifecycle = defineLifecycle<ProductStatus>({
  name: 'Product',
  field: 'status',
  initial: 'created',
  // products already delivered elsewhere (a migration, an import) are recorded as they are
  creatable: ['created', 'pendingActive', 'active'],
  transitions: {
    created: ['pendingActive', 'active', 'cancelled', ABORTED],
    pendingActive: ['active', 'cancelled', ABORTED],
    active: ['suspended', 'pendingTerminate', 'terminated'],
    suspended: ['active', 'pendingTerminate', 'terminated'],
    // a termination may be withdrawn before it is carried out
    pendingTerminate: ['terminated', 'active'],
    terminated: [],
    cancelled: [],
    [ABORTED]: [],
  },
  // a product that is or was in service stays as the record of what the customer had
  deletable: ['created', 'cancelled', ABORTED, 'terminated'],
});

/** `'aborted'` as people write it; the specification's `'aborted '` as stored. */
export function canonicalStatus(status: string): string {
  return status === 'aborted' ? ABORTED : status;
}

/**
 * The product lifecycle (TMF637 `status`): created when ordered, pendingActive
 * while delivered, active, possibly suspended, pendingTerminate then terminated;
 * cancelled before delivery, aborted when delivery failed. The three last are
 * final. `'aborted'` is read as the specification's `'aborted '`, so that
 * nobody has to send the trailing space; it is stored as the spec spells it.
 */
export const productLifecycle: Lifecycle<ProductStatus> = {
  ...lifecycle,
  isState: (v: unknown): v is ProductStatus => lifecycle.isState(typeof v === 'string' ? canonicalStatus(v) : v),
  assertMove: (from, to) => lifecycle.assertMove(canonicalStatus(from), canonicalStatus(to)),
  assertCreatable: (state) => lifecycle.assertCreatable(canonicalStatus(state)),
};

const FINAL = new Set<string>(['terminated', 'cancelled', ABORTED]);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const isObject = (v: unknown): v is Doc => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Stamps the dates a status change implies, unless the client gave them. */
function derive(doc: Doc, before: Doc | undefined): void {
  if (typeof doc['status'] === 'string') doc['status'] = canonicalStatus(doc['status']);
  const status = doc['status'];
  const was = before?.['status'];
  const now = clock.iso();
  if (status === 'active' && was !== 'active' && was !== 'suspended' && doc['startDate'] === undefined) doc['startDate'] = now;
  if (status === 'terminated' && was !== 'terminated' && doc['terminationDate'] === undefined) doc['terminationDate'] = now;
}

function checkProduct(doc: Doc, change: ChangeInfo): void {
  checkTimePeriods(doc['productTerm'], 'productTerm');
  const start = str(doc['startDate']);
  const end = str(doc['terminationDate']);
  if (start && end && Date.parse(end) < Date.parse(start)) {
    throw unprocessable(`terminationDate (${end}) must not be before startDate (${start})`, 'terminationDate');
  }
  const rels = Array.isArray(doc['productRelationship']) ? doc['productRelationship'] : [];
  rels.forEach((r, i) => {
    if (isObject(r) && isObject(r['product']) && r['product']['id'] === doc['id']) {
      throw unprocessable('a product cannot be related to itself', `productRelationship[${i}].product.id`);
    }
  });
  // a product that ended is the record of what the customer had: it no longer changes
  const before = change.before;
  if (change.op === 'update' && before && FINAL.has(String(before['status']))) {
    const changed = Object.keys({ ...before, ...doc }).find((k) => JSON.stringify(before[k]) !== JSON.stringify(doc[k]));
    if (changed) throw unprocessable(`the product is ${String(before['status']).trim()}: it can no longer change ('${changed}')`, changed);
  }
}

export const product: ResourceDefinition = {
  name: 'product',
  type: 'Product',
  table: TABLE,
  schema: Product,
  lifecycle: productLifecycle,
  // a customer credential sees only the products naming its party
  partyPaths: ['relatedParty.id'],
  onCreate(doc) {
    derive(doc, undefined);
  },
  onUpdate(doc, before) {
    derive(doc, before);
  },
  validate(doc, change) {
    checkProduct(doc, change);
  },
};

export const productInventoryApi = defineApi({
  id: 'TMF637',
  name: API_NAME,
  title: 'Product Inventory Management',
  version: '4.0.0',
  basePath: BASE_PATH,
  resources: [product],
});
