/**
 * Customer component (TMF629): parties in the role of customer of the
 * operator — from prospect to active, suspended and closed customer — with
 * their accounts, agreements, payment methods, contact media and credit
 * profiles as references.
 */
import { fileURLToPath } from 'node:url';
import { defineComponent } from '@operon/tmf';
import { customerApi } from './resources.ts';

export { customerApi, customer, customerLifecycle, CUSTOMER_STATES, type CustomerState } from './resources.ts';

export const customerComponent = defineComponent({
  name: 'customer',
  title: 'Customer Management',
  description: 'Customers: the parties engaged with the operator as customers, their lifecycle from prospect to closure, and what they are bound to (accounts, agreements, payment methods, credit profiles).',
  exposes: [customerApi],
  // engagedParty and relatedParty point into Party Management; references stay federated
  dependsOn: ['TMF632'],
  subscribes: [],
  etomTasks: ['manage-prospect'],
  migrations: fileURLToPath(new URL('../migrations', import.meta.url)),
});
