import { defineLifecycle, type Lifecycle } from '@operon/kernel';

export const PARTY_ROLE_STATES = ['Initialized', 'Validated', 'Approved', 'Active', 'Suspended', 'Rejected', 'Closed'] as const;
export type PartyRoleState = (typeof PARTY_ROLE_STATES)[number];

/**
 * The lifecycle of a party role (TMF669 PartyRole and, a party role in the
 * SID, TMF629 Customer): proposed or a prospect (Initialized), its data
 * checked (Validated), approved — credit and eligibility checked, contract
 * signed (Approved) — in force (Active); it may be Suspended (debt, fraud) and
 * resumed, and ends Closed; checks may fail (Rejected). Only roles that never
 * became a live relationship, and closed ones, may be deleted: an approved,
 * active or suspended role still has accounts, agreements and bills behind it.
 */
export function partyRoleLifecycle(name: string): Lifecycle<PartyRoleState> {
  return defineLifecycle<PartyRoleState>({
    name,
    field: 'status',
    initial: 'Initialized',
    // channels and portals that check identity and credit in-line register validated or approved roles directly
    creatable: ['Initialized', 'Validated', 'Approved'],
    transitions: {
      Initialized: ['Validated', 'Rejected'],
      Validated: ['Approved', 'Rejected'],
      Approved: ['Active', 'Closed'],
      Active: ['Suspended', 'Closed'],
      Suspended: ['Active', 'Closed'],
      Rejected: [],
      Closed: [],
    },
    deletable: ['Initialized', 'Validated', 'Rejected', 'Closed'],
  });
}
