import { productOrdering } from '@operon/product-order';
import { Quoting } from '@operon/quote';
import { resourcePools } from '@operon/resource-inventory';
import type { DemoRefs, DemoStep } from './steps.ts';

/**
 * Lead-to-Cash demo data: the customers' addresses (each naming the access
 * area it is served from), a site, the resource pools of each area (ONT
 * ports, VLANs, public IPv4, geographic numbers of the city) and the national
 * pools (MSISDN, SIM cards, SIP accounts); then, once that is committed, what
 * customers did with it: a qualification, service qualifications, a quote and
 * product orders, which the Lead-to-Cash flow fulfils as soon as the event
 * relay runs.
 */

const geo = 'geographicAddressManagement';
const sites = 'geographicSiteManagement';
const inventory = 'resourceInventoryManagement';

/**
 * A customer's premises and the access area (OLT) serving them, with the
 * block of geographic numbers (country code, area code, first digits) the
 * area's VoIP lines get.
 */
const AREAS = [
  { key: 'jane', area: 'BER-MITTE-OLT01', streetName: 'Lindenallee', streetNr: '12', postcode: '10117', city: 'Berlin', net: '198.51.100.0/28', vlan: 100, did: { areaCode: '30', block: '4930555000' } },
  { key: 'ravi', area: 'HAM-HAFEN-OLT01', streetName: 'Hafenweg', streetNr: '3', postcode: '20457', city: 'Hamburg', net: '198.51.100.16/28', vlan: 200, did: { areaCode: '40', block: '4940555000' } },
  { key: 'acme', area: 'BRE-IND-OLT01', streetName: 'Industriepark', streetNr: '7', postcode: '28199', city: 'Bremen', net: '198.51.100.32/28', vlan: 300, did: { areaCode: '421', block: '4942155500' } },
  { key: 'nordwind', area: 'KIE-MARKT-OLT01', streetName: 'Marktplatz', streetNr: '2', postcode: '24103', city: 'Kiel', net: '198.51.100.48/28', vlan: 400, did: { areaCode: '431', block: '4943155500' } },
] as const;

/** Values per pool: enough for the demo and some orders more, few enough for a start in seconds. */
const PORTS = 8;
const VLANS = 16;
const SIM_CARDS = 20;
const SIP_ACCOUNTS = 100;
/** The demo operator's SIP platform. */
const SIP_DOMAIN = 'voice.operon-telecom.example';

const pool = (key: string, body: (r: DemoRefs) => Record<string, unknown>): DemoStep => ({
  key, api: inventory, resource: 'resourcePool', body,
  create: (runtime, b, ctx, tx) => resourcePools(runtime).createPool(b, ctx, tx),
  service: (runtime) => resourcePools(runtime).pools,
});

/** The pool names the specification it hands out: that is how the flow finds it. */
const spec = (r: DemoRefs, key: string) => ({ ...r.ref(key), '@referredType': 'ResourceSpecification' });

export const placeSteps: DemoStep[] = [
  ...AREAS.map((a): DemoStep => ({
    key: `addr.${a.key}`, api: geo, resource: 'geographicAddress',
    body: () => ({ streetNr: a.streetNr, streetName: a.streetName, postcode: a.postcode, city: a.city, country: 'DE', accessArea: a.area }),
  })),
  {
    key: 'site.acme', api: sites, resource: 'geographicSite',
    body: (r) => ({
      name: 'Acme Logistics head office', code: 'ACME-BRE', status: 'active',
      place: [{ id: r.id('addr.acme'), role: 'siteAddress', '@referredType': 'GeographicAddress' }],
      relatedParty: [{ ...r.ref('org.acme'), role: 'owner', '@referredType': 'Organization' }],
    }),
  },
  {
    key: 'site.nordwind', api: sites, resource: 'geographicSite',
    body: (r) => ({
      name: 'Nordwind Bakery shop', code: 'NORDWIND-KIEL', status: 'active',
      place: [{ id: r.id('addr.nordwind'), role: 'siteAddress', '@referredType': 'GeographicAddress' }],
      relatedParty: [{ ...r.ref('org.nordwind'), role: 'owner', '@referredType': 'Organization' }],
    }),
  },
];

export const poolSteps: DemoStep[] = [
  ...AREAS.flatMap((a) => [
    pool(`pool.${a.key}.ports`, (r) => ({
      name: `${a.area} ONT ports`, kind: 'port', accessArea: a.area, resourceSpecification: spec(r, 'rs.ontPort'),
      values: Array.from({ length: PORTS }, (_, n) => `${a.area}/1/1/${n + 1}`),
    })),
    pool(`pool.${a.key}.vlans`, (r) => ({
      name: `${a.area} customer VLANs`, kind: 'vlan', accessArea: a.area, resourceSpecification: spec(r, 'rs.vlan'),
      range: { start: String(a.vlan), end: String(a.vlan + VLANS - 1) },
    })),
    pool(`pool.${a.key}.ipv4`, (r) => ({
      name: `${a.area} public IPv4`, kind: 'ipv4', accessArea: a.area, resourceSpecification: spec(r, 'rs.ipv4'), cidr: a.net,
    })),
    // a geographic number belongs to the city it is dialled in: served from the area, no national fallback
    pool(`pool.${a.key}.did`, (r) => ({
      name: `${a.city} geographic numbers +49 ${a.did.areaCode} ${a.did.block.slice(2 + a.did.areaCode.length)}xx`, kind: 'did', accessArea: a.area,
      resourceSpecification: spec(r, 'rs.did'), range: { start: `${a.did.block}00`, end: `${a.did.block}99` },
    })),
  ]),
  // mobile and SIP accounts have no access area: these pools serve the whole country
  pool('pool.msisdn', (r) => ({
    name: 'Mobile numbers +49 171 000 00xx', kind: 'msisdn', resourceSpecification: spec(r, 'rs.msisdn'), range: { start: '4917100000000', end: '4917100000099' },
  })),
  pool('pool.sim', (r) => ({
    name: 'USIM cards, batch 1', kind: 'sim', resourceSpecification: spec(r, 'rs.sim'),
    simCards: Array.from({ length: SIM_CARDS }, (_, n) => ({ iccid: `894902000000000${String(n + 1).padStart(4, '0')}`, imsi: `26201${String(n + 1).padStart(10, '0')}` })),
  })),
  pool('pool.sip', (r) => ({
    name: `SIP accounts @${SIP_DOMAIN}`, kind: 'sip', resourceSpecification: spec(r, 'rs.sipAccount'), sipDomain: SIP_DOMAIN,
    range: { start: 'sip-0000001', end: `sip-${String(SIP_ACCOUNTS).padStart(7, '0')}` },
  })),
];

// --- what the customers did (after the catalog, parties and pools are committed) ---------------

const customer = (r: DemoRefs, partyKey: string, type: 'Individual' | 'Organization') => ({ ...r.ref(partyKey), role: 'customer', '@referredType': type });
const installation = (r: DemoRefs, key: string) => ({ id: r.id(`addr.${key}`), role: 'installationAddress', '@referredType': 'GeographicAddress' });
const offering = (r: DemoRefs, key: string) => ({ id: r.id(key), name: r.ref(key).name });
const addressLine = (key: string) => {
  const a = AREAS.find((x) => x.key === key)!;
  return `${a.streetName} ${a.streetNr}, ${a.postcode} ${a.city}`;
};

const fibreItem = (r: DemoRefs, offeringKey: string, who: string, speed: number) => ({
  id: '1', action: 'add', quantity: 1, productOffering: offering(r, offeringKey),
  product: {
    '@type': 'Product',
    productCharacteristic: [{ name: 'downloadSpeed', value: speed }, { name: 'installationAddress', value: addressLine(who) }],
    place: [installation(r, who)],
  },
});

const order = (key: string, partyKey: string, type: 'Individual' | 'Organization', accountKey: string, items: (r: DemoRefs) => Record<string, unknown>[], description: string): DemoStep => ({
  key, api: 'productOrderingManagement', resource: 'productOrder',
  body: (r) => ({
    externalId: `demo-${key.slice(6)}`, description, channel: [{ id: 'web', name: 'Web shop' }],
    relatedParty: [customer(r, partyKey, type)],
    billingAccount: { ...r.ref(accountKey), '@referredType': 'BillingAccount' },
    productOrderItem: items(r),
  }),
  // captured as the API captures it: checked by the flow's validator, then fulfilled from its create event
  create: (runtime, body, ctx, tx) => productOrdering(runtime).capture(body, ctx, tx),
});

export const sellingSteps: DemoStep[] = [
  {
    key: 'poq.jane', api: 'productOfferingQualification', resource: 'productOfferingQualification',
    body: (r) => ({
      description: 'Can Jane get fibre at home?', relatedParty: [customer(r, 'ind.jane', 'Individual')], place: [installation(r, 'jane')],
      channel: { id: 'web', name: 'Web shop' },
      productOfferingQualificationItem: [{ id: '1', productOffering: offering(r, 'po.fibre300') }, { id: '2', productOffering: offering(r, 'po.fibre1000') }],
    }),
  },
  {
    key: 'csq.acme', api: 'serviceQualificationManagement', resource: 'checkServiceQualification',
    body: (r) => ({
      description: 'Internet access at the head office', relatedParty: [customer(r, 'org.acme', 'Organization')],
      serviceQualificationItem: [{ id: '1', service: { serviceSpecification: { ...r.ref('cfs.internet'), '@referredType': 'ServiceSpecification' }, place: [installation(r, 'acme')] } }],
    }),
  },
  {
    key: 'qsq.nordwind', api: 'serviceQualificationManagement', resource: 'queryServiceQualification',
    body: (r) => ({
      description: 'What can the shop get?', relatedParty: [customer(r, 'org.nordwind', 'Organization')],
      searchCriteria: { service: { place: [installation(r, 'nordwind')] } },
    }),
  },
  {
    key: 'quote.nordwind', api: 'quoteManagement', resource: 'quote',
    body: (r) => ({
      description: 'Fibre 1000 for the shop', relatedParty: [customer(r, 'org.nordwind', 'Organization')],
      quoteItem: [{ id: '1', action: 'add', quantity: 1, productOffering: offering(r, 'po.fibre1000') }],
    }),
    create: (runtime, body, ctx, tx) => new Quoting(runtime).create(body, ctx, tx).then((q) => q.quote),
  },
  order('order.jane', 'ind.jane', 'Individual', 'ba.jane', (r) => [fibreItem(r, 'po.fibre300', 'jane', 300)], 'Fibre 300 at home'),
  order('order.ravi', 'ind.ravi', 'Individual', 'ba.ravi', (r) => [{ id: '1', action: 'add', quantity: 1, productOffering: offering(r, 'po.mobile10'), product: { '@type': 'Product', productCharacteristic: [{ name: 'dataAllowance', value: 10 }] } }], 'A mobile plan'),
  order('order.acme', 'org.acme', 'Organization', 'ba.acme', (r) => [fibreItem(r, 'po.fibre1000', 'acme', 1000)], 'Fibre 1000 for the head office'),
  order('order.nordwind', 'org.nordwind', 'Organization', 'ba.nordwind', (r) => [fibreItem(r, 'po.fibre300', 'nordwind', 300)], 'Fibre 300 for the shop, cancelled for the quoted Fibre 1000'),
  {
    // asked in the same commit as the order: the flow sees the cancellation before it starts fulfilment
    key: 'cancel.nordwind', api: 'productOrderingManagement', resource: 'cancelProductOrder',
    body: (r) => ({ productOrder: { id: r.id('order.nordwind'), '@referredType': 'ProductOrder' }, cancellationReason: 'The customer prefers the quoted Fibre 1000' }),
    create: (runtime, body, ctx, tx) => productOrdering(runtime).requestCancellation(body, ctx, tx),
  },
];
