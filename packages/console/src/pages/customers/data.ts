/** Shapes the customer pages read: TMF629 customers, TMF632 parties, TMF666 accounts, TMF637 products, TMF622 orders. */

export const CUSTOMER = '/tmf-api/customerManagement/v4';
export const PARTY = '/tmf-api/party/v4';
export const ACCOUNT = '/tmf-api/accountManagement/v4';
export const INVENTORY = '/tmf-api/productInventory/v4';
export const ORDERING = '/tmf-api/productOrderingManagement/v4';

export interface PartyRef {
  id: string;
  href?: string;
  name?: string;
  role?: string;
  '@referredType'?: string;
}

export interface ContactMedium {
  mediumType?: string;
  preferred?: boolean;
  characteristic?: { contactType?: string; emailAddress?: string; phoneNumber?: string; street1?: string; city?: string; postCode?: string; country?: string };
}

export interface Customer {
  id: string;
  href?: string;
  name?: string;
  status?: string;
  statusReason?: string;
  engagedParty: PartyRef;
  account?: PartyRef[];
  contactMedium?: ContactMedium[];
  validFor?: { startDateTime?: string };
}

export interface Party {
  id: string;
  '@type'?: string;
  status?: string;
  givenName?: string;
  familyName?: string;
  title?: string;
  tradingName?: string;
  name?: string;
  nameType?: string;
  organizationType?: string;
  isLegalEntity?: boolean;
  contactMedium?: ContactMedium[];
}

export interface Account {
  id: string;
  name: string;
  '@type'?: string;
  accountType?: string;
  state?: string;
  paymentStatus?: string;
  creditLimit?: { unit: string; value: number };
  relatedParty?: PartyRef[];
}

export interface Product {
  id: string;
  name?: string;
  status?: string;
  startDate?: string;
  productOffering?: { id: string; name?: string };
  productPrice?: { priceType?: string; price?: { taxIncludedAmount?: { unit: string; value: number } } }[];
}

export interface ProductOrder {
  id: string;
  state?: string;
  orderDate?: string;
  description?: string;
  externalId?: string;
  productOrderItem?: { id: string; action?: string; productOffering?: { id: string; name?: string } }[];
}

export function partyName(p: Party | undefined): string {
  if (!p) return '—';
  if (p.tradingName) return p.tradingName;
  return [p.title, p.givenName, p.familyName].filter(Boolean).join(' ') || p.name || p.id;
}

export function contactText(m: ContactMedium): string {
  const c = m.characteristic ?? {};
  return c.emailAddress ?? c.phoneNumber ?? [c.street1, [c.postCode, c.city].filter(Boolean).join(' '), c.country].filter(Boolean).join(', ');
}

/** Party collection of a reference ('Individual' → individual). */
export function partyCollection(ref: PartyRef): 'individual' | 'organization' {
  return ref['@referredType'] === 'Organization' ? 'organization' : 'individual';
}
