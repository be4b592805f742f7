import { defineLifecycle } from '@operon/kernel';
import { defineApi, type ResourceDefinition } from '@operon/tmf';
import { Individual, Organization } from './schemas.ts';

export const individualLifecycle = defineLifecycle({
  name: 'Individual',
  field: 'status',
  initial: 'initialized',
  creatable: ['initialized', 'validated'],
  transitions: {
    initialized: ['validated', 'deceaded'],
    validated: ['deceaded'],
    deceaded: [],
  },
});

export const organizationLifecycle = defineLifecycle({
  name: 'Organization',
  field: 'status',
  initial: 'initialized',
  creatable: ['initialized', 'validated'],
  transitions: {
    initialized: ['validated', 'closed'],
    validated: ['closed'],
    closed: [],
  },
});

export const individual: ResourceDefinition = {
  name: 'individual',
  type: 'Individual',
  // a person's own record, and records of people related to the caller's party (contacts, employees)
  partyPaths: ['id', 'relatedParty.id'],
  baseType: 'Party',
  table: 'party_individual',
  schema: Individual,
  lifecycle: individualLifecycle,
  indexed: ['familyName', 'givenName'],
  onCreate(doc) {
    // a display name when the client gives none, so lists and references read well
    if (doc['formattedName'] === undefined) doc['formattedName'] = `${String(doc['givenName'] ?? '')} ${String(doc['familyName'] ?? '')}`.trim();
  },
};

export const organization: ResourceDefinition = {
  name: 'organization',
  type: 'Organization',
  partyPaths: ['id', 'relatedParty.id'],
  baseType: 'Party',
  table: 'party_organization',
  schema: Organization,
  lifecycle: organizationLifecycle,
  indexed: ['tradingName'],
  onCreate(doc) {
    if (doc['name'] === undefined) doc['name'] = doc['tradingName'];
  },
};

export const partyApi = defineApi({
  id: 'TMF632',
  name: 'party',
  title: 'Party Management',
  version: '4.0.0',
  basePath: '/tmf-api/party/v4',
  resources: [individual, organization],
});
