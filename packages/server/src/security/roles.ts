/**
 * Roles, named after the eTOM owning functions that run each process. A role
 * is what a person or a machine does for the operator; the permission table
 * (permissions.ts) says what each may do with each API.
 */
export const ROLES = {
  administrator: 'Administrator: every API, users, keys and operations',
  productManager: 'Product manager (SIP): designs and runs the product, service and resource catalogs',
  sales: 'Sales and customer service: parties, customers, accounts, qualification, quotes and orders',
  orderManagement: 'Order management: follows customer, service and resource orders through fulfilment',
  networkOperations: 'Network operations (NOC): services, resources, alarms and service problems',
  fieldOperations: 'Field operations: installs and repairs resources on site',
  billing: 'Billing: billing accounts, usage, rating and bills',
  finance: 'Finance and revenue assurance: payments, collections, the audit trail',
  partner: 'Partner: its own party, accounts and orders; the catalogs it may sell',
  customer: 'Customer self-service: its own party, accounts, products, orders, tickets and bills; the catalog',
} as const;

export type Role = keyof typeof ROLES;
export const ROLE_NAMES = Object.keys(ROLES) as Role[];

/** Roles whose credentials are confined to one party's data. */
export const PARTY_CONFINED_ROLES: readonly Role[] = ['partner', 'customer'];

export function isRole(v: unknown): v is Role {
  return typeof v === 'string' && v in ROLES;
}
