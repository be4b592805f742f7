/**
 * Set-up shared by the account component's test files: Operon with the
 * component on a fresh database, and a client that checks every reply against
 * the official TMF666 definitions.
 */
import { afterAll, beforeAll, expect } from 'vitest';
import type { Static } from 'typebox';
import { startTestOperon, type TestOperon } from '@operon/server/testing';
import type { TmfErrorBody } from '@operon/tmf';
import { tmfClient, type TmfClient, type TmfReply } from '@operon/tmf/testing';
import { accountComponent } from './index.ts';
import type { AccountState, BillFormat, BillingAccount, BillingCycleSpecification, FinancialAccount } from './schemas.ts';

type Served = { id: string; href: string; '@type': string; '@baseType'?: string };
// the schema's state union is built from a list, which Static cannot follow: the state is typed here
type Stated = { state: AccountState; lastModified: string };
/** A party, billing or settlement account as the API serves it (the three share one shape). */
export type Account = Omit<Static<typeof BillingAccount>, 'state'> & Served & Stated;
export type Financial = Omit<Static<typeof FinancialAccount>, 'state'> & Served & Stated;
export type Cycle = Static<typeof BillingCycleSpecification> & Served;
/** A bill format or presentation media (the two share one shape). */
export type BillItem = Static<typeof BillFormat> & Served;

// live bindings: set once the file's tests start, read by the tests
export let op: TestOperon;
export let client: TmfClient;

/** Starts Operon before the tests of the calling file and stops it after them. */
export function withAccountOperon(): void {
  beforeAll(async () => {
    op = await startTestOperon({ components: [accountComponent] });
    client = tmfClient({
      baseUrl: `${op.url}/tmf-api/accountManagement/v4`,
      spec: 'TMF666',
      types: {
        partyAccount: 'PartyAccount', billingAccount: 'BillingAccount', settlementAccount: 'SettlementAccount', financialAccount: 'FinancialAccount',
        billingCycleSpecification: 'BillingCycleSpecification', billFormat: 'BillFormat', billPresentationMedia: 'BillPresentationMedia',
      },
    });
  });
  afterAll(async () => op?.close());
}

/** The reply is a TMF Error of that status whose message names the attribute at fault. */
export function refused(r: TmfReply, status: number, field: string): TmfErrorBody {
  expect(r.status, JSON.stringify(r.body)).toBe(status);
  const error = r.body as TmfErrorBody;
  expect(error['@type']).toBe('Error');
  expect(error.message).toContain(field);
  return error;
}
