/**
 * Account component (TMF666): the accounts an operator bills and settles —
 * party, billing, settlement and financial (receivable) accounts with their
 * lifecycle, balances and credit limits — and the bill structures they use:
 * billing cycle specifications, bill formats and presentation media.
 */
import { fileURLToPath } from 'node:url';
import { defineComponent } from '@operon/tmf';
import { accountApi } from './resources.ts';

export {
  accountApi, accountLifecycle, partyAccount, billingAccount, settlementAccount, financialAccount,
  billingCycleSpecification, billFormat, billPresentationMedia,
  partyAccountLifecycle, billingAccountLifecycle, settlementAccountLifecycle, financialAccountLifecycle,
} from './resources.ts';
export { ACCOUNT_STATES, type AccountState } from './schemas.ts';

export const accountComponent = defineComponent({
  name: 'account',
  title: 'Account Management',
  description: 'Party, billing, settlement and financial accounts with their lifecycle, balances and credit limits, and the bill cycles, formats and media they are billed with.',
  exposes: [accountApi],
  dependsOn: [],
  subscribes: [],
  etomTasks: ['manage-customer-billing'],
  migrations: fileURLToPath(new URL('../migrations', import.meta.url)),
});
