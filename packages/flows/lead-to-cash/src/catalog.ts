/**
 * What the flow reads from the three catalogs, and the decomposition of an
 * offering into what delivers it — driven by catalog data only:
 * offering → productSpecification → serviceSpecification (customer-facing) →
 * serviceSpecRelationship (resource-facing) → resourceSpecification. Which
 * pool serves a resource specification is data too: the pool names it
 * (`resourcePool.resourceSpecification`).
 */
import { unprocessable } from '@operon/kernel';
import type { Queryable } from '@operon/store';
import { IN_USE, allowedBy, catalogJson, type ComponentRuntime, type Doc, type ResourceService } from '@operon/tmf';

const { isObject, listOf, str } = catalogJson;

export const CATALOG_APIS = {
  product: 'productCatalogManagement',
  service: 'serviceCatalogManagement',
  resource: 'resourceCatalog',
} as const;

/**
 * Characteristics that steer the simulated network (see @operon/activation
 * CONTROL_CHARACTERISTICS): accepted on any order item and passed to every
 * activation of the item, never checked against a specification.
 */
export const CONTROL_CHARACTERISTICS: ReadonlySet<string> = new Set(['simulateFailure', 'simulateLatencyMs']);

export interface NameValue {
  name: string;
  value: unknown;
  valueType?: string;
}

/** One resource a resource-facing service needs, allocated from the pools serving its specification. */
export interface ResourcePlan {
  key: string;
  specId: string;
  specName: string;
}

export interface RfsPlan {
  key: string;
  specId: string;
  specName: string;
  characteristics: NameValue[];
  resources: ResourcePlan[];
}

export interface CfsPlan {
  key: string;
  specId: string;
  specName: string;
  characteristics: NameValue[];
  rfs: RfsPlan[];
}

/** What one offering decomposes into. */
export interface Decomposition {
  offering: Doc;
  productSpecification: Doc;
  cfs: CfsPlan[];
}

/** Reads catalog entities through the components' services (no component is imported). */
export class Catalogs {
  constructor(readonly runtime: Pick<ComponentRuntime, 'services' | 'db'>) {}

  private svc(api: string, resource: string): ResourceService {
    const s = this.runtime.services.get(api)?.get(resource);
    if (!s) throw new Error(`the ${api} API (${resource}) is not mounted: the lead-to-cash flow needs it`);
    return s;
  }

  offering(id: string, q: Queryable = this.runtime.db): Promise<Doc | undefined> {
    return this.svc(CATALOG_APIS.product, 'productOffering').find(id, q);
  }
  productSpecification(id: string, q: Queryable = this.runtime.db): Promise<Doc | undefined> {
    return this.svc(CATALOG_APIS.product, 'productSpecification').find(id, q);
  }
  productOfferingPrice(id: string, q: Queryable = this.runtime.db): Promise<Doc | undefined> {
    return this.svc(CATALOG_APIS.product, 'productOfferingPrice').find(id, q);
  }
  serviceSpecification(id: string, q: Queryable = this.runtime.db): Promise<Doc | undefined> {
    return this.svc(CATALOG_APIS.service, 'serviceSpecification').find(id, q);
  }
  resourceSpecification(id: string, q: Queryable = this.runtime.db): Promise<Doc | undefined> {
    return this.svc(CATALOG_APIS.resource, 'resourceSpecification').find(id, q);
  }

  /** Launched, inside its validity period. */
  static sellable(offering: Doc, now = Date.now()): string | undefined {
    const status = str(offering['lifecycleStatus']);
    if (status !== 'Launched') return `product offering ${String(offering['id'])} is '${status ?? 'without status'}', not Launched`;
    const v = offering['validFor'];
    if (isObject(v)) {
      const start = str(v['startDateTime']);
      const end = str(v['endDateTime']);
      if (start && Date.parse(start) > now) return `product offering ${String(offering['id'])} is sold from ${start}`;
      if (end && Date.parse(end) < now) return `product offering ${String(offering['id'])} was sold until ${end}`;
    }
    return undefined;
  }

  /**
   * The decomposition of an offering (CFS → RFS → resource specifications),
   * each level read from the catalog. `keyPrefix` names the instances
   * (`<prefix>/cfs0/rfs1/res0`); `characteristics` are the product's, given to
   * every service whose specification has a characteristic of that name.
   * Throws a 422 naming what is missing from the catalog.
   */
  async decompose(offeringId: string, keyPrefix: string, characteristics: readonly NameValue[], q: Queryable = this.runtime.db): Promise<Decomposition> {
    const offering = await this.offering(offeringId, q);
    if (!offering) throw unprocessable(`product offering ${offeringId} is not in the product catalog`, 'productOffering.id');
    const specId = catalogJson.idOf(offering['productSpecification']);
    if (!specId) throw unprocessable(`product offering ${offeringId} names no productSpecification: nothing says how to deliver it`, 'productOffering.id');
    const productSpecification = await this.productSpecification(specId, q);
    if (!productSpecification) throw unprocessable(`product specification ${specId} of offering ${offeringId} is not in the product catalog`, 'productOffering.id');
    const cfs: CfsPlan[] = [];
    for (const [i, ref] of listOf(productSpecification['serviceSpecification']).entries()) {
      const id = str(ref['id']);
      if (!id) continue;
      const spec = await this.serviceSpecification(id, q);
      if (!spec) throw unprocessable(`service specification ${id} (of product specification ${specId}) is not in the service catalog`, 'productOffering.id');
      const key = `${keyPrefix}/cfs${i}`;
      const rfs: RfsPlan[] = [];
      // a CFS is realised by the RFS it relates to; a plain specification with resources realises itself
      const rels = listOf(spec['serviceSpecRelationship']);
      const targets: Array<{ spec: Doc; at: string }> = [];
      for (const [j, rel] of rels.entries()) {
        const rid = str(rel['id']);
        if (!rid) continue;
        const r = await this.serviceSpecification(rid, q);
        if (!r) throw unprocessable(`service specification ${rid} (related to ${id}) is not in the service catalog`, 'productOffering.id');
        targets.push({ spec: r, at: `${key}/rfs${j}` });
      }
      if (targets.length === 0 && listOf(spec['resourceSpecification']).length > 0) targets.push({ spec, at: `${key}/rfs0` });
      for (const t of targets) {
        const resources: ResourcePlan[] = [];
        for (const [k, res] of listOf(t.spec['resourceSpecification']).entries()) {
          const resId = str(res['id']);
          if (!resId) continue;
          const found = await this.resourceSpecification(resId, q);
          resources.push({ key: `${t.at}/res${k}`, specId: resId, specName: str(found?.['name']) ?? str(res['name']) ?? resId });
        }
        rfs.push({ key: t.at, specId: String(t.spec['id']), specName: str(t.spec['name']) ?? String(t.spec['id']), characteristics: forSpec(t.spec, characteristics), resources });
      }
      cfs.push({ key, specId: id, specName: str(spec['name']) ?? id, characteristics: forSpec(spec, characteristics), rfs });
    }
    return { offering, productSpecification, cfs };
  }

  /** The offering's prices, as the catalog states them (referenced prices read, inline ones as they are). */
  async offeringPrices(offering: Doc, q: Queryable = this.runtime.db): Promise<CatalogPrice[]> {
    const out: CatalogPrice[] = [];
    for (const p of listOf(offering['productOfferingPrice'])) {
      const id = str(p['id']);
      const doc = id ? await this.productOfferingPrice(id, q) : undefined;
      const src = doc ?? p;
      if (doc && !IN_USE.includes(str(doc['lifecycleStatus']) ?? '')) continue;
      const priceType = str(src['priceType']);
      if (!priceType) continue;
      out.push(catalogPrice(src, priceType, id ? { id, ...(str(src['name']) ? { name: str(src['name'])! } : {}) } : undefined));
    }
    return out;
  }
}

/** A price as the flow uses it (quote, order check, product inventory). */
export interface CatalogPrice {
  name?: string;
  priceType: string;
  recurringChargePeriod?: string;
  unitOfMeasure?: string;
  price: { dutyFreeAmount?: { unit: string; value: number }; taxIncludedAmount?: { unit: string; value: number }; taxRate?: number };
  productOfferingPrice?: { id: string; name?: string };
}

function money(v: unknown): { unit: string; value: number } | undefined {
  return isObject(v) && typeof v['value'] === 'number' && typeof v['unit'] === 'string' ? { unit: v['unit'], value: v['value'] } : undefined;
}

/**
 * A ProductOfferingPrice (or an inline offering price) as a price: TMF620 v4.1
 * gives `price` as a Money, taken as the duty-free amount when a tax rate says
 * how to add the tax, else as the amount charged; v5-style prices give both.
 */
function catalogPrice(src: Doc, priceType: string, ref: { id: string; name?: string } | undefined): CatalogPrice {
  const p = src['price'];
  const taxRate = listOf(src['tax']).map((t) => t['taxRate']).find((r) => typeof r === 'number') as number | undefined
    ?? (isObject(p) && typeof p['taxRate'] === 'number' ? p['taxRate'] : undefined);
  const price: CatalogPrice['price'] = {};
  const plain = money(p);
  if (plain) {
    if (taxRate !== undefined) price.dutyFreeAmount = plain;
    else price.taxIncludedAmount = plain;
  } else if (isObject(p)) {
    const incl = money(p['taxIncludedAmount']);
    const free = money(p['dutyFreeAmount']);
    if (incl) price.taxIncludedAmount = incl;
    if (free) price.dutyFreeAmount = free;
  }
  if (taxRate !== undefined) {
    price.taxRate = taxRate;
    const cents = (v: number) => Math.round(v * 100) / 100;
    if (price.dutyFreeAmount && !price.taxIncludedAmount) price.taxIncludedAmount = { unit: price.dutyFreeAmount.unit, value: cents(price.dutyFreeAmount.value * (1 + taxRate / 100)) };
    if (price.taxIncludedAmount && !price.dutyFreeAmount) price.dutyFreeAmount = { unit: price.taxIncludedAmount.unit, value: cents(price.taxIncludedAmount.value / (1 + taxRate / 100)) };
  }
  const period = str(src['recurringChargePeriodType']) ?? str(src['recurringChargePeriod']);
  const uom = src['unitOfMeasure'];
  const units = isObject(uom) ? str(uom['units']) : str(uom);
  return {
    ...(str(src['name']) ? { name: str(src['name'])! } : {}),
    priceType,
    ...(period ? { recurringChargePeriod: period } : {}),
    ...(units ? { unitOfMeasure: units } : {}),
    price,
    ...(ref ? { productOfferingPrice: ref } : {}),
  };
}

/** The product characteristics a service specification has (by name), plus the control ones. */
export function forSpec(spec: Doc, characteristics: readonly NameValue[]): NameValue[] {
  const names = new Set(listOf(spec['specCharacteristic']).map((c) => str(c['name'])).filter((n): n is string => n !== undefined));
  return characteristics.filter((c) => names.has(c.name)).map((c) => ({ ...c }));
}

/** The characteristics of an order or quote item's product, as name/value pairs. */
export function characteristicsOf(product: unknown): NameValue[] {
  if (!isObject(product)) return [];
  return listOf(product['productCharacteristic'])
    .filter((c) => typeof c['name'] === 'string')
    .map((c) => ({ name: String(c['name']), value: c['value'], ...(typeof c['valueType'] === 'string' ? { valueType: c['valueType'] } : {}) }));
}

/**
 * Checks the characteristics of an item against its product specification:
 * each one the specification defines, with a value it allows; those the
 * specification makes mandatory (minCardinality ≥ 1) present. Control
 * characteristics are left out. Returns the problems found.
 */
export function characteristicProblems(spec: Doc, given: readonly NameValue[]): Array<{ name: string; message: string }> {
  const defs = listOf(spec['productSpecCharacteristic']);
  const out: Array<{ name: string; message: string }> = [];
  for (const c of given) {
    if (CONTROL_CHARACTERISTICS.has(c.name)) continue;
    const def = defs.find((d) => d['name'] === c.name);
    if (!def) {
      out.push({ name: c.name, message: `product specification ${String(spec['id'])} has no characteristic '${c.name}'` });
      continue;
    }
    if (!allowedBy(def, c.value, 'productSpecCharacteristicValue')) {
      const allowed = listOf(def['productSpecCharacteristicValue']).map((v) => JSON.stringify(v['value'] ?? `${String(v['valueFrom'])}..${String(v['valueTo'])}`));
      out.push({ name: c.name, message: `${JSON.stringify(c.value)} is not a value of characteristic '${c.name}' (allowed: ${allowed.join(', ')})` });
    }
  }
  for (const d of defs) {
    const name = str(d['name']);
    if (!name || !(typeof d['minCardinality'] === 'number' && d['minCardinality'] >= 1)) continue;
    if (given.some((c) => c.name === name)) continue;
    const hasDefault = listOf(d['productSpecCharacteristicValue']).some((v) => v['isDefault'] === true);
    if (!hasDefault) out.push({ name, message: `characteristic '${name}' is mandatory for product specification ${String(spec['id'])}` });
  }
  return out;
}

/**
 * The characteristics a new product has: those given, completed with the
 * specification's defaults for the ones not given.
 */
export function withDefaults(spec: Doc, given: readonly NameValue[]): NameValue[] {
  const out = given.map((c) => ({ ...c }));
  for (const d of listOf(spec['productSpecCharacteristic'])) {
    const name = str(d['name']);
    if (!name || out.some((c) => c.name === name)) continue;
    const dflt = listOf(d['productSpecCharacteristicValue']).find((v) => v['isDefault'] === true);
    if (dflt && dflt['value'] !== undefined) out.push({ name, value: dflt['value'], ...(str(d['valueType']) ? { valueType: str(d['valueType'])! } : {}) });
  }
  return out;
}

