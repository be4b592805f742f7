/**
 * Party Role component (TMF669): the parts parties play for the operator
 * other than customer — suppliers, partners, resellers, employees — with
 * their role type, lifecycle from proposal to closure, and what they are
 * bound to (accounts, agreements, payment methods, credit profiles).
 */
import { fileURLToPath } from 'node:url';
import { defineComponent } from '@operon/tmf';
import { partyRoleApi } from './resources.ts';

export { partyRoleApi, partyRole, partyRoleLifecycle, PARTY_ROLE_STATES, type PartyRoleState } from './resources.ts';

export const partyRoleComponent = defineComponent({
  name: 'party-role',
  title: 'Party Role Management',
  description: 'Party roles: the parts individuals and organizations play for the operator (supplier, partner, reseller, employee…), their lifecycle and what binds them.',
  exposes: [partyRoleApi],
  // engagedParty and relatedParty point into Party Management; references stay federated
  dependsOn: ['TMF632'],
  subscribes: [],
  // keeps role records only; none of the mapped L3 tasks (S/P requisition, problem, performance) is performed here
  etomTasks: [],
  migrations: fileURLToPath(new URL('../migrations', import.meta.url)),
});
