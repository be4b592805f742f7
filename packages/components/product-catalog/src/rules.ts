import { badRequest, clock, unprocessable } from '@operon/kernel';
import type { Queryable } from '@operon/store';
import { IN_USE, allowedBy, catalogJson, checkCharacteristic, checkCharacteristics, checkTimePeriods, refuseIfUsed, usersOf, type Doc } from '@operon/tmf';

/*
 * Business rules of the product catalog. Three kinds:
 *  - structural rules, checked on every write (vocabularies, amounts, periods, self-references);
 *  - completeness rules, checked once an entity leaves design (In test, Active, Launched): what
 *    must be known before a price or specification can be tested and sold;
 *  - reference rules, checked when an offering is launched: what it sells must exist here and be
 *    approved. References to unknown ids are otherwise accepted, since TMF APIs are federated.
 */

export type { Doc };

export const TABLES = {
  catalog: 'product_catalog_catalog',
  category: 'product_catalog_category',
  offering: 'product_catalog_offering',
  price: 'product_catalog_offering_price',
  specification: 'product_catalog_specification',
  importJob: 'product_catalog_import_job',
  exportJob: 'product_catalog_export_job',
  exportFile: 'product_catalog_export_file',
} as const;

/** States in which an entity has left design and must be complete. */
const COMPLETE_STATES = new Set(['In test', 'Active', 'Launched']);
/** States in which a specification or price may be sold by a launched offering: in use. */
const SELLABLE_STATES = IN_USE;

export const PRICE_TYPES = ['recurring', 'oneTime', 'usage', 'discount', 'allowance', 'penalty'] as const;
export const PERIOD_TYPES = ['hour', 'day', 'week', 'month', 'year'] as const;
const ALTERATION_TYPES = new Set(['discount', 'allowance']);
const CURRENCY = /^[A-Z]{3}$/;

const { isObject, listOf: items, idOf } = catalogJson;
const stateOf = (doc: Doc) => String(doc['lifecycleStatus'] ?? '');
const hasValue = (m: unknown) => isObject(m) && typeof m['value'] === 'number';

export const isComplete = (doc: Doc) => COMPLETE_STATES.has(stateOf(doc));

// --- structural rules -----------------------------------------------------------------------

/** An amount of money is never negative and always says which currency it is in. */
export function checkMoney(m: unknown, field: string): void {
  if (!isObject(m)) return;
  const value = m['value'];
  if (typeof value === 'number' && (value < 0 || !Number.isFinite(value))) {
    throw badRequest(`${field}.value must be a non-negative amount, got ${value}`, `${field}.value`);
  }
  const unit = m['unit'];
  if (unit === undefined) {
    if (value !== undefined) throw badRequest(`${field}.unit is required: an amount needs its currency (ISO 4217 code, e.g. EUR)`, `${field}.unit`);
    return;
  }
  if (typeof unit !== 'string' || !CURRENCY.test(unit)) {
    throw badRequest(`${field}.unit must be an ISO 4217 currency code of three capital letters (e.g. EUR), got '${String(unit)}'`, `${field}.unit`);
  }
}

function checkPercentage(v: unknown, field: string): void {
  if (typeof v === 'number' && (v < 0 || v > 100)) throw badRequest(`${field} must be between 0 and 100, got ${v}`, field);
}

function checkRate(v: unknown, field: string): void {
  if (typeof v === 'number' && v < 0) throw badRequest(`${field} must not be negative, got ${v}`, field);
}

export function checkPriceType(v: unknown, field: string): void {
  if (v === undefined) return;
  if (typeof v !== 'string' || !(PRICE_TYPES as readonly string[]).includes(v)) {
    throw badRequest(`${field} '${String(v)}' is not a price type; use one of: ${PRICE_TYPES.join(', ')}`, field);
  }
}

function checkPeriodType(v: unknown, field: string): void {
  if (v === undefined) return;
  if (typeof v !== 'string' || !(PERIOD_TYPES as readonly string[]).includes(v)) {
    throw badRequest(`${field} '${String(v)}' is not a charge period; use one of: ${PERIOD_TYPES.join(', ')}`, field);
  }
}

function checkPeriodLength(doc: Doc, key: string, recurring: boolean): void {
  const n = doc[key];
  if (typeof n !== 'number') return;
  if (n < 0) throw badRequest(`${key} must not be negative, got ${n}`, key);
  if (recurring && n === 0) throw badRequest(`${key} of a recurring price must be at least 1`, key);
}

function checkNoSelfReference(doc: Doc, key: string, what: string): void {
  items(doc[key]).forEach((r, i) => {
    if (r['id'] !== undefined && r['id'] === doc['id']) throw unprocessable(`${key}[${i}]: a ${what} cannot refer to itself`, `${key}[${i}].id`);
  });
}

/** `bundledX` lists are for bundles only, so that `isBundle` can be trusted by order capture. */
function checkBundleFlag(doc: Doc, key: string, what: string): void {
  if (items(doc[key]).length > 0 && doc['isBundle'] !== true) {
    throw unprocessable(`${key} is only allowed on a bundle; set isBundle to true for this ${what}`, 'isBundle');
  }
}

function checkTaxes(doc: Doc): void {
  items(doc['tax']).forEach((t, i) => {
    checkRate(t['taxRate'], `tax[${i}].taxRate`);
    checkMoney(t['taxAmount'], `tax[${i}].taxAmount`);
  });
}

/** Amounts of a price given with and without tax (ProductPriceValue). */
function checkPriceValue(v: unknown, field: string): void {
  if (!isObject(v)) return;
  const incl = v['taxIncludedAmount'];
  const free = v['dutyFreeAmount'];
  checkMoney(incl, `${field}.taxIncludedAmount`);
  checkMoney(free, `${field}.dutyFreeAmount`);
  checkPercentage(v['percentage'], `${field}.percentage`);
  checkRate(v['taxRate'], `${field}.taxRate`);
  if (hasValue(incl) && hasValue(free)) {
    const [a, b] = [incl as Doc, free as Doc];
    if (a['unit'] !== b['unit']) throw unprocessable(`${field}.taxIncludedAmount and ${field}.dutyFreeAmount must be in the same currency`, `${field}.dutyFreeAmount.unit`);
    if ((a['value'] as number) < (b['value'] as number)) throw unprocessable(`${field}.taxIncludedAmount is smaller than ${field}.dutyFreeAmount`, `${field}.taxIncludedAmount.value`);
  }
}

/**
 * `ProductOfferingPrice.price` is a Money in TMF620 v4.1; clients used to v5 (and to this API's
 * inline prices) give it with and without tax instead. Both are accepted and checked.
 */
function checkPriceAmount(v: unknown, field: string): void {
  checkMoney(v, field);
  checkPriceValue(v, field);
}

const hasAnyAmount = (v: unknown) => hasValue(v) || (isObject(v) && (hasValue(v['taxIncludedAmount']) || hasValue(v['dutyFreeAmount'])));

// --- characteristics ------------------------------------------------------------------------

/** TMF620 answers a malformed characteristic attribute 400, as it does schema errors. */
const CHARACTERISTIC = { valuesKey: 'productSpecCharacteristicValue', malformed: 'badRequest' } as const;

function checkCharValueUses(doc: Doc): void {
  items(doc['prodSpecCharValueUse']).forEach((u, i) => {
    const field = `prodSpecCharValueUse[${i}]`;
    if (typeof u['name'] !== 'string' && typeof u['id'] !== 'string') {
      throw badRequest(`${field}.name is required: it names the characteristic of the product specification`, `${field}.name`);
    }
    checkCharacteristic(u, field, CHARACTERISTIC);
  });
}

// --- per resource: structural and completeness rules ------------------------------------------

export function checkSpecification(doc: Doc): void {
  checkTimePeriods(doc);
  checkCharacteristics(doc['productSpecCharacteristic'], 'productSpecCharacteristic', CHARACTERISTIC);
  checkBundleFlag(doc, 'bundledProductSpecification', 'product specification');
  checkNoSelfReference(doc, 'bundledProductSpecification', 'product specification');
  checkNoSelfReference(doc, 'productSpecificationRelationship', 'product specification');
  if (isComplete(doc) && doc['isBundle'] === true && items(doc['bundledProductSpecification']).length === 0) {
    throw unprocessable(`a bundle specification must list its bundledProductSpecification before it goes to '${stateOf(doc)}'`, 'bundledProductSpecification');
  }
}

interface PriceShape {
  priceType: unknown;
  period: unknown;
  periodField: string;
  hasAmount: boolean;
  amountField: string;
  hasPercentage: boolean;
  unitOfMeasure: unknown;
}

/** What a price must say before it can be charged: its kind, amount, period or unit. */
function checkPriceComplete(p: PriceShape, prefix: string, when: string): void {
  const at = (f: string) => (prefix ? `${prefix}.${f}` : f);
  if (p.priceType === undefined) throw unprocessable(`${at('priceType')} is required ${when}`, at('priceType'));
  if (p.priceType === 'recurring' && p.period === undefined) {
    throw unprocessable(`${at(p.periodField)} is required for a recurring price ${when}`, at(p.periodField));
  }
  if (p.priceType === 'usage') {
    const u = p.unitOfMeasure;
    if (!isObject(u) || typeof u['units'] !== 'string') {
      throw unprocessable(`${at('unitOfMeasure.units')} is required for a usage price ${when}: it says what is charged per (GB, minute, SMS…)`, at('unitOfMeasure.units'));
    }
  }
  const alteration = ALTERATION_TYPES.has(String(p.priceType));
  if (!p.hasAmount && !(alteration && p.hasPercentage)) {
    throw unprocessable(`${at(p.amountField)} is required ${when}${alteration ? ' (or a percentage)' : ''}`, at(p.amountField));
  }
}

export function checkPrice(doc: Doc): void {
  checkTimePeriods(doc);
  checkPriceType(doc['priceType'], 'priceType');
  const recurring = doc['priceType'] === 'recurring';
  checkPeriodType(doc['recurringChargePeriodType'], 'recurringChargePeriodType');
  checkPeriodLength(doc, 'recurringChargePeriodLength', recurring);
  checkPriceAmount(doc['price'], 'price');
  checkPercentage(doc['percentage'], 'percentage');
  checkTaxes(doc);
  checkCharValueUses(doc);
  checkBundleFlag(doc, 'bundledPopRelationship', 'price');
  checkNoSelfReference(doc, 'bundledPopRelationship', 'price');
  checkNoSelfReference(doc, 'popRelationship', 'price');
  if (doc['isBundle'] !== true && doc['priceType'] === undefined) {
    throw badRequest('priceType is required for a price that is not a bundle', 'priceType');
  }
  if (!isComplete(doc)) return;
  const when = `before the price goes to '${stateOf(doc)}'`;
  if (doc['isBundle'] === true) {
    if (items(doc['bundledPopRelationship']).length === 0) throw unprocessable(`a bundle price must list its bundledPopRelationship ${when}`, 'bundledPopRelationship');
    return;
  }
  checkPriceComplete(
    {
      priceType: doc['priceType'], period: doc['recurringChargePeriodType'], periodField: 'recurringChargePeriodType',
      hasAmount: hasAnyAmount(doc['price']), amountField: 'price.value', hasPercentage: typeof doc['percentage'] === 'number',
      unitOfMeasure: doc['unitOfMeasure'],
    },
    '',
    when,
  );
}

function checkInlinePrice(p: Doc, field: string): void {
  checkPriceType(p['priceType'], `${field}.priceType`);
  checkPeriodType(p['recurringChargePeriod'], `${field}.recurringChargePeriod`);
  const n = p['recurringChargePeriodLength'];
  if (typeof n === 'number' && n < 0) throw badRequest(`${field}.recurringChargePeriodLength must not be negative`, `${field}.recurringChargePeriodLength`);
  checkPriceValue(p['price'], `${field}.price`);
  items(p['priceAlteration']).forEach((a, j) => {
    const af = `${field}.priceAlteration[${j}]`;
    checkPriceType(a['priceType'], `${af}.priceType`);
    checkPeriodType(a['recurringChargePeriod'], `${af}.recurringChargePeriod`);
    checkPriceValue(a['price'], `${af}.price`);
  });
}

export function checkOffering(doc: Doc): void {
  checkTimePeriods(doc);
  items(doc['productOfferingPrice']).forEach((p, i) => checkInlinePrice(p, `productOfferingPrice[${i}]`));
  checkCharValueUses(doc);
  checkBundleFlag(doc, 'bundledProductOffering', 'product offering');
  checkNoSelfReference(doc, 'bundledProductOffering', 'product offering');
  checkNoSelfReference(doc, 'productOfferingRelationship', 'product offering');
  items(doc['bundledProductOffering']).forEach((b, i) => {
    const o = b['bundledProductOfferingOption'];
    if (!isObject(o)) return;
    const field = `bundledProductOffering[${i}].bundledProductOfferingOption`;
    const lower = o['numberRelOfferLowerLimit'];
    const upper = o['numberRelOfferUpperLimit'];
    const dflt = o['numberRelOfferDefault'];
    for (const [k, v] of Object.entries({ numberRelOfferLowerLimit: lower, numberRelOfferUpperLimit: upper, numberRelOfferDefault: dflt })) {
      if (typeof v === 'number' && v < 0) throw badRequest(`${field}.${k} must not be negative`, `${field}.${k}`);
    }
    if (typeof lower === 'number' && typeof upper === 'number' && upper < lower) {
      throw unprocessable(`${field}: numberRelOfferUpperLimit (${upper}) is smaller than numberRelOfferLowerLimit (${lower})`, `${field}.numberRelOfferUpperLimit`);
    }
    if (typeof dflt === 'number' && ((typeof lower === 'number' && dflt < lower) || (typeof upper === 'number' && dflt > upper))) {
      throw unprocessable(`${field}: numberRelOfferDefault (${dflt}) is outside the lower and upper limits`, `${field}.numberRelOfferDefault`);
    }
  });
  items(doc['productOfferingTerm']).forEach((t, i) => {
    const d = t['duration'];
    if (isObject(d) && typeof d['amount'] === 'number' && d['amount'] < 0) {
      throw badRequest(`productOfferingTerm[${i}].duration.amount must not be negative`, `productOfferingTerm[${i}].duration.amount`);
    }
  });
}

// --- lookups in this catalog --------------------------------------------------------------------

/**
 * Reads referred entities and holds a share lock on them until the transaction ends, so that a
 * price cannot be retired or deleted while an offering that sells it is being launched.
 */
async function lockDocs(q: Queryable, table: string, ids: string[]): Promise<Map<string, Doc>> {
  if (ids.length === 0) return new Map();
  const r = await q.query<{ id: string; doc: Doc }>(`SELECT id, doc FROM ${table} WHERE id = ANY($1::text[]) FOR SHARE`, [ids]);
  return new Map(r.rows.map((row) => [row.id, row.doc]));
}

async function readDoc(q: Queryable, table: string, id: string): Promise<Doc | undefined> {
  const r = await q.query<{ doc: Doc }>(`SELECT doc FROM ${table} WHERE id = $1`, [id]);
  return r.rows[0]?.doc;
}

function requireSellable(found: Doc | undefined, what: string, id: string, field: string): void {
  if (!found) throw unprocessable(`${what} ${id} is not in this catalog; an offering can be launched only with ${what}s defined here`, field);
  const state = stateOf(found);
  if (!SELLABLE_STATES.includes(state)) throw unprocessable(`${what} ${id} is '${state}'; it must be Active or Launched before an offering that uses it is launched`, field);
}

async function checkCharValueUsesAgainstSpecs(doc: Doc, q: Queryable, offeringSpec: Doc | undefined): Promise<void> {
  const specs = new Map<string, Doc | undefined>();
  if (offeringSpec) specs.set(String(offeringSpec['id']), offeringSpec);
  const uses = items(doc['prodSpecCharValueUse']);
  for (const [i, u] of uses.entries()) {
    const field = `prodSpecCharValueUse[${i}]`;
    const specId = idOf(u['productSpecification']) ?? (offeringSpec ? String(offeringSpec['id']) : undefined);
    if (!specId) continue;
    if (!specs.has(specId)) specs.set(specId, await readDoc(q, TABLES.specification, specId));
    const spec = specs.get(specId);
    if (!spec) continue; // held by another catalog: nothing to compare with
    const chars = items(spec['productSpecCharacteristic']);
    const c = chars.find((x) => (u['name'] !== undefined ? x['name'] === u['name'] : x['id'] === u['id']));
    if (!c) {
      throw unprocessable(`${field}: product specification ${specId} has no characteristic '${String(u['name'] ?? u['id'])}'`, `${field}.name`);
    }
    items(u['productSpecCharacteristicValue']).forEach((v, j) => {
      if (v['value'] !== undefined && !allowedBy(c, v['value'], CHARACTERISTIC.valuesKey)) {
        throw unprocessable(`${field}.productSpecCharacteristicValue[${j}]: ${JSON.stringify(v['value'])} is not a value characteristic '${String(c['name'])}' of product specification ${specId} allows`, `${field}.productSpecCharacteristicValue[${j}].value`);
      }
    });
  }
}

/** Launching an offering: what it sells and what it costs must be defined here, approved, and complete. */
export async function checkOfferingLaunch(doc: Doc, q: Queryable): Promise<void> {
  const bundle = doc['isBundle'] === true;
  const validFor = doc['validFor'];
  if (isObject(validFor) && typeof validFor['endDateTime'] === 'string' && Date.parse(validFor['endDateTime']) < clock.now().getTime()) {
    throw unprocessable('the offering cannot be launched: its validFor period has already ended', 'validFor.endDateTime');
  }

  let spec: Doc | undefined;
  const specId = idOf(doc['productSpecification']);
  if (specId) {
    spec = (await lockDocs(q, TABLES.specification, [specId])).get(specId);
    requireSellable(spec, 'productSpecification', specId, 'productSpecification.id');
  } else if (!bundle) {
    throw unprocessable('an offering that is not a bundle needs a productSpecification before it is launched', 'productSpecification');
  }

  const prices = items(doc['productOfferingPrice']);
  if (!bundle && prices.length === 0) {
    throw unprocessable('an offering that is not a bundle needs at least one productOfferingPrice before it is launched', 'productOfferingPrice');
  }
  const refIds = prices.map((p) => idOf(p)).filter((x): x is string => x !== undefined);
  const found = await lockDocs(q, TABLES.price, refIds);
  prices.forEach((p, i) => {
    const field = `productOfferingPrice[${i}]`;
    const id = idOf(p);
    if (id !== undefined) {
      requireSellable(found.get(id), 'productOfferingPrice', id, `${field}.id`);
      return;
    }
    const value = isObject(p['price']) ? p['price'] : {};
    checkPriceComplete(
      {
        priceType: p['priceType'], period: p['recurringChargePeriod'], periodField: 'recurringChargePeriod',
        hasAmount: hasAnyAmount(value), amountField: 'price.taxIncludedAmount',
        hasPercentage: typeof value['percentage'] === 'number', unitOfMeasure: p['unitOfMeasure'],
      },
      field,
      'before the offering is launched',
    );
  });

  if (bundle) {
    const bundled = items(doc['bundledProductOffering']);
    if (bundled.length === 0) throw unprocessable('a bundle offering needs at least one bundledProductOffering before it is launched', 'bundledProductOffering');
    const ids = bundled.map((b) => idOf(b)).filter((x): x is string => x !== undefined);
    const offers = await lockDocs(q, TABLES.offering, ids);
    bundled.forEach((b, i) => {
      const id = idOf(b);
      if (id === undefined) throw unprocessable(`bundledProductOffering[${i}].id is required to launch the bundle`, `bundledProductOffering[${i}].id`);
      requireSellable(offers.get(id), 'bundled productOffering', id, `bundledProductOffering[${i}].id`);
    });
  }

  await checkCharValueUsesAgainstSpecs(doc, q, spec);
}

// --- deletion --------------------------------------------------------------------------------

export async function beforeDeleteSpecification(doc: Doc, q: Queryable): Promise<void> {
  const id = doc['id'];
  const users = await usersOf(q, TABLES.offering, ['Launched'], [
    { productSpecification: { id } },
    { prodSpecCharValueUse: [{ productSpecification: { id } }] },
  ]);
  refuseIfUsed(users, `product specification ${String(id)}`, 'launched product offering');
}

export async function beforeDeletePrice(doc: Doc, q: Queryable): Promise<void> {
  const id = doc['id'];
  const what = `product offering price ${String(id)}`;
  refuseIfUsed(await usersOf(q, TABLES.offering, ['Launched'], [{ productOfferingPrice: [{ id }] }]), what, 'launched product offering');
  refuseIfUsed(await usersOf(q, TABLES.price, ['Active', 'Launched'], [{ bundledPopRelationship: [{ id }] }]), what, 'composite price');
}

export async function beforeDeleteOffering(doc: Doc, q: Queryable): Promise<void> {
  const id = doc['id'];
  refuseIfUsed(await usersOf(q, TABLES.offering, ['Launched'], [{ bundledProductOffering: [{ id }] }]), `product offering ${String(id)}`, 'launched bundle offering');
}
