import { ROLE_NAMES, type Role } from './roles.ts';

/**
 * What each role may do, per API (or operations area) and action — the one
 * place that says it. Every route declares its area and action (the TMF kit
 * does it for the APIs it mounts); a route the table does not cover is refused
 * at start-up, and a test walks every route with every role against this table.
 * Party-confined roles (partner, customer) additionally see only their own
 * party's data, which the TMF kit enforces per resource.
 */
export type Action = 'read' | 'create' | 'update' | 'delete' | 'subscribe' | 'operate';
export const ACTIONS: readonly Action[] = ['read', 'create', 'update', 'delete', 'subscribe', 'operate'];

export type AreaPermissions = Partial<Record<Action, readonly Role[]>>;

const everyone: readonly Role[] = ROLE_NAMES;
const staff: readonly Role[] = ROLE_NAMES.filter((r) => r !== 'partner' && r !== 'customer');
const admin: readonly Role[] = ['administrator'];
/** Systems that integrate through events (hub listeners) are staff systems. */
const integrators = staff;

export const PERMISSIONS: Readonly<Record<string, AreaPermissions>> = {
  // TMF632: a customer or partner keeps its own contact details up to date
  party: {
    read: everyone,
    create: ['administrator', 'sales', 'partner'],
    update: ['administrator', 'sales', 'partner', 'customer'],
    delete: admin,
    subscribe: integrators,
  },
  // TMF629: customers are created by sales (or a partner selling on the operator's behalf)
  customerManagement: {
    read: everyone,
    create: ['administrator', 'sales', 'partner'],
    update: ['administrator', 'sales'],
    delete: admin,
    subscribe: integrators,
  },
  // TMF669
  partyRoleManagement: {
    read: everyone,
    create: ['administrator', 'sales'],
    update: ['administrator', 'sales'],
    delete: admin,
    subscribe: integrators,
  },
  // TMF666: billing runs the accounts; sales opens them with a new customer
  accountManagement: {
    read: everyone,
    create: ['administrator', 'sales', 'billing'],
    update: ['administrator', 'sales', 'billing', 'finance'],
    delete: ['administrator', 'billing'],
    subscribe: integrators,
  },
  // TMF620: what is sold; everyone may look, product management designs it
  productCatalogManagement: {
    read: everyone,
    create: ['administrator', 'productManager'],
    update: ['administrator', 'productManager'],
    delete: ['administrator', 'productManager'],
    subscribe: integrators,
  },
  // TMF633: how it is delivered; internal
  serviceCatalogManagement: {
    read: staff,
    create: ['administrator', 'productManager'],
    update: ['administrator', 'productManager'],
    delete: ['administrator', 'productManager'],
    subscribe: integrators,
  },
  // TMF634: resource types are onboarded by network engineering with product management
  resourceCatalog: {
    read: staff,
    create: ['administrator', 'productManager', 'networkOperations'],
    update: ['administrator', 'productManager', 'networkOperations'],
    delete: ['administrator', 'productManager'],
    subscribe: integrators,
  },
  // TMF673/674: addresses and sites; sales and the NOC record them, the address referential is network data
  geographicAddressManagement: {
    read: everyone,
    create: ['administrator', 'sales', 'orderManagement', 'partner', 'customer'],
    update: ['administrator', 'sales', 'orderManagement'],
    delete: admin,
    subscribe: integrators,
  },
  geographicSiteManagement: {
    read: staff,
    create: ['administrator', 'sales', 'networkOperations', 'fieldOperations'],
    update: ['administrator', 'sales', 'networkOperations', 'fieldOperations'],
    delete: admin,
    subscribe: integrators,
  },
  geographicAddressReferential: {
    read: staff,
    create: ['administrator', 'networkOperations'],
    update: ['administrator', 'networkOperations'],
    delete: ['administrator', 'networkOperations'],
    subscribe: integrators,
    operate: ['administrator', 'networkOperations'],
  },
  // TMF679/645: anyone selling (or buying) may ask whether an offer or service is available
  productOfferingQualification: {
    read: everyone,
    create: ['administrator', 'sales', 'orderManagement', 'partner', 'customer'],
    update: ['administrator', 'sales', 'orderManagement'],
    delete: admin,
    subscribe: integrators,
  },
  serviceQualificationManagement: {
    read: staff,
    create: ['administrator', 'sales', 'orderManagement', 'networkOperations'],
    update: ['administrator', 'sales', 'orderManagement'],
    delete: admin,
    subscribe: integrators,
  },
  // TMF648: sales quotes, a customer or partner may ask for one and accept it
  quoteManagement: {
    read: everyone,
    create: ['administrator', 'sales', 'partner', 'customer'],
    update: ['administrator', 'sales', 'partner', 'customer'],
    delete: admin,
    subscribe: integrators,
  },
  // TMF622: customer orders (COM); a customer or partner places and cancels its own
  productOrderingManagement: {
    read: everyone,
    create: ['administrator', 'sales', 'orderManagement', 'partner', 'customer'],
    update: ['administrator', 'sales', 'orderManagement'],
    delete: admin,
    subscribe: integrators,
  },
  // TMF641/652: service and resource orders (SOM, ROM), internal
  serviceOrdering: {
    read: staff,
    create: ['administrator', 'orderManagement', 'networkOperations'],
    update: ['administrator', 'orderManagement', 'networkOperations'],
    delete: admin,
    subscribe: integrators,
  },
  resourceOrderingManagement: {
    read: staff,
    create: ['administrator', 'orderManagement', 'networkOperations', 'fieldOperations'],
    update: ['administrator', 'orderManagement', 'networkOperations', 'fieldOperations'],
    delete: admin,
    subscribe: integrators,
  },
  // TMF637: what customers hold; billing adjusts prices and accounts
  productInventory: {
    read: everyone,
    create: ['administrator', 'orderManagement'],
    update: ['administrator', 'orderManagement', 'billing'],
    delete: admin,
    subscribe: integrators,
  },
  // TMF638/639: services and resources; the NOC and field operations keep them true
  serviceInventory: {
    read: [...staff, 'partner', 'customer'],
    create: ['administrator', 'orderManagement', 'networkOperations'],
    update: ['administrator', 'orderManagement', 'networkOperations'],
    delete: admin,
    subscribe: integrators,
  },
  resourceInventoryManagement: {
    read: staff,
    create: ['administrator', 'networkOperations', 'fieldOperations'],
    update: ['administrator', 'orderManagement', 'networkOperations', 'fieldOperations'],
    delete: ['administrator', 'networkOperations'],
    subscribe: integrators,
    operate: ['administrator', 'orderManagement', 'networkOperations'],
  },
  // TMF640/702: activation on the network
  ServiceActivationAndConfiguration: {
    read: staff,
    create: ['administrator', 'orderManagement', 'networkOperations'],
    update: ['administrator', 'orderManagement', 'networkOperations'],
    delete: ['administrator', 'networkOperations'],
    subscribe: integrators,
  },
  ResourceActivationAndConfiguration: {
    read: staff,
    create: ['administrator', 'orderManagement', 'networkOperations'],
    update: ['administrator', 'orderManagement', 'networkOperations'],
    delete: ['administrator', 'networkOperations'],
    subscribe: integrators,
  },
  // Lead-to-Cash KPIs and orchestration runs
  'ops.kpi': { read: staff },
  'ops.workflow': { read: ['administrator', 'orderManagement', 'networkOperations'], operate: ['administrator', 'orderManagement'] },
  // TMF672: who may do what, readable by staff
  userRolePermission: { read: staff },
  // the eTOM map and Operon's own coverage of it
  etom: { read: everyone },
  // event delivery: listeners, dead letters and their replay
  'ops.events': { read: ['administrator', 'networkOperations'], operate: admin },
  // the console's live event stream: open to every role, each event then passes its own API's read permission and party scope
  'ops.eventStream': { read: everyone },
  // the audit trail
  'ops.audit': { read: ['administrator', 'finance'] },
  // users and API keys
  'ops.security': { read: admin, create: admin, update: admin, delete: admin },
  // the caller's own identity
  self: { read: everyone },
};

/** What a route declares in its `config`: an area and action of the table, or that it is public. */
export type RoutePermission = { area: string; action: Action } | 'public';

export function allows(roles: readonly string[], area: string, action: Action): boolean {
  const permitted = PERMISSIONS[area]?.[action];
  return permitted !== undefined && roles.some((r) => (permitted as readonly string[]).includes(r));
}

export function isCovered(p: RoutePermission): boolean {
  return p === 'public' || PERMISSIONS[p.area]?.[p.action] !== undefined;
}
