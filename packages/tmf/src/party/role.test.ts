import { describe, expect, it } from 'vitest';
import { checkRoleBlocks, checkRoleName } from './role.ts';

const refused = (field: string) => expect.objectContaining({ status: 422, field });
const now = new Date('2025-06-01T00:00:00Z');
const backwards = { startDateTime: '2025-02-01T00:00:00Z', endDateTime: '2025-01-01T00:00:00Z' };

describe('checkRoleName', () => {
  it('refuses a blank name with 400, and leaves a missing one to the schema', () => {
    expect(() => checkRoleName({ name: '  ' })).toThrow(expect.objectContaining({ status: 400, field: 'name' }));
    expect(() => checkRoleName({ name: 'Acme as supplier' })).not.toThrow();
    expect(() => checkRoleName({})).not.toThrow();
  });
});

describe('checkRoleBlocks', () => {
  it('accepts a role whose blocks are all consistent', () => {
    expect(() => checkRoleBlocks({
      validFor: { startDateTime: '2025-01-01T00:00:00Z' },
      contactMedium: [{ mediumType: 'email', preferred: true, characteristic: { emailAddress: 'a@x.example' } }],
      characteristic: [{ name: 'tier', value: 1 }],
      account: [{ id: 'ba-1', name: 'Billing' }],
      agreement: [{ id: 'ag-1' }],
      paymentMethod: [{ id: 'pm-1' }],
      creditProfile: [{ creditProfileDate: '2025-01-01T00:00:00Z', creditScore: 700, validFor: {} }],
      relatedParty: [{ id: 'ind-1', '@referredType': 'Individual', role: 'contact' }],
    }, now)).not.toThrow();
  });

  it('checks every block a party role is made of', () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ validFor: backwards }, 'validFor.endDateTime'],
      [{ contactMedium: [{ mediumType: 'phone', characteristic: { phoneNumber: 'none' } }] }, 'contactMedium[0].characteristic.phoneNumber'],
      [{ characteristic: [{ name: 'a', value: 1 }, { name: 'a', value: 2 }] }, 'characteristic[1].name'],
      [{ account: [{ name: 'Billing' }] }, 'account[0].id'],
      [{ agreement: [{ id: 'ag-1' }, { id: 'ag-1' }] }, 'agreement[1].id'],
      [{ paymentMethod: [{ id: 'pm-1', href: 'https://x/paymentMethod/pm-2' }] }, 'paymentMethod[0].href'],
      [{ creditProfile: [{ creditProfileDate: '2999-01-01T00:00:00Z', validFor: {} }] }, 'creditProfile[0].creditProfileDate'],
      [{ relatedParty: [{ id: 'x', '@referredType': 'Individual' }, { id: 'x', '@referredType': 'Individual' }] }, 'relatedParty[1].role'],
    ];
    for (const [doc, field] of cases) expect(() => checkRoleBlocks(doc, now), field).toThrow(refused(field));
  });

  it('takes related parties by value only where the API allows it', () => {
    const doc = { relatedParty: [{ '@type': 'Individual', name: 'Walk-in contact' }] };
    expect(() => checkRoleBlocks(doc, now)).toThrow(refused('relatedParty[0].id'));
    expect(() => checkRoleBlocks(doc, now, { byValue: true })).not.toThrow();
  });
});
