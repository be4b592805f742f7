import { Type } from 'typebox';
import { ContactMedium, DateTime, Money, TimePeriod, entity, extensible, ref } from '@operon/tmf';

const S = (description?: string) => Type.String(description ? { description } : {});
const I = (description: string) => Type.Integer({ description });
const opt = Type.Optional;

/** States an account moves through; the transition table is in resources.ts. */
export const ACCOUNT_STATES = ['Pending', 'Active', 'Suspended', 'Closed'] as const;
export type AccountState = (typeof ACCOUNT_STATES)[number];

const AccountStateSchema = Type.Union(ACCOUNT_STATES.map((s) => Type.Literal(s)), {
  description: 'Lifecycle state: Pending (being set up), Active, Suspended (e.g. for non-payment) or Closed',
});

// TMF666 requires the name of a related party, unlike the shared block, so it has its own rendering
const RelatedParty = Type.Object(
  {
    id: S('Identifier of the party or party role'),
    href: opt(S('Link to the party or party role')),
    name: S('Name of the party, as shown on the account'),
    role: opt(S('Role the party plays for the account, e.g. owner, payer, bill recipient')),
    '@referredType': S('Kind of party referred to: Individual, Organization, PartyRole…'),
    ...extensible,
  },
  { description: 'A party (or party role) linked to the account' },
);

const AccountBalance = entity(
  {
    balanceType: S('Kind of balance: receivable, deposit, disputed, loyalty…'),
    amount: Money,
    validFor: TimePeriod,
  },
  'An amount held on the account for a period',
);

const AccountRef = entity(
  {
    id: S('Identifier of the related account'),
    href: opt(S('Link to the related account')),
    description: opt(S('Description of the related account')),
    name: opt(S('Name of the related account')),
    '@referredType': opt(S('Kind of account referred to')),
  },
  'Reference to another account',
);

const AccountRelationship = entity(
  {
    relationshipType: S('Kind of link, e.g. parent, child, aggregates'),
    account: opt(AccountRef),
    validFor: TimePeriod,
  },
  'A link to another account, e.g. the head-office account of a branch',
);

const AccountTaxExemption = entity(
  {
    certificateNumber: opt(S('Number of the exemption certificate')),
    issuingJurisdiction: S('Taxing jurisdiction that granted the exemption'),
    reason: opt(S('Why the account is exempt')),
    validFor: TimePeriod,
  },
  'An exemption from the taxes of a jurisdiction',
);

const Contact = entity(
  {
    contactName: opt(S('Name of the contact as displayed')),
    contactType: S('Kind of contact: primary, secondary, billing…'),
    partyRoleType: opt(S('Party role of the contact, e.g. account manager')),
    contactMedium: opt(Type.Array(ContactMedium)),
    relatedParty: opt(RelatedParty),
    validFor: TimePeriod,
  },
  'A person or organization to reach about the account',
);

const PaymentMethodRef = ref('Reference to a payment method (TMF670)');

const FinancialAccountRef = entity(
  {
    id: S('Identifier of the financial account'),
    href: opt(S('Link to the financial account')),
    name: opt(S('Name of the financial account')),
    accountBalance: opt(AccountBalance),
    '@referredType': opt(S('Kind of account referred to')),
  },
  'The financial (receivable or payable) account that aggregates this account',
);

const PaymentPlan = entity(
  {
    numberOfPayments: opt(I('Number of instalments')),
    paymentFrequency: opt(S('How often an instalment is paid, e.g. monthly')),
    planType: opt(S('Kind of plan')),
    priority: opt(I('Order in which plans are applied')),
    status: opt(S('Whether the plan is effective or ineffective')),
    paymentMethod: opt(PaymentMethodRef),
    totalAmount: opt(Money),
    validFor: opt(TimePeriod),
  },
  'An arrangement to spread payments over time',
);

const cycleAttributes = {
  billingDateShift: opt(I('Day of the period, counted from its start (0 = first day), on which the bill is produced')),
  billingPeriod: opt(S('Length of the period a bill covers: week, month, quarter, year…')),
  chargeDateOffset: opt(I('Days from the start of the period up to which received charges appear on the bill')),
  creditDateOffset: opt(I('Days from the start of the period up to which received credits appear on the bill')),
  description: opt(S('What the cycle is for')),
  frequency: opt(S('How often the cycle runs: monthly, quarterly…')),
  mailingDateOffset: opt(I('Days from the start of the period on which the bill is sent')),
  paymentDueDateOffset: opt(I('Days from the start of the period on which payment is due')),
  validFor: opt(TimePeriod),
};

const refOrValue = {
  id: opt(S('Identifier, when given by reference')),
  href: opt(S('Link, when given by reference')),
  isRef: Type.Boolean({ description: 'True when this is a reference to a resource, false when the value is given here' }),
  '@referredType': opt(S('Kind of resource referred to')),
};

const BillingCycleSpecificationRefOrValue = entity(
  {
    ...refOrValue,
    ...cycleAttributes,
    dateShift: opt(I('Billing date offset as carried by a reference')),
    name: S('Name of the billing cycle'),
  },
  'A billing cycle specification, by reference or by value',
);

const BillFormatRefOrValue = entity(
  { ...refOrValue, description: opt(S('How the bill looks')), name: S('Name of the bill format') },
  'A bill format, by reference or by value',
);

const BillPresentationMediaRefOrValue = entity(
  { ...refOrValue, description: opt(S('How the bill is delivered')), name: S('Name of the presentation media') },
  'A bill presentation media, by reference or by value',
);

const BillStructure = entity(
  {
    cycleSpecification: opt(BillingCycleSpecificationRefOrValue),
    format: opt(BillFormatRefOrValue),
    presentationMedia: opt(Type.Array(BillPresentationMediaRefOrValue)),
  },
  'How the account is billed: cycle, format and delivery media',
);

const accountCommon = {
  accountType: opt(S('Category of the account: individual, joint, business…')),
  description: opt(S('What the account is for')),
  lastModified: opt(DateTime('When the account last changed; set by the server')),
  name: Type.String({ minLength: 1, description: 'Name of the account' }),
  state: opt(AccountStateSchema),
  accountBalance: opt(Type.Array(AccountBalance)),
  accountRelationship: opt(Type.Array(AccountRelationship)),
  contact: opt(Type.Array(Contact)),
  creditLimit: opt(Money),
  taxExemption: opt(Type.Array(AccountTaxExemption)),
};

const partyAccountCommon = {
  ...accountCommon,
  paymentStatus: opt(S('Payment condition of the account: due, paid, in arrears…')),
  billStructure: opt(BillStructure),
  defaultPaymentMethod: opt(PaymentMethodRef),
  financialAccount: opt(FinancialAccountRef),
  paymentPlan: opt(Type.Array(PaymentPlan)),
  relatedParty: Type.Array(RelatedParty, { minItems: 1, description: 'Parties of the account; the first is usually its owner' }),
};

export const PartyAccount = entity(partyAccountCommon, 'An account held by a party: what it owes and is owed');
export const BillingAccount = entity(partyAccountCommon, 'A party account that is billed: with its bill structure, payment method and plans');
export const SettlementAccount = entity(partyAccountCommon, 'A party account used to settle with a partner (revenue share, wholesale)');
export const FinancialAccount = entity(
  { ...accountCommon, relatedParty: opt(Type.Array(RelatedParty)) },
  'An accounts receivable or payable account that aggregates the party accounts of one party',
);

export const BillingCycleSpecification = entity(
  { ...cycleAttributes, name: Type.String({ minLength: 1, description: 'Name of the billing cycle' }) },
  'When a billing cycle starts and when its steps (cut-off, bill, mailing, payment due) happen',
);

export const BillFormat = entity(
  { description: opt(S('How the bill looks')), name: Type.String({ minLength: 1, description: 'Name of the bill format' }) },
  'A layout of the bill: summary, detailed…',
);

export const BillPresentationMedia = entity(
  { description: opt(S('How the bill is delivered')), name: Type.String({ minLength: 1, description: 'Name of the media' }) },
  'A way of delivering a bill: post, email, web portal…',
);
