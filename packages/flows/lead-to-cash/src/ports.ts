/**
 * The ports the Lead-to-Cash flow provides to the selling components, all
 * answered from data: the catalogs (offerings, specifications, prices), the
 * parties and accounts, the product inventory, the address referential
 * (access areas) and the resource pools (free capacity).
 */
import { unprocessable, type RequestContext } from '@operon/kernel';
import { accessAreaOf } from '@operon/geographic';
import type { ProductOrderRefusal, ProductOrderValidator, ProductOrderVerdict } from '@operon/product-order';
import type {
  CheckServiceQualificationItemAnswer, ItemNotEvaluated, ProductOfferingQualificationItemAnswer, ProductOfferingQualifier, ServiceQualificationItemValue, ServiceQualifier,
} from '@operon/qualification';
import type { QuoteItemPriceInput, QuoteItemPricing, QuotePricer } from '@operon/quote';
import { resourcePools, type ResourcePools } from '@operon/resource-inventory';
import type { Queryable } from '@operon/store';
import { catalogJson, type ComponentRuntime, type Doc } from '@operon/tmf';
import { Catalogs, characteristicProblems, characteristicsOf, type CatalogPrice, type Decomposition } from './catalog.ts';

const { isObject, listOf, str } = catalogJson;

type Runtime = ComponentRuntime;

/** Where a service or product is delivered: the first place with an access area. */
export async function areaOfPlaces(runtime: Pick<Runtime, 'services' | 'db'>, places: unknown, q: Queryable = runtime.db): Promise<string | undefined> {
  for (const p of Array.isArray(places) ? places : isObject(places) ? [places] : []) {
    const area = await accessAreaOf(runtime, p, q);
    if (area !== undefined) return area;
  }
  return undefined;
}

/** The resources a decomposition needs, counted per resource specification. */
export function resourceNeeds(d: Pick<Decomposition, 'cfs'>): Map<string, { count: number; name: string }> {
  const need = new Map<string, { count: number; name: string }>();
  for (const c of d.cfs) for (const r of c.rfs) for (const res of r.resources) {
    const n = need.get(res.specId);
    need.set(res.specId, { count: (n?.count ?? 0) + 1, name: res.specName });
  }
  return need;
}

/** Why the pools of `area` cannot deliver `needs` (undefined when they can). */
export async function capacityShortfall(pools: ResourcePools, area: string, needs: Map<string, { count: number; name: string }>): Promise<string | undefined> {
  for (const [specId, n] of needs) {
    const c = await pools.capacity({ resourceSpecificationId: specId, area });
    if (c.free < n.count) return `no free ${n.name} in ${area} (${c.free} free, ${n.count} needed)`;
  }
  return undefined;
}

// --- product offering qualification ----------------------------------------------------------------

export function productOfferingQualifier(runtime: Runtime): ProductOfferingQualifier {
  const catalogs = new Catalogs(runtime);
  return {
    async evaluate(poq) {
      const places = poq.place ?? [];
      if (listOf(places).length === 0) throw unprocessable('a place is needed to say whether an offering can be delivered there', 'place');
      const area = await areaOfPlaces(runtime, places);
      const pools = resourcePools(runtime);
      const items: Array<ProductOfferingQualificationItemAnswer | ItemNotEvaluated> = [];
      for (const item of poq.productOfferingQualificationItem ?? []) {
        const offeringId = item.productOffering?.id;
        if (!offeringId) {
          items.push({ id: item.id, terminationError: [{ value: 'the item names no productOffering' }] });
          continue;
        }
        const offering = await catalogs.offering(offeringId);
        if (!offering) {
          items.push({ id: item.id, terminationError: [{ value: `product offering ${offeringId} is not in the catalog` }] });
          continue;
        }
        const notSold = Catalogs.sellable(offering);
        if (notSold) {
          items.push({ id: item.id, qualificationItemResult: 'unqualified', eligibilityUnavailabilityReason: [{ code: 'offeringNotSold', label: notSold }] });
          continue;
        }
        let d: Decomposition;
        try {
          d = await catalogs.decompose(offeringId, item.id, []);
        } catch (e) {
          items.push({ id: item.id, terminationError: [{ value: (e as Error).message }] });
          continue;
        }
        const needs = resourceNeeds(d);
        if (needs.size > 0 && area === undefined) {
          items.push({ id: item.id, qualificationItemResult: 'unqualified', eligibilityUnavailabilityReason: [{ code: 'placeNotServed', label: 'the place is not an address of the referential with an access area' }] });
          continue;
        }
        const short = area === undefined ? undefined : await capacityShortfall(pools, area, needs);
        items.push(short
          ? { id: item.id, qualificationItemResult: 'unqualified', eligibilityUnavailabilityReason: [{ code: 'noCapacity', label: short }] }
          : { id: item.id, qualificationItemResult: 'qualified' });
      }
      return { items };
    },
  };
}

// --- service qualification -------------------------------------------------------------------------

/** Resource specifications a service specification needs (itself, or through its RFS). */
async function serviceNeeds(catalogs: Catalogs, specId: string): Promise<Map<string, { count: number; name: string }> | undefined> {
  const spec = await catalogs.serviceSpecification(specId);
  if (!spec) return undefined;
  const need = new Map<string, { count: number; name: string }>();
  const add = (res: Doc) => {
    const id = str(res['id']);
    if (!id) return;
    const n = need.get(id);
    need.set(id, { count: (n?.count ?? 0) + 1, name: str(res['name']) ?? id });
  };
  listOf(spec['resourceSpecification']).forEach(add);
  for (const rel of listOf(spec['serviceSpecRelationship'])) {
    const rfs = str(rel['id']) ? await catalogs.serviceSpecification(str(rel['id'])!) : undefined;
    listOf(rfs?.['resourceSpecification']).forEach(add);
  }
  return need;
}

export function serviceQualifier(runtime: Runtime): ServiceQualifier {
  const catalogs = new Catalogs(runtime);
  const pools = () => resourcePools(runtime);
  return {
    async check(q) {
      const items: Array<CheckServiceQualificationItemAnswer | ItemNotEvaluated> = [];
      for (const item of q.serviceQualificationItem) {
        const id = item.id!;
        const service = item.service as { serviceSpecification?: { id?: string }; place?: unknown } | undefined;
        const specId = service?.serviceSpecification?.id;
        const needs = specId ? await serviceNeeds(catalogs, specId) : undefined;
        if (!needs) {
          items.push({ id, terminationError: [{ value: `service specification ${String(specId)} is not in the service catalog` }] });
          continue;
        }
        const area = await areaOfPlaces(runtime, service?.place);
        if (area === undefined) {
          items.push(needs.size > 0
            ? { id, qualificationResult: 'unqualified', eligibilityUnavailabilityReason: [{ code: 'placeNotServed', label: 'the service has no place of the address referential' }] }
            : { id, qualificationResult: 'qualified' });
          continue;
        }
        const short = await capacityShortfall(pools(), area, needs);
        items.push(short ? { id, qualificationResult: 'unqualified', eligibilityUnavailabilityReason: [{ code: 'noCapacity', label: short }] } : { id, qualificationResult: 'qualified' });
      }
      return { items };
    },
    async query(q) {
      const criteria = q.searchCriteria.service as { place?: unknown; serviceSpecification?: { id?: string } } | undefined;
      const area = await areaOfPlaces(runtime, criteria?.place);
      if (area === undefined) throw unprocessable('searchCriteria.service.place names no address of the referential', 'searchCriteria.service.place');
      // customer-facing specifications in use: what can be delivered at the place
      const specs = await runtime.services.get('serviceCatalogManagement')!.get('serviceSpecification')!.list(
        runtime.services.get('serviceCatalogManagement')!.get('serviceSpecification')!.parseQuery({ lifecycleStatus: 'Active,Launched', '@type': 'CustomerFacingServiceSpecification' }),
      );
      const found: ServiceQualificationItemValue[] = [];
      for (const s of specs.items) {
        const id = String(s['id']);
        if (criteria?.serviceSpecification?.id && criteria.serviceSpecification.id !== id) continue;
        const needs = await serviceNeeds(catalogs, id);
        if (!needs || (await capacityShortfall(pools(), area, needs))) continue;
        found.push({ service: { name: str(s['name']) ?? id, serviceSpecification: { id, name: str(s['name']) ?? id } } });
      }
      return { items: found };
    },
  };
}

// --- pricing -------------------------------------------------------------------------------------

function asQuotePrice(p: CatalogPrice): QuoteItemPriceInput {
  return {
    ...(p.name ? { name: p.name } : {}),
    priceType: p.priceType as QuoteItemPriceInput['priceType'],
    ...(p.recurringChargePeriod ? { recurringChargePeriod: p.recurringChargePeriod } : {}),
    ...(p.unitOfMeasure ? { unitOfMeasure: p.unitOfMeasure } : {}),
    price: p.price,
    ...(p.productOfferingPrice ? { productOfferingPrice: p.productOfferingPrice } : {}),
  };
}

export function quotePricer(runtime: Runtime): QuotePricer {
  const catalogs = new Catalogs(runtime);
  return {
    async price(quote) {
      const items: QuoteItemPricing[] = [];
      const walk = async (list: readonly Doc[], path: string) => {
        for (const [i, item] of list.entries()) {
          const at = `${path}[${i}]`;
          const id = String(item['id']);
          const action = str(item['action']);
          const offeringId = isObject(item['productOffering']) ? str(item['productOffering']['id']) : undefined;
          if (action === 'delete' || action === 'noChange' || !offeringId) {
            // nothing new is sold: no price
            items.push({ id, ...(action ? { action: action as QuoteItemPricing['action'] } : {}), prices: [] });
          } else {
            const offering = await catalogs.offering(offeringId);
            if (!offering) throw unprocessable(`${at}.productOffering.id: product offering ${offeringId} is not in the catalog`, `${at}.productOffering.id`);
            const notSold = Catalogs.sellable(offering);
            if (notSold) throw unprocessable(`${at}.productOffering.id: ${notSold}`, `${at}.productOffering.id`);
            const prices = await catalogs.offeringPrices(offering);
            items.push({ id, ...(action ? { action: action as QuoteItemPricing['action'] } : {}), prices: prices.map(asQuotePrice) });
          }
          await walk(listOf(item['quoteItem']), `${at}.quoteItem`);
        }
      };
      await walk(listOf(quote.quoteItem as unknown), 'quoteItem');
      return { items };
    },
  };
}

// --- order capture -------------------------------------------------------------------------------

/** Where each kind of party is kept (by @referredType). */
const PARTY_HOMES: Record<string, Array<[string, string]>> = {
  individual: [['party', 'individual']],
  organization: [['party', 'organization']],
  customer: [['customerManagement', 'customer']],
  partyrole: [['partyRoleManagement', 'partyRole']],
};
const ALL_HOMES = Object.values(PARTY_HOMES).flat();

export async function findParty(runtime: Runtime, ref: Doc, q?: Queryable): Promise<Doc | undefined> {
  const id = str(ref['id']);
  if (!id) return undefined;
  const homes = PARTY_HOMES[(str(ref['@referredType']) ?? '').toLowerCase()] ?? ALL_HOMES;
  for (const [api, res] of homes) {
    const found = await runtime.services.get(api)?.get(res)?.find(id, q);
    if (found) return found;
  }
  return undefined;
}

/** The customer of an order: the party with role customer, else the first. */
export function customerOf(parties: unknown): Doc | undefined {
  const list = listOf(parties);
  return list.find((p) => str(p['role'])?.toLowerCase() === 'customer') ?? list[0];
}

const sameMoney = (a: unknown, b: { unit: string; value: number } | undefined) =>
  !isObject(a) || (b !== undefined && a['unit'] === b.unit && Math.abs(Number(a['value']) - b.value) < 0.005);

/** Whether a price given on an order item is one the catalog states for the offering. */
function priceMatches(given: Doc, catalog: readonly CatalogPrice[]): boolean {
  const pop = isObject(given['productOfferingPrice']) ? str(given['productOfferingPrice']['id']) : undefined;
  const price = isObject(given['price']) ? given['price'] : {};
  return catalog.some((c) =>
    c.priceType === given['priceType']
    && (pop === undefined || c.productOfferingPrice?.id === pop)
    && (given['recurringChargePeriod'] === undefined || c.recurringChargePeriod === undefined || c.recurringChargePeriod === given['recurringChargePeriod'])
    && sameMoney(price['taxIncludedAmount'], c.price.taxIncludedAmount)
    && sameMoney(price['dutyFreeAmount'], c.price.dutyFreeAmount));
}

export function productOrderValidator(runtime: Runtime): ProductOrderValidator {
  const catalogs = new Catalogs(runtime);
  const products = () => runtime.services.get('productInventory')!.get('product')!;
  return {
    async validate(order, _ctx: RequestContext): Promise<ProductOrderVerdict> {
      const errors: ProductOrderRefusal[] = [];
      const refuse = (code: string, reason: string, message: string, field: string) => errors.push({ code, reason, message, field });

      const customer = customerOf(order.relatedParty);
      const account = order.billingAccount;
      const items = order.productOrderItem;
      const placesOf = (item: (typeof items)[number]) => (isObject(item.product) ? item.product['place'] : undefined);
      // the customer, the account and the access areas of the places added are read at the same time,
      // in one round trip (the areas mostly from memory)
      const together = runtime.db.together();
      const [party, found, areas] = await Promise.all([
        customer ? findParty(runtime, customer, together) : undefined,
        account ? runtime.services.get('accountManagement')?.get('billingAccount')?.find(account.id, together) : undefined,
        Promise.all(items.map((item) => (item.action === 'add' && listOf(placesOf(item)).length > 0 ? areaOfPlaces(runtime, placesOf(item), together) : undefined))),
      ]);
      if (!customer || !party) {
        refuse('unknownParty', 'The customer is unknown', `related party ${String(customer?.['id'])} is not a known party or customer`, 'relatedParty');
      }
      const adds = items.some((i) => i.action === 'add');
      if (account) {
        if (!found) refuse('unknownBillingAccount', 'The billing account is unknown', `billing account ${account.id} does not exist`, 'billingAccount.id');
        else if (found['state'] !== 'Active') refuse('billingAccountNotActive', 'The billing account is not active', `billing account ${account.id} is '${String(found['state'])}'`, 'billingAccount.id');
      } else if (adds) {
        refuse('missingBillingAccount', 'No billing account', 'an order adding products needs the billingAccount they are charged to', 'billingAccount');
      }

      for (const [i, item] of items.entries()) {
        const at = `productOrderItem[${i}]`;
        if (item.action === 'add') {
          const offeringId = item.productOffering?.id;
          if (!offeringId) {
            refuse('missingOffering', 'No product offering', 'an added item names the productOffering it orders', `${at}.productOffering.id`);
            continue;
          }
          const offering = await catalogs.offering(offeringId);
          if (!offering) {
            refuse('unknownOffering', 'Unknown product offering', `product offering ${offeringId} is not in the catalog`, `${at}.productOffering.id`);
            continue;
          }
          const notSold = Catalogs.sellable(offering);
          if (notSold) refuse('offeringNotSold', 'The offering is not sold', notSold, `${at}.productOffering.id`);
          const specId = catalogJson.idOf(offering['productSpecification']);
          const spec = specId ? await catalogs.productSpecification(specId) : undefined;
          if (!spec) {
            refuse('unknownSpecification', 'The offering cannot be delivered', `product offering ${offeringId} has no product specification in the catalog`, `${at}.productOffering.id`);
            continue;
          }
          for (const p of characteristicProblems(spec, characteristicsOf(item.product))) {
            refuse('invalidCharacteristic', 'Invalid characteristic', p.message, `${at}.product.productCharacteristic`);
          }
          const given = listOf(item['itemPrice']);
          if (given.length > 0) {
            const catalogPrices = await catalogs.offeringPrices(offering);
            given.forEach((p, j) => {
              if (!priceMatches(p, catalogPrices)) {
                refuse('priceMismatch', 'The price is not the catalog price', `the ${String(p['priceType'])} price given is not a price of product offering ${offeringId}`, `${at}.itemPrice[${j}]`);
              }
            });
          }
          if (listOf(placesOf(item)).length > 0 && areas[i] === undefined) {
            refuse('placeNotServed', 'The place is not served', 'the place of the product is not an address of the referential with an access area', `${at}.product.place`);
          }
        } else if (item.action === 'modify' || item.action === 'delete') {
          const productId = String(item.product?.id ?? '');
          const product = await products().find(productId);
          if (!product) {
            refuse('unknownProduct', 'Unknown product', `product ${productId} does not exist`, `${at}.product.id`);
            continue;
          }
          const owner = listOf(product['relatedParty']).some((p) => p['id'] === customer?.['id']);
          if (!owner) refuse('notOwner', 'The product is not the customer\'s', `product ${productId} does not belong to party ${String(customer?.['id'])}`, `${at}.product.id`);
          if (!['active', 'suspended'].includes(String(product['status']))) {
            refuse('productNotActive', 'The product is not in service', `product ${productId} is '${String(product['status'])}'`, `${at}.product.id`);
          }
          if (item.action === 'modify') {
            const specId = catalogJson.idOf(product['productSpecification']);
            const spec = specId ? await catalogs.productSpecification(specId) : undefined;
            if (spec) {
              // a modification names only what changes: mandatory characteristics are on the product already
              for (const p of characteristicProblems(spec, characteristicsOf(item.product)).filter((x) => !x.message.includes('mandatory'))) {
                refuse('invalidCharacteristic', 'Invalid characteristic', p.message, `${at}.product.productCharacteristic`);
              }
            }
          }
        }
      }
      return errors.length > 0 ? { ok: false, errors } : { ok: true };
    },
  };
}
