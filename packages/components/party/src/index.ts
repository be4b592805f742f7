/**
 * Party component (TMF632): the individuals and organizations Operon deals
 * with — customers, contacts, partners, suppliers.
 */
import { fileURLToPath } from 'node:url';
import { defineComponent } from '@operon/tmf';
import { partyApi } from './resources.ts';

export { partyApi, individual, organization, individualLifecycle, organizationLifecycle } from './resources.ts';

export const partyComponent = defineComponent({
  name: 'party',
  title: 'Party Management',
  description: 'Individuals and organizations: the people and companies that are customers, contacts, partners and suppliers.',
  exposes: [partyApi],
  dependsOn: [],
  subscribes: [],
  etomTasks: ['manage-prospect'],
  migrations: fileURLToPath(new URL('../migrations', import.meta.url)),
});
