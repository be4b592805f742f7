/**
 * The catalog APIs (TMF620 product, TMF633 service, TMF634 resource) as the
 * console reads them, and the catalog lifecycle the server enforces.
 */

export const PRODUCT = '/tmf-api/productCatalogManagement/v4';
export const SERVICE = '/tmf-api/serviceCatalogManagement/v4';
export const RESOURCE = '/tmf-api/resourceCatalog/v4';

export interface Ref {
  id: string;
  href?: string;
  name?: string;
  '@referredType'?: string;
  relationshipType?: string;
}

export interface Money {
  unit: string;
  value: number;
}

export interface CharValue {
  value?: unknown;
  valueType?: string;
  unitOfMeasure?: string;
  isDefault?: boolean;
  /** A range instead of a value (e.g. a VLAN id from 2 to 4094). */
  valueFrom?: number;
  valueTo?: number;
}

export interface CharSpec {
  id?: string;
  name: string;
  valueType?: string;
  description?: string;
  configurable?: boolean;
  minCardinality?: number;
  maxCardinality?: number;
  productSpecCharacteristicValue?: CharValue[];
  characteristicValueSpecification?: CharValue[];
  resourceSpecCharacteristicValue?: CharValue[];
}

interface CatalogItem {
  id: string;
  href?: string;
  name: string;
  description?: string;
  version?: string;
  lifecycleStatus: string;
  lastUpdate?: string;
  validFor?: { startDateTime?: string; endDateTime?: string };
  '@type'?: string;
}

export interface Price extends CatalogItem {
  priceType?: string;
  recurringChargePeriodType?: string;
  recurringChargePeriodLength?: number;
  price?: Money | { taxIncludedAmount?: Money; dutyFreeAmount?: Money; percentage?: number };
  unitOfMeasure?: { amount?: number; units?: string };
  tax?: { taxCategory?: string; taxRate?: number }[];
  isBundle?: boolean;
}

export interface Offering extends CatalogItem {
  isBundle?: boolean;
  isSellable?: boolean;
  statusReason?: string;
  productSpecification?: Ref;
  productOfferingPrice?: (Ref & Partial<Price>)[];
  category?: Ref[];
  channel?: Ref[];
  prodSpecCharValueUse?: { name: string; productSpecCharacteristicValue?: CharValue[] }[];
  bundledProductOffering?: Ref[];
}

export interface ProductSpec extends CatalogItem {
  brand?: string;
  isBundle?: boolean;
  serviceSpecification?: Ref[];
  resourceSpecification?: Ref[];
  productSpecCharacteristic?: CharSpec[];
  productSpecificationRelationship?: Ref[];
  bundledProductSpecification?: Ref[];
}

export interface ServiceSpec extends CatalogItem {
  resourceSpecification?: Ref[];
  serviceSpecRelationship?: Ref[];
  specCharacteristic?: CharSpec[];
}

export interface ResourceSpec extends CatalogItem {
  category?: string;
  resourceSpecCharacteristic?: CharSpec[];
  resourceSpecRelationship?: Ref[];
}

export interface Catalog extends CatalogItem {
  catalogType?: string;
  category?: Ref[];
}

export interface Category extends CatalogItem {
  isRoot?: boolean;
  parentId?: string;
  subCategory?: Ref[];
  productOffering?: Ref[];
}

/**
 * The catalog lifecycle (TMF620/633/634 lifecycleStatus), as the server's
 * catalogLifecycle in @operon/tmf defines it; a browser test checks the two agree.
 */
export const CATALOG_TRANSITIONS: Readonly<Record<string, readonly string[]>> = {
  'In study': ['In design', 'Rejected'],
  'In design': ['In test', 'In study', 'Rejected'],
  'In test': ['Active', 'In design', 'Rejected'],
  Active: ['Launched', 'Retired'],
  Launched: ['Retired'],
  Retired: ['Obsolete'],
  Obsolete: [],
  Rejected: [],
};
export const CATALOG_CREATABLE = ['In study', 'In design'] as const;
export const CATALOG_STATES = Object.keys(CATALOG_TRANSITIONS);

/** What the button moving to a state says. */
export function transitionLabel(to: string): string {
  switch (to) {
    case 'Launched': return 'Launch';
    case 'Retired': return 'Retire';
    case 'Rejected': return 'Reject';
    case 'Obsolete': return 'Make obsolete';
    case 'Active': return 'Approve (Active)';
    default: return `Move to ${to}`;
  }
}

function money(m: Money | undefined): string | null {
  return m && typeof m.value === 'number' ? `${m.value.toFixed(2)} ${m.unit}` : null;
}

/** A price in words: "29.99 EUR per month", "49.00 EUR once", "0.10 EUR per GB". */
export function priceText(p: Partial<Price>): string {
  const v = p.price;
  let amount: string | null = null;
  if (v && 'value' in v) amount = money(v);
  else if (v) amount = money(v.taxIncludedAmount) ?? money(v.dutyFreeAmount) ?? (typeof v.percentage === 'number' ? `${v.percentage}%` : null);
  amount ??= '—';
  switch (p.priceType) {
    case 'recurring': {
      const n = p.recurringChargePeriodLength ?? 1;
      return `${amount} per ${n === 1 ? '' : `${n} `}${p.recurringChargePeriodType ?? 'period'}${n === 1 ? '' : 's'}`;
    }
    case 'oneTime': return `${amount} once`;
    case 'usage': return `${amount} per ${p.unitOfMeasure?.units ?? 'unit'}`;
    default: return p.priceType ? `${amount} (${p.priceType})` : amount;
  }
}

export function charValues(c: CharSpec): string {
  const values = c.productSpecCharacteristicValue ?? c.characteristicValueSpecification ?? c.resourceSpecCharacteristicValue ?? [];
  return values.map((v) => `${String(v.value)}${v.unitOfMeasure ? ` ${v.unitOfMeasure}` : ''}${v.isDefault ? ' (default)' : ''}`).join(', ');
}

export type SpecKind = 'productSpecification' | 'serviceSpecification' | 'resourceSpecification';
export const SPEC_KINDS: Record<SpecKind, { base: string; title: string; api: string; area: string }> = {
  productSpecification: { base: PRODUCT, title: 'Product specification', api: 'TMF620', area: 'productCatalogManagement' },
  serviceSpecification: { base: SERVICE, title: 'Service specification', api: 'TMF633', area: 'serviceCatalogManagement' },
  resourceSpecification: { base: RESOURCE, title: 'Resource specification', api: 'TMF634', area: 'resourceCatalog' },
};
export function isSpecKind(k: string): k is SpecKind {
  return k in SPEC_KINDS;
}
