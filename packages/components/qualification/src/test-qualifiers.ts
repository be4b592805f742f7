/**
 * Test implementations of the qualification ports, standing in for the
 * Lead-to-Cash flow: a small catalog (launched, retired and premium
 * offerings), an address referential naming the access area of each address,
 * and the free FTTH ports of each area. What they were asked is recorded, so
 * that tests can prove malformed requests never reach them.
 */
import { unprocessable } from '@operon/kernel';
import type {
  CheckServiceQualificationItemAnswer, ItemNotEvaluated, ProductOfferingQualificationDocument, ProductOfferingQualificationItemAnswer,
  ProductOfferingQualifier, ServiceQualificationItemValue, ServiceQualifier,
} from './index.ts';

/** Access area serving each known address. */
const AREA_OF: Record<string, string> = { 'addr-served': 'BER-MITTE-OLT01', 'addr-full': 'BER-PANKOW-OLT02', 'addr-remote': 'BRB-LAND-DSLAM7' };
/** Free FTTH ports per access area; a DSLAM area has copper only. */
const FREE_FTTH_PORTS: Record<string, number> = { 'BER-MITTE-OLT01': 120, 'BER-PANKOW-OLT02': 0, 'BRB-LAND-DSLAM7': 0 };

const OFFERINGS: Record<string, { name: string; status: 'Launched' | 'Retired'; access: 'ftth' | 'dsl' | 'none'; category?: string }> = {
  'po-fibre-1g': { name: 'Fibre 1 Gbit/s', status: 'Launched', access: 'ftth', category: 'cat-internet' },
  'po-fibre-10g': { name: 'Fibre 10 Gbit/s', status: 'Launched', access: 'ftth' },
  'po-dsl-100': { name: 'DSL 100 Mbit/s', status: 'Launched', access: 'dsl', category: 'cat-internet' },
  'po-mobile': { name: 'Mobile 20 GB', status: 'Launched', access: 'none' },
  'po-isdn': { name: 'ISDN line', status: 'Retired', access: 'dsl' },
};

/** When answers stop holding: the qualifier's promise, carried to expirationDate. */
export const ANSWER_EXPIRES = '2031-06-30T22:00:00.000Z';
/** When the Pankow area gets new FTTH ports. */
export const PANKOW_EXTENSION = '2031-03-01T00:00:00.000Z';

type Doc = Record<string, unknown>;
const isObject = (v: unknown): v is Doc => typeof v === 'object' && v !== null && !Array.isArray(v);
const placesOf = (v: unknown): Doc[] => (Array.isArray(v) ? v.filter(isObject) : []);

/** The access area of the first place with a known address; undefined when none is known. */
function areaOf(places: Doc[]): string | undefined {
  for (const p of places) {
    const area = AREA_OF[String(p['id'])];
    if (area !== undefined) return area;
  }
  return undefined;
}

export const asked = { poq: [] as ProductOfferingQualificationDocument[], check: 0, query: 0 };
/** Descriptions whose first evaluation fails with an error that is not the requester's (the subscriber retries). */
const flakyFailedOnce = new Set<string>();

type PoqAnswer = ProductOfferingQualificationItemAnswer | ItemNotEvaluated;

function offeringAnswer(id: string, offeringId: string | undefined, area: string): PoqAnswer {
  const offering = offeringId === undefined ? undefined : OFFERINGS[offeringId];
  if (offering === undefined) return { id, terminationError: [{ value: `offering ${String(offeringId)} is not in the catalog` }] };
  if (offering.status !== 'Launched') {
    return { id, qualificationItemResult: 'unqualified', eligibilityUnavailabilityReason: [{ code: 'offeringNotSold', label: `${offering.name} is ${offering.status}` }] };
  }
  if (offering.access !== 'ftth' || (FREE_FTTH_PORTS[area] ?? 0) > 0) {
    // 10 Gbit/s needs an XGS-PON area; only Mitte's OLT has the line cards, and it sells 1 Gbit/s in their place elsewhere
    if (offeringId === 'po-fibre-10g') {
      return {
        id, qualificationItemResult: 'alternate',
        eligibilityUnavailabilityReason: [{ code: 'technologyNotAvailable', label: `no XGS-PON in ${area}` }],
        alternateProductOfferingProposal: [{ id: 'alt-1', alternateProductOffering: { id: 'po-fibre-1g', name: OFFERINGS['po-fibre-1g']!.name } }],
      };
    }
    return { id, qualificationItemResult: 'qualified' };
  }
  const reason = [{ code: 'noCapacity', label: `no free FTTH port in ${area}` }];
  if (area.includes('OLT')) {
    // a fibre area without free ports: the same offering once the area is extended, or DSL now
    return {
      id, qualificationItemResult: 'alternate', eligibilityUnavailabilityReason: reason,
      alternateProductOfferingProposal: [
        { id: 'alt-later', alternateActivationDate: PANKOW_EXTENSION, alternateProductOffering: { id: offeringId!, name: offering.name } },
        { id: 'alt-dsl', alternateProductOffering: { id: 'po-dsl-100', name: OFFERINGS['po-dsl-100']!.name } },
      ],
    };
  }
  return { id, qualificationItemResult: 'unqualified', eligibilityUnavailabilityReason: reason };
}

export const productOfferingQualifier: ProductOfferingQualifier = {
  async evaluate(poq) {
    asked.poq.push(poq);
    const description = poq.description ?? '';
    if (description.startsWith('flaky') && !flakyFailedOnce.has(description)) {
      flakyFailedOnce.add(description);
      throw new Error('catalog connection reset');
    }
    const area = areaOf(placesOf(poq.place));
    if (area === undefined) throw unprocessable('the place is not an address of the referential, so its access area is unknown', 'place');
    const items: PoqAnswer[] = (poq.productOfferingQualificationItem ?? []).map((item) => offeringAnswer(item.id, item.productOffering?.id, area));
    // a category asks for every offering of that category: those not asked about are added
    const requested = new Set((poq.productOfferingQualificationItem ?? []).map((i) => i.productOffering?.id));
    for (const [id, o] of Object.entries(OFFERINGS)) {
      if (poq.category?.id === undefined || o.category !== poq.category.id || requested.has(id)) continue;
      items.push({ ...offeringAnswer(`cat-${id}`, id, area), productOffering: { id, name: o.name } } as PoqAnswer);
    }
    return { items, expirationDate: ANSWER_EXPIRES };
  },
};

/** The services of the service catalog, with what they need from the access network. */
const SERVICES: Record<string, { name: string; ftth: boolean }> = {
  'ss-internet-access': { name: 'Internet access', ftth: true },
  'ss-voip': { name: 'VoIP line', ftth: false },
};

export const serviceQualifier: ServiceQualifier = {
  async check(q) {
    asked.check++;
    const items = q.serviceQualificationItem.map((item): CheckServiceQualificationItemAnswer | ItemNotEvaluated => {
      const id = item.id!;
      // the service is a recursive structure whose static type stops at an object: read what is needed
      const configured = item.service as { serviceSpecification?: { id?: string }; place?: unknown } | undefined;
      const spec = configured?.serviceSpecification?.id;
      const service = spec === undefined ? undefined : SERVICES[spec];
      if (service === undefined) return { id, terminationError: [{ value: `service specification ${String(spec)} is unknown` }] };
      const area = areaOf(placesOf(configured?.place));
      if (area === undefined) return { id, terminationError: [{ value: 'the service has no known place' }] };
      if (!service.ftth || (FREE_FTTH_PORTS[area] ?? 0) > 0) return { id, qualificationResult: 'qualified', expirationDate: ANSWER_EXPIRES };
      const reason = [{ code: 'noCapacity', label: `no free FTTH port in ${area}` }];
      if (!area.includes('OLT')) return { id, qualificationResult: 'unqualified', eligibilityUnavailabilityReason: reason };
      return {
        id, qualificationResult: 'alternate', eligibilityUnavailabilityReason: reason, expectedServiceAvailabilityDate: PANKOW_EXTENSION,
        alternateServiceProposal: [{ id: 'later', alternateServiceAvailabilityDate: PANKOW_EXTENSION, alternateService: { serviceSpecification: { id: spec! } } }],
      };
    });
    return { items, expirationDate: ANSWER_EXPIRES };
  },
  async query(q) {
    asked.query++;
    const area = areaOf(placesOf(q.searchCriteria.service?.place));
    if (area === undefined) throw unprocessable('searchCriteria.service.place names no known address', 'searchCriteria.service.place');
    const found: ServiceQualificationItemValue[] = Object.entries(SERVICES)
      .filter(([, s]) => !s.ftth || (FREE_FTTH_PORTS[area] ?? 0) > 0)
      .map(([id, s]) => ({ service: { name: s.name, serviceSpecification: { id, name: s.name } }, expirationDate: ANSWER_EXPIRES }));
    return { items: found };
  },
};
