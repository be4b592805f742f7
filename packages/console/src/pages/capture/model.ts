/**
 * The order being captured, step by step, and the TMF documents built from it:
 * the qualification (TMF679), the quote (TMF648) and the product order
 * (TMF622) with the quote's priced items. Pure functions, no requests.
 */
import type { CharSpec, CharValue, Offering as CatalogOffering } from '../catalog/data.ts';
import { list, str, type Characteristic, type Doc, type Price, type Ref } from '../orders/tmf.ts';

export interface CustomerChoice {
  /** TMF629 customer id. */
  customerId: string;
  name: string;
  /** The engaged party (TMF632 individual or organization): the order's related party. */
  party: Ref & { '@referredType': string };
  status?: string;
}

export interface AddressChoice {
  id: string;
  href?: string;
  /** As a person writes it: street number, postcode city. */
  line: string;
  accessArea?: string;
}

/** An offering as the capture reads it (`fields=id,name,description,productSpecification,prodSpecCharValueUse`). */
export type Offering = Pick<CatalogOffering, 'id' | 'productSpecification' | 'prodSpecCharValueUse'> & Partial<Pick<CatalogOffering, 'name' | 'description'>>;

/** A characteristic of the offering's product specification. */
export type SpecCharacteristic = CharSpec;

export interface QualifiedOffering {
  offering: Offering;
  itemId: string;
  qualified: boolean;
  /** Why not, in words, when not qualified. */
  reason?: string;
}

export interface Qualification {
  id: string;
  state?: string;
  offerings: QualifiedOffering[];
}

export interface QuoteItem {
  id: string;
  action: string;
  quantity?: number;
  productOffering?: Ref;
  product?: Doc;
  quoteItemPrice?: Price[];
  productOfferingQualificationItem?: Doc;
}

export interface Quote {
  id: string;
  href?: string;
  state: string;
  quoteDate?: string;
  validFor?: { startDateTime?: string; endDateTime?: string };
  quoteItem: QuoteItem[];
  quoteTotalPrice?: Price[];
}

export interface Draft {
  customer?: CustomerChoice;
  billingAccount?: Ref;
  address?: AddressChoice;
  qualification?: Qualification;
  offering?: Offering;
  characteristics?: Characteristic[];
  quote?: Quote;
}

/** `Lindenallee 12, 10117 Berlin` */
export function addressLine(a: Doc): string {
  const street = [str(a['streetName']), str(a['streetType'])].filter(Boolean).join(' ');
  const nr = [str(a['streetNr']), str(a['streetNrSuffix'])].filter(Boolean).join('');
  const place = [str(a['postcode']), str(a['city'])].filter(Boolean).join(' ');
  return [[street, nr].filter(Boolean).join(' '), place].filter(Boolean).join(', ');
}

export function addressChoice(a: Doc): AddressChoice {
  return {
    id: String(a['id']),
    ...(str(a['href']) ? { href: str(a['href'])! } : {}),
    line: addressLine(a),
    ...(str(a['accessArea']) ? { accessArea: str(a['accessArea'])! } : {}),
  };
}

export function customerParty(c: CustomerChoice): Doc {
  return { id: c.party.id, ...(c.party.name ? { name: c.party.name } : {}), role: 'customer', '@referredType': c.party['@referredType'] };
}

export function installationPlace(a: AddressChoice): Doc {
  return { id: a.id, ...(a.href ? { href: a.href } : {}), role: 'installationAddress', '@referredType': 'GeographicAddress' };
}

export function qualificationBody(customer: CustomerChoice, address: AddressChoice, offerings: readonly Offering[]): Doc {
  return {
    instantSyncQualification: true,
    description: `Offerings available at ${address.line}`,
    relatedParty: [customerParty(customer)],
    place: [installationPlace(address)],
    productOfferingQualificationItem: offerings.map((o, i) => ({ id: String(i + 1), productOffering: { id: o.id, ...(o.name ? { name: o.name } : {}), '@referredType': 'ProductOffering' } })),
  };
}

/** The answer of a qualification, per offering. */
export function qualificationResult(poq: Doc, offerings: readonly Offering[]): Qualification {
  const items = list(poq['productOfferingQualificationItem']);
  return {
    id: String(poq['id']),
    ...(str(poq['state']) ? { state: str(poq['state'])! } : {}),
    offerings: offerings.map((offering, i) => {
      const itemId = String(i + 1);
      const item = items.find((x) => String(x['id']) === itemId);
      const result = str(item?.['qualificationItemResult']);
      const reasons = [
        ...list(item?.['eligibilityUnavailabilityReason']).map((r) => str(r['label']) ?? str(r['code'])),
        ...list(item?.['terminationError']).map((e) => str(e['value'])),
      ].filter((r): r is string => r !== undefined);
      const qualified = result === 'qualified';
      return { offering, itemId, qualified, ...(qualified ? {} : { reason: reasons.join('; ') || (result ? `not available (${result})` : 'not evaluated') }) };
    }),
  };
}

/** The values a characteristic may take for this offering: the offering narrows the specification's. */
export function allowedValues(spec: SpecCharacteristic, offering: Offering | undefined): CharValue[] {
  const given = (v: CharValue) => v.value !== undefined || typeof v.valueFrom === 'number' || typeof v.valueTo === 'number';
  const use = offering?.prodSpecCharValueUse?.find((u) => u.name === spec.name);
  const narrowed = use?.productSpecCharacteristicValue?.filter(given);
  if (narrowed && narrowed.length > 0) return narrowed;
  return (spec.productSpecCharacteristicValue ?? []).filter(given);
}

export function defaultValue(spec: SpecCharacteristic, offering: Offering | undefined, address: AddressChoice | undefined): string {
  const values = allowedValues(spec, offering).filter((v) => v.value !== undefined);
  const d = values.find((v) => v.isDefault) ?? (values.length === 1 ? values[0] : undefined);
  if (d) return String(d.value);
  // a characteristic naming the installation address takes the qualified one
  if (address && /address/i.test(spec.name) && (spec.valueType ?? 'string') === 'string') return address.line;
  return '';
}

export const isRequired = (spec: SpecCharacteristic) => (spec.minCardinality ?? 0) >= 1;

/**
 * The value typed in a form field as the characteristic's type, or why it is
 * not acceptable (the product order validator checks the same rules).
 */
export function parseCharacteristic(spec: SpecCharacteristic, raw: string, offering: Offering | undefined): { value?: unknown; error?: string } {
  const text = raw.trim();
  if (text === '') return isRequired(spec) ? { error: `${spec.name} is required` } : {};
  const type = (spec.valueType ?? 'string').toLowerCase();
  let value: unknown = text;
  if (['integer', 'number', 'float', 'decimal'].includes(type)) {
    const n = Number(text);
    if (!Number.isFinite(n) || (type === 'integer' && !Number.isInteger(n))) return { error: `${spec.name} must be ${type === 'integer' ? 'a whole number' : 'a number'}` };
    value = n;
  } else if (type === 'boolean') {
    if (text !== 'true' && text !== 'false') return { error: `${spec.name} must be yes or no` };
    value = text === 'true';
  }
  const values = allowedValues(spec, offering);
  const exact = values.filter((v) => v.valueFrom === undefined && v.valueTo === undefined);
  const ranges = values.filter((v) => typeof v.valueFrom === 'number' || typeof v.valueTo === 'number');
  if (values.length > 0) {
    const inList = exact.some((v) => v.value === value || String(v.value) === String(value));
    const inRange = typeof value === 'number' && ranges.some((v) => (v.valueFrom === undefined || value >= v.valueFrom!) && (v.valueTo === undefined || value <= v.valueTo!));
    if (!inList && !inRange) {
      const allowed = [...exact.map((v) => String(v.value)), ...ranges.map((v) => `${v.valueFrom ?? '…'} to ${v.valueTo ?? '…'}`)];
      return { error: `${spec.name} must be ${exact.length === 0 && ranges.length === 1 ? 'from ' : 'one of '}${allowed.join(', ')}` };
    }
  }
  return { value };
}

export function quoteBody(d: Required<Pick<Draft, 'customer' | 'address' | 'offering' | 'characteristics'>> & Pick<Draft, 'billingAccount' | 'qualification'>): Doc {
  const item = d.qualification?.offerings.find((o) => o.offering.id === d.offering.id);
  return {
    instantSyncQuote: true,
    description: `${d.offering.name ?? d.offering.id} at ${d.address.line}`,
    relatedParty: [customerParty(d.customer)],
    ...(d.billingAccount ? { billingAccount: [{ id: d.billingAccount.id, ...(d.billingAccount.name ? { name: d.billingAccount.name } : {}), '@referredType': 'BillingAccount' }] } : {}),
    ...(d.qualification ? { productOfferingQualification: [{ id: d.qualification.id, '@referredType': 'ProductOfferingQualification' }] } : {}),
    quoteItem: [{
      id: '1',
      action: 'add',
      quantity: 1,
      productOffering: { id: d.offering.id, ...(d.offering.name ? { name: d.offering.name } : {}), '@referredType': 'ProductOffering' },
      product: {
        '@type': 'Product',
        ...(d.offering.productSpecification ? { productSpecification: { id: d.offering.productSpecification.id, ...(d.offering.productSpecification.name ? { name: d.offering.productSpecification.name } : {}) } } : {}),
        productCharacteristic: d.characteristics.map((c) => ({ name: c.name, value: c.value, ...(c.valueType ? { valueType: c.valueType } : {}) })),
        place: [installationPlace(d.address)],
      },
      ...(item && d.qualification ? { productOfferingQualificationItem: { id: item.itemId, productOfferingQualificationId: d.qualification.id } } : {}),
    }],
  };
}

/** A quote price as an order item price: the same amounts, which the order validator checks against the catalog. */
function orderPrice(p: Price): Doc {
  return {
    ...(p.name ? { name: p.name } : {}),
    ...(p.priceType ? { priceType: p.priceType } : {}),
    ...(p.recurringChargePeriod ? { recurringChargePeriod: p.recurringChargePeriod } : {}),
    ...(p.unitOfMeasure ? { unitOfMeasure: p.unitOfMeasure } : {}),
    ...(p.price ? { price: p.price } : {}),
    ...(p.productOfferingPrice ? { productOfferingPrice: p.productOfferingPrice } : {}),
  };
}

/** The product order: the quote's items with their prices, the customer, the billing account, the place. */
export function orderBody(d: Required<Pick<Draft, 'customer' | 'billingAccount' | 'address' | 'quote'>> & { note?: string }): Doc {
  return {
    description: d.quote.quoteItem.map((i) => i.productOffering?.name ?? i.productOffering?.id).filter(Boolean).join(', ') + ` at ${d.address.line}`,
    relatedParty: [customerParty(d.customer)],
    billingAccount: { id: d.billingAccount.id, ...(d.billingAccount.name ? { name: d.billingAccount.name } : {}), '@referredType': 'BillingAccount' },
    quote: [{ id: d.quote.id, ...(d.quote.href ? { href: d.quote.href } : {}), '@referredType': 'Quote' }],
    ...(d.note ? { note: [{ text: d.note }] } : {}),
    productOrderItem: d.quote.quoteItem.map((qi) => ({
      id: qi.id,
      action: qi.action,
      quantity: qi.quantity ?? 1,
      ...(qi.productOffering ? { productOffering: qi.productOffering } : {}),
      product: { '@type': 'Product', ...(qi.product ?? {}), place: [installationPlace(d.address)] },
      ...(qi.quoteItemPrice && qi.quoteItemPrice.length > 0 ? { itemPrice: qi.quoteItemPrice.map(orderPrice) } : {}),
      quoteItem: { id: qi.id, quoteId: d.quote.id, ...(d.quote.href ? { quoteHref: d.quote.href } : {}) },
      ...(qi.productOfferingQualificationItem ? { productOfferingQualificationItem: qi.productOfferingQualificationItem } : {}),
    })),
  };
}
