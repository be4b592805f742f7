import { Type } from 'typebox';
import { TimePeriod, extensible, partyRoleBlocks } from '@operon/tmf';

/**
 * TMF629 v4 `Customer_Create`, rendered from the official definition. Its
 * blocks differ from the shared SID ones (e.g. ContactMedium requires
 * mediumType and characteristic, AccountRef requires name): they come from the
 * kit in their TMF629 spelling, where every block is extensible and hrefs are
 * plain strings.
 */
const { AccountRef, AgreementRef, PaymentMethodRef, Characteristic, ContactMedium, CreditProfile, RelatedParty } = partyRoleBlocks({
  holder: 'the customer',
  extensibleBlocks: true,
  uriHrefs: false,
  characteristicRelationships: false,
});

const S = (description?: string) => Type.String(description ? { description } : {});
const opt = Type.Optional;

export const Customer = Type.Object(
  {
    name: S('Name by which the customer is known and told apart from other customers'),
    status: opt(S('Where the customer stands in its lifecycle')),
    statusReason: opt(S('Why the customer is in its current status, e.g. the reason for a rejection or suspension')),
    account: opt(Type.Array(AccountRef, { description: 'Accounts of the customer' })),
    agreement: opt(Type.Array(AgreementRef, { description: 'Agreements the customer is party to' })),
    characteristic: opt(Type.Array(Characteristic, { description: 'Further characteristics of the customer' })),
    contactMedium: opt(Type.Array(ContactMedium, { description: 'Ways to reach the customer' })),
    creditProfile: opt(Type.Array(CreditProfile, { description: 'Credit assessments, current first' })),
    engagedParty: RelatedParty,
    paymentMethod: opt(Type.Array(PaymentMethodRef, { description: 'Means of payment of the customer' })),
    relatedParty: opt(Type.Array(RelatedParty, { description: 'Other parties involved with the customer' })),
    validFor: opt(TimePeriod),
    ...extensible,
  },
  { description: 'A party (individual or organization) in the role of customer of the operator' },
);
