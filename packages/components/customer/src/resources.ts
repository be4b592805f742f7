import { clock } from '@operon/kernel';
import {
  PARTY_ROLE_STATES, checkEngagedParty, checkRoleBlocks, checkRoleName, checkRoleStatus, defineApi, partyRoleLifecycle,
  type PartyOptions, type PartyRoleState, type ResourceDefinition,
} from '@operon/tmf';
import { Customer } from './schemas.ts';

/** In the SID a customer is a party role: TMF629 customers go through the party role states and lifecycle. */
export const CUSTOMER_STATES = PARTY_ROLE_STATES;
export type CustomerState = PartyRoleState;
export const customerLifecycle = partyRoleLifecycle('Customer');

/** TMF629 takes parties by reference only (RelatedParty). */
const PARTIES: PartyOptions = { byValue: false };

export const customer: ResourceDefinition = {
  name: 'customer',
  type: 'Customer',
  partyPaths: ['engagedParty.id', 'relatedParty.id'],
  baseType: 'PartyRole',
  table: 'customer',
  schema: Customer,
  lifecycle: customerLifecycle,
  validate(doc, change) {
    const now = clock.now();
    checkRoleName(doc);
    checkEngagedParty(doc, change.before, { ...PARTIES, what: 'customer' });
    checkRoleStatus(doc, change, 'customer', now);
    checkRoleBlocks(doc, now, PARTIES);
  },
};

export const customerApi = defineApi({
  id: 'TMF629',
  name: 'customerManagement',
  title: 'Customer Management',
  version: '4.0.0',
  basePath: '/tmf-api/customerManagement/v4',
  resources: [customer],
});
