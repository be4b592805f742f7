/**
 * Fixtures for Lead-to-Cash through the HTTP APIs only, as an operator would
 * set things up: an address with its access area, resource pools serving the
 * area, a catalog from resource specifications up to a launched offering, a
 * customer with a billing account, and the order documents. Used by the
 * flow's tests, and reusable for demo data and benchmarks.
 */

export interface Reply<T = Record<string, unknown>> {
  status: number;
  body: T;
}

export type Doc = Record<string, unknown> & { id: string; href?: string };

/** A small JSON client of a running Operon. */
export interface OperonApi {
  url: string;
  call<T = Doc>(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<Reply<T>>;
  /** POST that must answer 201 (or 200 for instant qualifications); returns the body. */
  post<T = Doc>(path: string, body: unknown): Promise<T>;
  get<T = Doc>(path: string): Promise<T>;
  patch<T = Doc>(path: string, body: unknown): Promise<T>;
}

export const PATHS = {
  resourceCatalog: '/tmf-api/resourceCatalog/v4',
  serviceCatalog: '/tmf-api/serviceCatalogManagement/v4',
  productCatalog: '/tmf-api/productCatalogManagement/v4',
  address: '/tmf-api/geographicAddressManagement/v4',
  resourceInventory: '/tmf-api/resourceInventoryManagement/v4',
  serviceInventory: '/tmf-api/serviceInventory/v4',
  productInventory: '/tmf-api/productInventory/v4',
  party: '/tmf-api/party/v4',
  account: '/tmf-api/accountManagement/v4',
  poq: '/tmf-api/productOfferingQualification/v4',
  serviceQualification: '/tmf-api/serviceQualificationManagement/v4',
  quote: '/tmf-api/quoteManagement/v4',
  productOrder: '/tmf-api/productOrderingManagement/v4',
  serviceOrder: '/tmf-api/serviceOrdering/v4',
  resourceOrder: '/tmf-api/resourceOrderingManagement/v4',
} as const;

export function operonApi(url: string, headers: Record<string, string> = {}): OperonApi {
  async function call<T>(method: string, path: string, body?: unknown, extra: Record<string, string> = {}): Promise<Reply<T>> {
    const res = await fetch(url + path, {
      method,
      headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...extra },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
  }
  const must = async <T>(r: Promise<Reply<T>>, ok: number[], what: string): Promise<T> => {
    const reply = await r;
    if (!ok.includes(reply.status)) throw new Error(`${what}: ${reply.status} ${JSON.stringify(reply.body)}`);
    return reply.body;
  };
  return {
    url,
    call,
    post: (path, body) => must(call('POST', path, body), [200, 201], `POST ${path}`),
    get: (path) => must(call('GET', path), [200], `GET ${path}`),
    patch: (path, body) => must(call('PATCH', path, body, { 'content-type': 'application/merge-patch+json' }), [200], `PATCH ${path}`),
  };
}

/** The catalog lifecycle, from design to launch. */
const LIFECYCLE = ['In design', 'In test', 'Active', 'Launched'];

/**
 * A catalog hears of another catalog's specifications through their events, a
 * moment after the change commits: what relies on a specification promoted
 * just before may be refused until then. The wait is bounded; a refusal that
 * lasts is an error.
 */
async function patchOnceKnown(api: OperonApi, path: string, body: Record<string, unknown>): Promise<Doc> {
  const until = Date.now() + 15_000;
  for (;;) {
    const r = await api.call<Doc>('PATCH', path, body, { 'content-type': 'application/merge-patch+json' });
    if (r.status === 200) return r.body;
    if (r.status !== 422 || !/must be Active or Launched/.test(String(r.body?.['message'])) || Date.now() > until) {
      throw new Error(`PATCH ${path}: ${r.status} ${JSON.stringify(r.body)}`);
    }
    await new Promise((res) => setTimeout(res, 50));
  }
}

/** Moves a catalog entity along its lifecycle up to `to` (Active or Launched). */
export async function promote(api: OperonApi, path: string, to: 'Active' | 'Launched'): Promise<Doc> {
  let doc = await api.get(path);
  for (const state of LIFECYCLE.slice(LIFECYCLE.indexOf(String(doc['lifecycleStatus'])) + 1, LIFECYCLE.indexOf(to) + 1)) {
    doc = await patchOnceKnown(api, path, { lifecycleStatus: state });
  }
  return doc;
}

const ref = (d: Doc, referredType?: string) => ({ id: d.id, ...(d.href ? { href: d.href } : {}), name: d['name'], ...(referredType ? { '@referredType': referredType } : {}) });

export interface CharacteristicDef {
  name: string;
  values: readonly string[];
  default?: string;
}

export interface OfferingDef {
  /** Name prefix, keeping several catalogs apart. */
  name: string;
  /** Resource specifications, by name; each becomes Active. */
  resources: readonly string[];
  /** Resource-facing services: which resources (by name) each needs. */
  rfs: ReadonlyArray<{ name: string; resources: readonly string[] }>;
  /** The customer-facing service realised by every RFS. */
  cfs: string;
  characteristics: readonly CharacteristicDef[];
  /** Monthly price, taxes included. */
  monthly: number;
  currency?: string;
}

export interface Offering {
  resourceSpecs: Record<string, Doc>;
  rfs: Record<string, Doc>;
  cfs: Doc;
  productSpecification: Doc;
  price: Doc;
  offering: Doc;
}

/**
 * A launched offering, defined through the catalog APIs from the bottom up:
 * resource specifications, RFS, CFS (with the characteristics), product
 * specification, price, offering — each moved to Active (Launched for the
 * offering) as the catalogs' rules require.
 */
export async function defineOffering(api: OperonApi, def: OfferingDef): Promise<Offering> {
  const resourceSpecs: Record<string, Doc> = {};
  for (const name of def.resources) {
    const r = await api.post(`${PATHS.resourceCatalog}/resourceSpecification`, { name: `${def.name} ${name}`, description: `${name} for ${def.name}` });
    resourceSpecs[name] = await promote(api, `${PATHS.resourceCatalog}/resourceSpecification/${r.id}`, 'Active');
  }
  const specChars = def.characteristics.map((c) => ({
    name: c.name, valueType: 'string', configurable: true,
    characteristicValueSpecification: c.values.map((v) => ({ value: v, valueType: 'string', ...(v === c.default ? { isDefault: true } : {}) })),
  }));
  const rfs: Record<string, Doc> = {};
  for (const r of def.rfs) {
    const created = await api.post(`${PATHS.serviceCatalog}/serviceSpecification`, {
      name: `${def.name} ${r.name}`, '@type': 'ResourceFacingServiceSpecification',
      resourceSpecification: r.resources.map((n) => ref(resourceSpecs[n]!, 'ResourceSpecification')),
      specCharacteristic: specChars,
    });
    rfs[r.name] = await promote(api, `${PATHS.serviceCatalog}/serviceSpecification/${created.id}`, 'Active');
  }
  const cfsCreated = await api.post(`${PATHS.serviceCatalog}/serviceSpecification`, {
    name: `${def.name} ${def.cfs}`, '@type': 'CustomerFacingServiceSpecification',
    serviceSpecRelationship: Object.values(rfs).map((r) => ({ id: r.id, name: r['name'], relationshipType: 'reliesOn', '@referredType': 'ResourceFacingServiceSpecification' })),
    specCharacteristic: specChars,
  });
  const cfs = await promote(api, `${PATHS.serviceCatalog}/serviceSpecification/${cfsCreated.id}`, 'Active');
  const ps = await api.post(`${PATHS.productCatalog}/productSpecification`, {
    name: `${def.name} product`,
    productSpecCharacteristic: def.characteristics.map((c) => ({
      name: c.name, valueType: 'string', configurable: true, minCardinality: 1, maxCardinality: 1,
      productSpecCharacteristicValue: c.values.map((v) => ({ value: v, valueType: 'string', ...(v === c.default ? { isDefault: true } : {}) })),
    })),
    serviceSpecification: [ref(cfs, 'ServiceSpecification')],
  });
  const productSpecification = await promote(api, `${PATHS.productCatalog}/productSpecification/${ps.id}`, 'Active');
  const pr = await api.post(`${PATHS.productCatalog}/productOfferingPrice`, {
    name: `${def.name} monthly fee`, priceType: 'recurring', recurringChargePeriodType: 'month', recurringChargePeriodLength: 1,
    price: { unit: def.currency ?? 'EUR', value: def.monthly },
  });
  const price = await promote(api, `${PATHS.productCatalog}/productOfferingPrice/${pr.id}`, 'Active');
  const of = await api.post(`${PATHS.productCatalog}/productOffering`, {
    name: def.name, isSellable: true, productSpecification: ref(productSpecification),
    productOfferingPrice: [ref(price)],
  });
  const offering = await promote(api, `${PATHS.productCatalog}/productOffering/${of.id}`, 'Launched');
  return { resourceSpecs, rfs, cfs, productSpecification, price, offering };
}

/** The FTTH offering of the design: internet access on an ONT port and a VLAN, with an IPv4 address. */
export function ftthDefinition(name = 'FTTH 1G'): OfferingDef {
  return {
    name,
    resources: ['ONT port', 'VLAN', 'IPv4 address'],
    rfs: [{ name: 'FTTH access', resources: ['ONT port', 'VLAN'] }, { name: 'IP connectivity', resources: ['IPv4 address'] }],
    cfs: 'Internet access',
    characteristics: [{ name: 'downloadSpeed', values: ['300', '1000', '2000'], default: '1000' }],
    monthly: 39.9,
  };
}

const PORTS_PER_SLOT = 128;

export interface AreaDef {
  /** Access area code, e.g. BER-MITTE-OLT01. */
  area: string;
  street: string;
  /** The OLT the ports are on (port values `<olt>/1/<slot>/<port>`, 128 ports to a slot). */
  olt: string;
  ports: number;
  vlans: { start: number; end: number };
  /** IPv4 block, e.g. 192.0.2.0/29. */
  cidr: string;
}

export interface Area {
  address: Doc;
  pools: Record<string, Doc>;
}

/**
 * An address of the referential in an access area, and the pools serving the
 * area: one per resource specification, each pool naming the specification
 * it hands out (how the flow finds it).
 */
export async function defineArea(api: OperonApi, def: AreaDef, specs: Record<string, Doc>): Promise<Area> {
  const address = await api.post(`${PATHS.address}/geographicAddress`, {
    streetNr: '1', streetName: def.street, city: 'Berlin', postcode: '10115', country: 'DE', accessArea: def.area,
  });
  const pools: Record<string, Doc> = {};
  const port = specs['ONT port'];
  if (port) {
    pools['ONT port'] = await api.post(`${PATHS.resourceInventory}/resourcePool`, {
      name: `${def.area} ONT ports`, kind: 'port', accessArea: def.area, resourceSpecification: ref(port),
      // filled slot by slot, as an OLT's line cards are: a port number has at most three digits
      values: Array.from({ length: def.ports }, (_, i) => `${def.olt}/1/${Math.floor(i / PORTS_PER_SLOT) + 1}/${(i % PORTS_PER_SLOT) + 1}`),
    });
  }
  const vlan = specs['VLAN'];
  if (vlan) {
    pools['VLAN'] = await api.post(`${PATHS.resourceInventory}/resourcePool`, {
      name: `${def.area} VLANs`, kind: 'vlan', accessArea: def.area, resourceSpecification: ref(vlan), range: { start: String(def.vlans.start), end: String(def.vlans.end) },
    });
  }
  const ip = specs['IPv4 address'];
  if (ip) {
    pools['IPv4 address'] = await api.post(`${PATHS.resourceInventory}/resourcePool`, {
      name: `${def.area} addresses`, kind: 'ipv4', accessArea: def.area, resourceSpecification: ref(ip), cidr: def.cidr,
    });
  }
  return { address, pools };
}

/** Free values of a pool. */
export async function poolFree(api: OperonApi, pool: Doc): Promise<number> {
  const p = await api.get<{ capacity?: { free: number } }>(`${PATHS.resourceInventory}/resourcePool/${pool.id}`);
  return p.capacity?.free ?? -1;
}

export interface Customer {
  party: Doc;
  billingAccount: Doc;
  /** As an order names the customer. */
  relatedParty: Record<string, unknown>;
}

/** A new customer: an individual and an active billing account. */
export async function defineCustomer(api: OperonApi, givenName: string, familyName: string): Promise<Customer> {
  const party = await api.post(`${PATHS.party}/individual`, { givenName, familyName });
  const relatedParty = { id: party.id, name: `${givenName} ${familyName}`, role: 'customer', '@referredType': 'Individual' };
  const billingAccount = await api.post(`${PATHS.account}/billingAccount`, { name: `${givenName} ${familyName}`, relatedParty: [relatedParty] });
  return { party, billingAccount, relatedParty };
}

/** A product order adding `offering` at `address` for `customer`. */
export function addOrder(customer: Customer, offering: Doc, address: Doc, characteristics: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) {
  return {
    externalId: `web-${Date.now()}`,
    relatedParty: [customer.relatedParty],
    billingAccount: { id: customer.billingAccount.id, '@referredType': 'BillingAccount' },
    productOrderItem: [{
      id: '1', action: 'add', quantity: 1,
      productOffering: { id: offering.id, name: offering['name'] },
      product: {
        '@type': 'Product',
        productCharacteristic: Object.entries(characteristics).map(([name, value]) => ({ name, value })),
        place: [{ id: address.id, role: 'installationAddress', '@referredType': 'GeographicAddress' }],
      },
    }],
    ...extra,
  };
}

/** A product order modifying (`characteristics`) or deleting an existing product. */
export function changeOrder(customer: Customer, productId: string, action: 'modify' | 'delete', characteristics: Record<string, unknown> = {}) {
  return {
    relatedParty: [customer.relatedParty],
    billingAccount: { id: customer.billingAccount.id, '@referredType': 'BillingAccount' },
    productOrderItem: [{
      id: '1', action,
      product: { id: productId, '@type': 'Product', ...(action === 'modify' ? { productCharacteristic: Object.entries(characteristics).map(([name, value]) => ({ name, value })) } : {}) },
    }],
  };
}

/** Polls the product order until it is in one of `states`. */
export async function waitForOrder(api: OperonApi, id: string, states: readonly string[], ms = 60_000): Promise<Doc> {
  const end = Date.now() + ms;
  let last = 'unknown';
  while (Date.now() < end) {
    const order = await api.get(`${PATHS.productOrder}/productOrder/${id}`);
    last = String(order['state']);
    if (states.includes(last)) return order;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`product order ${id} did not reach ${states.join('/')} in ${ms} ms (it is ${last})`);
}
