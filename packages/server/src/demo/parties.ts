import type { DemoLink, DemoStep } from './steps.ts';

/** A small operator's customers: two households, two businesses, a wholesale partner. */

const email = (address: string) => ({ mediumType: 'email', preferred: true, characteristic: { contactType: 'email', emailAddress: address } });
const phone = (number: string) => ({ mediumType: 'phone', preferred: false, characteristic: { contactType: 'mobile', phoneNumber: number } });
const postal = (street1: string, city: string, postCode: string, country = 'DE') => ({
  mediumType: 'postalAddress', preferred: false, characteristic: { contactType: 'home', street1, city, postCode, country },
});

const individual = (key: string, givenName: string, familyName: string, contact: Record<string, unknown>[], extra: Record<string, unknown> = {}): DemoStep => ({
  key, api: 'party', resource: 'individual', state: 'validated',
  body: () => ({ givenName, familyName, contactMedium: contact, ...extra }),
});

const organization = (key: string, tradingName: string, contact: Record<string, unknown>[], extra: Record<string, unknown> = {}): DemoStep => ({
  key, api: 'party', resource: 'organization', state: 'validated',
  body: () => ({ tradingName, isLegalEntity: true, contactMedium: contact, ...extra }),
});

const customer = (key: string, name: string, partyKey: string, partyType: 'Individual' | 'Organization'): DemoStep => ({
  key, api: 'customerManagement', resource: 'customer', state: 'Active',
  body: (r) => ({ name, engagedParty: { ...r.ref(partyKey), '@referredType': partyType } }),
});

const owner = (r: Parameters<DemoStep['body']>[0], key: string, type: string) => ({ ...r.ref(key), role: 'owner', '@referredType': type });

const billingAccount = (key: string, name: string, partyKey: string, partyType: string, cycle: string, media: string): DemoStep => ({
  key, api: 'accountManagement', resource: 'billingAccount',
  body: (r) => ({
    name, accountType: partyType === 'Organization' ? 'business' : 'residential',
    relatedParty: [owner(r, partyKey, partyType)],
    creditLimit: { unit: 'EUR', value: partyType === 'Organization' ? 5000 : 500 },
    paymentStatus: 'paidUp',
    billStructure: {
      cycleSpecification: { ...r.ref(cycle), isRef: true },
      format: { ...r.ref('bf.detailed'), isRef: true },
      presentationMedia: [{ ...r.ref(media), isRef: true }],
    },
  }),
});

export const partySteps: DemoStep[] = [
  organization('org.operator', 'Operon Telecom', [email('contact@operon-telecom.example'), postal('Netzstraße 1', 'Berlin', '10115')], { organizationType: 'company', nameType: 'GmbH' }),
  individual('ind.jane', 'Jane', 'Doe', [email('jane.doe@example.com'), phone('+491701234567'), postal('Lindenallee 12', 'Berlin', '10117')], { title: 'Ms' }),
  individual('ind.ravi', 'Ravi', 'Kumar', [email('ravi.kumar@example.com'), phone('+491709876543'), postal('Hafenweg 3', 'Hamburg', '20457')], { title: 'Mr' }),
  organization('org.acme', 'Acme Logistics', [email('it@acme-logistics.example'), postal('Industriepark 7', 'Bremen', '28199')], { organizationType: 'company', nameType: 'Ltd' }),
  individual('ind.maria', 'Maria', 'Rossi', [email('maria.rossi@acme-logistics.example'), phone('+491521112233')], { title: 'Ms' }),
  organization('org.nordwind', 'Nordwind Bakery', [email('info@nordwind-bakery.example'), postal('Marktplatz 2', 'Kiel', '24103')], { organizationType: 'company', nameType: 'GmbH' }),
  organization('org.skyline', 'Skyline Mobile', [email('wholesale@skyline-mobile.example')], { organizationType: 'company', nameType: 'AG' }),

  customer('cust.jane', 'Jane Doe', 'ind.jane', 'Individual'),
  customer('cust.ravi', 'Ravi Kumar', 'ind.ravi', 'Individual'),
  customer('cust.acme', 'Acme Logistics', 'org.acme', 'Organization'),
  customer('cust.nordwind', 'Nordwind Bakery', 'org.nordwind', 'Organization'),

  {
    key: 'role.acmeContact', api: 'partyRoleManagement', resource: 'partyRole',
    state: 'Active',
    body: (r) => ({ name: 'Technical contact', roleType: { id: 'technical-contact', name: 'Technical contact' }, engagedParty: { ...r.ref('ind.maria'), '@referredType': 'Individual' }, relatedParty: [{ ...r.ref('org.acme'), role: 'employer', '@referredType': 'Organization' }] }),
  },
  {
    key: 'role.skylinePartner', api: 'partyRoleManagement', resource: 'partyRole',
    state: 'Active',
    body: (r) => ({ name: 'MVNO partner', roleType: { id: 'mvno-partner', name: 'MVNO partner' }, engagedParty: { ...r.ref('org.skyline'), '@referredType': 'Organization' } }),
  },

  { key: 'bcs.monthly1', api: 'accountManagement', resource: 'billingCycleSpecification', body: () => ({ name: 'Monthly, 1st of the month', frequency: 'monthly', billingDateShift: 0, billingPeriod: 'month', chargeDateOffset: 0, creditDateOffset: 0, mailingDateOffset: 2, paymentDueDateOffset: 14 }) },
  { key: 'bcs.monthly15', api: 'accountManagement', resource: 'billingCycleSpecification', body: () => ({ name: 'Monthly, 15th of the month', frequency: 'monthly', billingDateShift: 14, billingPeriod: 'month', chargeDateOffset: 14, creditDateOffset: 14, mailingDateOffset: 16, paymentDueDateOffset: 44 }) },
  { key: 'bf.detailed', api: 'accountManagement', resource: 'billFormat', body: () => ({ name: 'Detailed invoice', description: 'Every charge and call itemised' }) },
  { key: 'bf.summary', api: 'accountManagement', resource: 'billFormat', body: () => ({ name: 'Summary invoice', description: 'One line per product' }) },
  { key: 'bpm.email', api: 'accountManagement', resource: 'billPresentationMedia', body: () => ({ name: 'Email (PDF)', description: 'The bill as a PDF attached to an email' }) },
  { key: 'bpm.portal', api: 'accountManagement', resource: 'billPresentationMedia', body: () => ({ name: 'Self-service portal', description: 'The bill published in the customer portal' }) },
  { key: 'bpm.paper', api: 'accountManagement', resource: 'billPresentationMedia', body: () => ({ name: 'Paper', description: 'The bill printed and posted' }) },

  billingAccount('ba.jane', 'Jane Doe — home', 'ind.jane', 'Individual', 'bcs.monthly1', 'bpm.email'),
  billingAccount('ba.ravi', 'Ravi Kumar — mobile', 'ind.ravi', 'Individual', 'bcs.monthly15', 'bpm.portal'),
  billingAccount('ba.acme', 'Acme Logistics — head office', 'org.acme', 'Organization', 'bcs.monthly1', 'bpm.paper'),
  billingAccount('ba.nordwind', 'Nordwind Bakery', 'org.nordwind', 'Organization', 'bcs.monthly1', 'bpm.email'),
  {
    key: 'pa.acme', api: 'accountManagement', resource: 'partyAccount',
    body: (r) => ({ name: 'Acme Logistics — group', accountType: 'business', relatedParty: [owner(r, 'org.acme', 'Organization')], creditLimit: { unit: 'EUR', value: 20000 } }),
  },
  {
    key: 'fa.acme', api: 'accountManagement', resource: 'financialAccount',
    body: (r) => ({ name: 'Acme Logistics — receivables', accountType: 'receivable', relatedParty: [owner(r, 'org.acme', 'Organization')], creditLimit: { unit: 'EUR', value: 20000 } }),
  },
  {
    key: 'sa.skyline', api: 'accountManagement', resource: 'settlementAccount',
    body: (r) => ({ name: 'Skyline Mobile — wholesale settlement', accountType: 'wholesale', relatedParty: [owner(r, 'org.skyline', 'Organization')] }),
  },
];

/** Links that point forward: customers to their accounts. */
export const partyLinks: DemoLink[] = [
  { key: 'cust.jane', patch: (r) => ({ account: [{ ...r.ref('ba.jane'), '@referredType': 'BillingAccount' }] }) },
  { key: 'cust.ravi', patch: (r) => ({ account: [{ ...r.ref('ba.ravi'), '@referredType': 'BillingAccount' }] }) },
  { key: 'cust.acme', patch: (r) => ({ account: [{ ...r.ref('ba.acme'), '@referredType': 'BillingAccount' }, { ...r.ref('pa.acme'), '@referredType': 'PartyAccount' }] }) },
  { key: 'cust.nordwind', patch: (r) => ({ account: [{ ...r.ref('ba.nordwind'), '@referredType': 'BillingAccount' }] }) },
];
