import type { DemoStep } from './steps.ts';

/**
 * The demo operator's catalog, designed the way later issues sell and deliver it:
 * product specifications point at customer-facing services (CFS), which rely on
 * resource-facing services (RFS), which need resources (ONT port, VLAN, IPv4
 * address, SIM card, MSISDN, telephone number).
 */

const rsc = 'resourceCatalog';
const svc = 'serviceCatalogManagement';
const prd = 'productCatalogManagement';

const charSpec = (name: string, valueType: string, description: string, extra: Record<string, unknown> = {}) => ({ name, valueType, description, configurable: false, ...extra });

export const resourceCatalogSteps: DemoStep[] = [
  { key: 'rcat.access', api: rsc, resource: 'resourceCategory', state: 'Active', body: () => ({ name: 'Access network', description: 'Fixed access: optical line terminals, ONT ports and customer VLANs', isRoot: true }) },
  { key: 'rcat.ip', api: rsc, resource: 'resourceCategory', state: 'Active', body: () => ({ name: 'IP addressing', description: 'Public and private IP addresses', isRoot: true }) },
  { key: 'rcat.mobile', api: rsc, resource: 'resourceCategory', state: 'Active', body: () => ({ name: 'Mobile', description: 'SIM cards and numbers for the mobile network', isRoot: true }) },
  { key: 'rcat.voice', api: rsc, resource: 'resourceCategory', state: 'Active', body: () => ({ name: 'Voice', description: 'Telephone numbers and SIP accounts', isRoot: true }) },
  {
    key: 'rs.ontPort', api: rsc, resource: 'resourceSpecification', state: 'Active',
    body: (r) => ({
      name: 'GPON ONT port', '@type': 'PhysicalResourceSpecification', version: '1.0',
      description: 'A port on a GPON optical network terminal that serves one subscriber line',
      category: 'Access network',
      resourceSpecCharacteristic: [
        charSpec('oltId', 'string', 'Optical line terminal the port hangs off'),
        charSpec('ponPort', 'string', 'PON port on the OLT, e.g. 1/1/3'),
        charSpec('onuId', 'integer', 'ONU identifier on the PON', { minCardinality: 0, maxCardinality: 1 }),
      ],
    }),
  },
  {
    key: 'rs.vlan', api: rsc, resource: 'resourceSpecification', state: 'Active',
    body: (r) => ({
      name: 'Customer VLAN', '@type': 'LogicalResourceSpecification', version: '1.0',
      description: 'An 802.1Q VLAN id that carries one customer\'s traffic from the access node',
      category: 'Access network',
      resourceSpecCharacteristic: [charSpec('vlanId', 'integer', 'VLAN id, 2 to 4094', { resourceSpecCharacteristicValue: [{ valueType: 'integer', valueFrom: 2, valueTo: 4094, rangeInterval: 'closed' }] })],
    }),
  },
  {
    key: 'rs.ipv4', api: rsc, resource: 'resourceSpecification', state: 'Active',
    body: (r) => ({
      name: 'Public IPv4 address', '@type': 'LogicalResourceSpecification', version: '1.0',
      description: 'One public IPv4 address from the operator\'s pools',
      category: 'IP addressing',
      resourceSpecCharacteristic: [charSpec('address', 'string', 'The address in dotted-quad notation'), charSpec('pool', 'string', 'Pool (CIDR) it was taken from')],
    }),
  },
  {
    key: 'rs.sim', api: rsc, resource: 'resourceSpecification', state: 'Active',
    body: (r) => ({
      name: 'SIM card (USIM)', '@type': 'PhysicalResourceSpecification', version: '1.0',
      description: 'A USIM card identified by its ICCID and IMSI',
      category: 'Mobile',
      resourceSpecCharacteristic: [charSpec('iccid', 'string', 'Integrated circuit card identifier'), charSpec('imsi', 'string', 'International mobile subscriber identity')],
    }),
  },
  {
    key: 'rs.msisdn', api: rsc, resource: 'resourceSpecification', state: 'Active',
    body: (r) => ({
      name: 'MSISDN', '@type': 'LogicalResourceSpecification', version: '1.0',
      description: 'A mobile subscriber number from the operator\'s number ranges',
      category: 'Mobile',
      resourceSpecCharacteristic: [charSpec('msisdn', 'string', 'The number in E.164 form')],
    }),
  },
  {
    key: 'rs.did', api: rsc, resource: 'resourceSpecification', state: 'Active',
    body: (r) => ({
      name: 'Geographic telephone number', '@type': 'LogicalResourceSpecification', version: '1.0',
      description: 'A direct-dial fixed-line number for a VoIP line',
      category: 'Voice',
      resourceSpecCharacteristic: [charSpec('number', 'string', 'The number in E.164 form'), charSpec('areaCode', 'string', 'Geographic area code')],
    }),
  },
  {
    key: 'rs.sipAccount', api: rsc, resource: 'resourceSpecification', state: 'Active',
    body: (r) => ({
      name: 'SIP account', '@type': 'LogicalResourceSpecification', version: '1.0',
      description: 'Registration credentials on the operator\'s SIP platform',
      category: 'Voice',
      resourceSpecCharacteristic: [charSpec('username', 'string', 'SIP user name'), charSpec('domain', 'string', 'SIP domain')],
    }),
  },
  ...([['rs.ontPort', 'rcat.access'], ['rs.vlan', 'rcat.access'], ['rs.ipv4', 'rcat.ip'], ['rs.sim', 'rcat.mobile'], ['rs.msisdn', 'rcat.mobile'], ['rs.did', 'rcat.voice'], ['rs.sipAccount', 'rcat.voice']] as const).map(
    ([spec, cat]): DemoStep => ({
      key: `rcand.${spec.slice(3)}`, api: rsc, resource: 'resourceCandidate', state: 'Active',
      body: (r) => ({ name: r.ref(spec).name ?? spec, resourceSpecification: r.ref(spec), category: [r.ref(cat)] }),
    }),
  ),
  { key: 'rcatalog', api: rsc, resource: 'resourceCatalog', state: 'Active', body: (r) => ({ name: 'Network resources', description: 'Resource types the network inventory manages', category: ['rcat.access', 'rcat.ip', 'rcat.mobile', 'rcat.voice'].map((k) => r.ref(k)) }) },
];

const rfs = (key: string, name: string, description: string, resources: string[], characteristics: Record<string, unknown>[] = []): DemoStep => ({
  key, api: svc, resource: 'serviceSpecification', state: 'Active',
  body: (r) => ({
    name, description, version: '1.0', '@type': 'ResourceFacingServiceSpecification',
    resourceSpecification: resources.map((k) => r.ref(k)),
    ...(characteristics.length ? { specCharacteristic: characteristics } : {}),
  }),
});

const cfs = (key: string, name: string, description: string, rfsKeys: string[], characteristics: Record<string, unknown>[]): DemoStep => ({
  key, api: svc, resource: 'serviceSpecification', state: 'Active',
  body: (r) => ({
    name, description, version: '1.0', '@type': 'CustomerFacingServiceSpecification',
    serviceSpecRelationship: rfsKeys.map((k) => ({ ...r.ref(k), relationshipType: 'dependency' })),
    specCharacteristic: characteristics,
  }),
});

const speedValues = [100, 300, 1000].map((v, i) => ({ valueType: 'integer', value: v, unitOfMeasure: 'Mbps', isDefault: i === 1 }));

export const serviceCatalogSteps: DemoStep[] = [
  { key: 'scat.customer', api: svc, resource: 'serviceCategory', state: 'Active', body: () => ({ name: 'Customer-facing services', description: 'Services as the customer perceives them', isRoot: true }) },
  { key: 'scat.network', api: svc, resource: 'serviceCategory', state: 'Active', body: () => ({ name: 'Resource-facing services', description: 'Technical services the network delivers', isRoot: true }) },
  rfs('rfs.ftthAccess', 'FTTH access', 'Layer-2 access over GPON: an ONT port and a customer VLAN', ['rs.ontPort', 'rs.vlan'], [
    { name: 'profile', valueType: 'string', description: 'Line profile configured on the OLT', configurable: true },
  ]),
  rfs('rfs.ipConnectivity', 'IP connectivity', 'Routed internet access with a public IPv4 address', ['rs.ipv4']),
  rfs('rfs.mobileSubscription', 'Mobile subscription', 'Subscriber provisioned in the HLR/HSS with a SIM and a number', ['rs.sim', 'rs.msisdn']),
  rfs('rfs.sipLine', 'SIP line', 'A registered SIP account with a geographic number', ['rs.did', 'rs.sipAccount']),
  cfs('cfs.internet', 'Internet access', 'Always-on internet access at a chosen speed', ['rfs.ftthAccess', 'rfs.ipConnectivity'], [
    { name: 'downloadSpeed', valueType: 'integer', description: 'Download speed in Mbps', configurable: true, characteristicValueSpecification: speedValues },
    { name: 'uploadSpeed', valueType: 'integer', description: 'Upload speed in Mbps', configurable: true, characteristicValueSpecification: speedValues },
  ]),
  cfs('cfs.mobile', 'Mobile voice and data', 'Calls, texts and mobile data on the operator\'s network', ['rfs.mobileSubscription'], [
    { name: 'dataAllowance', valueType: 'integer', description: 'Included data per month in GB (0 = unlimited)', configurable: true },
    { name: 'roaming', valueType: 'boolean', description: 'Roaming enabled', configurable: true },
  ]),
  cfs('cfs.voip', 'VoIP telephony', 'Fixed-line telephony over IP with a geographic number', ['rfs.sipLine'], [
    { name: 'channels', valueType: 'integer', description: 'Simultaneous calls', configurable: true },
  ]),
  { key: 'scand.internet', api: svc, resource: 'serviceCandidate', state: 'Active', body: (r) => ({ name: 'Internet access', serviceSpecification: r.ref('cfs.internet'), category: [r.ref('scat.customer')] }) },
  { key: 'scand.mobile', api: svc, resource: 'serviceCandidate', state: 'Active', body: (r) => ({ name: 'Mobile voice and data', serviceSpecification: r.ref('cfs.mobile'), category: [r.ref('scat.customer')] }) },
  { key: 'scand.voip', api: svc, resource: 'serviceCandidate', state: 'Active', body: (r) => ({ name: 'VoIP telephony', serviceSpecification: r.ref('cfs.voip'), category: [r.ref('scat.customer')] }) },
  ...(['rfs.ftthAccess', 'rfs.ipConnectivity', 'rfs.mobileSubscription', 'rfs.sipLine'] as const).map(
    (spec): DemoStep => ({
      key: `scand.${spec.slice(4)}`, api: svc, resource: 'serviceCandidate', state: 'Active',
      body: (r) => ({ name: r.ref(spec).name ?? spec, serviceSpecification: r.ref(spec), category: [r.ref('scat.network')] }),
    }),
  ),
  { key: 'scatalog', api: svc, resource: 'serviceCatalog', state: 'Active', body: (r) => ({ name: 'Service catalog', description: 'Services the operator can deliver', category: [r.ref('scat.customer'), r.ref('scat.network')] }) },
];

// prices are quoted with VAT included, as consumer prices are in the EU
const money = (value: number) => ({ unit: 'EUR', value });
const vat = [{ taxCategory: 'VAT', taxRate: 20 }];

const recurring = (key: string, name: string, monthly: number): DemoStep => ({
  key, api: prd, resource: 'productOfferingPrice', state: 'Launched',
  body: () => ({ name, priceType: 'recurring', recurringChargePeriodType: 'month', recurringChargePeriodLength: 1, isBundle: false, price: money(monthly), tax: vat }),
});
const oneTime = (key: string, name: string, amount: number): DemoStep => ({
  key, api: prd, resource: 'productOfferingPrice', state: 'Launched',
  body: () => ({ name, priceType: 'oneTime', isBundle: false, price: money(amount), tax: vat }),
});
const usage = (key: string, name: string, amount: number, unit: string): DemoStep => ({
  key, api: prd, resource: 'productOfferingPrice', state: 'Launched',
  body: () => ({ name, priceType: 'usage', isBundle: false, unitOfMeasure: { amount: 1, units: unit }, price: money(amount), tax: vat }),
});

const productSpec = (key: string, name: string, description: string, cfsKey: string, chars: Record<string, unknown>[]): DemoStep => ({
  key, api: prd, resource: 'productSpecification', state: 'Launched',
  body: (r) => ({ name, description, version: '1.0', brand: 'Operon Telecom', isBundle: false, serviceSpecification: [r.ref(cfsKey)], productSpecCharacteristic: chars }),
});

const offering = (key: string, name: string, description: string, specKey: string, categoryKey: string, priceKeys: string[], charValues: Record<string, unknown>[] = []): DemoStep => ({
  key, api: prd, resource: 'productOffering', state: 'Launched',
  body: (r) => ({
    name, description, version: '1.0', isBundle: false, isSellable: true,
    productSpecification: r.ref(specKey),
    productOfferingPrice: priceKeys.map((k) => r.ref(k)),
    category: [r.ref(categoryKey)],
    channel: [{ id: 'web', name: 'Web shop' }, { id: 'retail', name: 'Retail stores' }],
    validFor: { startDateTime: '2026-01-01T00:00:00Z' },
    ...(charValues.length ? { prodSpecCharValueUse: charValues } : {}),
  }),
});

const speedUse = (mbps: number) => [
  { name: 'downloadSpeed', valueType: 'integer', productSpecCharacteristicValue: [{ valueType: 'integer', value: mbps, unitOfMeasure: 'Mbps', isDefault: true }] },
];

export const productCatalogSteps: DemoStep[] = [
  { key: 'pcat.broadband', api: prd, resource: 'category', state: 'Launched', body: () => ({ name: 'Broadband', description: 'Fixed internet access at home and at work', isRoot: true }) },
  { key: 'pcat.mobile', api: prd, resource: 'category', state: 'Launched', body: () => ({ name: 'Mobile', description: 'Mobile plans with calls, texts and data', isRoot: true }) },
  { key: 'pcat.voice', api: prd, resource: 'category', state: 'Launched', body: () => ({ name: 'Voice', description: 'Fixed-line telephony for homes and businesses', isRoot: true }) },
  productSpec('ps.ftth', 'FTTH broadband', 'Fibre-to-the-home internet access with a choice of speeds', 'cfs.internet', [
    { name: 'downloadSpeed', valueType: 'integer', description: 'Download speed in Mbps', configurable: true, minCardinality: 1, maxCardinality: 1,
      productSpecCharacteristicValue: [100, 300, 1000].map((v, i) => ({ valueType: 'integer', value: v, unitOfMeasure: 'Mbps', isDefault: i === 1 })) },
    { name: 'installationAddress', valueType: 'string', description: 'Where the line is installed', configurable: true, minCardinality: 1, maxCardinality: 1 },
  ]),
  productSpec('ps.mobile', 'Mobile plan', 'A SIM-based plan with calls, texts and data', 'cfs.mobile', [
    { name: 'dataAllowance', valueType: 'integer', description: 'Included data per month in GB (0 = unlimited)', configurable: false, minCardinality: 1, maxCardinality: 1,
      productSpecCharacteristicValue: [10, 0].map((v) => ({ valueType: 'integer', value: v, unitOfMeasure: 'GB' })) },
    { name: 'roaming', valueType: 'boolean', description: 'Roaming enabled', configurable: true, minCardinality: 0, maxCardinality: 1,
      productSpecCharacteristicValue: [{ valueType: 'boolean', value: false, isDefault: true }, { valueType: 'boolean', value: true }] },
  ]),
  productSpec('ps.voip', 'VoIP line', 'A fixed-line number delivered over IP', 'cfs.voip', [
    { name: 'channels', valueType: 'integer', description: 'Simultaneous calls', configurable: true, minCardinality: 1, maxCardinality: 1,
      productSpecCharacteristicValue: [1, 2, 10].map((v, i) => ({ valueType: 'integer', value: v, isDefault: i === 0 })) },
  ]),
  recurring('pop.fibre300.monthly', 'Fibre 300 monthly fee', 39.99),
  recurring('pop.fibre1000.monthly', 'Fibre 1000 monthly fee', 59.99),
  oneTime('pop.fibre.install', 'Fibre installation', 49),
  recurring('pop.mobile10.monthly', 'Mobile 10 GB monthly fee', 15),
  recurring('pop.mobileUnl.monthly', 'Mobile Unlimited monthly fee', 29),
  oneTime('pop.sim.activation', 'SIM activation', 10),
  usage('pop.mobile.extraData', 'Data beyond the allowance', 2, 'GB'),
  usage('pop.mobile.roamingCalls', 'Roaming calls outside the EU', 0.15, 'minute'),
  recurring('pop.voip.monthly', 'VoIP line monthly fee', 9.5),
  usage('pop.voip.national', 'National calls', 0.02, 'minute'),
  usage('pop.voip.international', 'International calls', 0.1, 'minute'),
  offering('po.fibre300', 'Fibre 300', '300 Mbps fibre broadband with unlimited data', 'ps.ftth', 'pcat.broadband', ['pop.fibre300.monthly', 'pop.fibre.install'], speedUse(300)),
  offering('po.fibre1000', 'Fibre 1000', '1 Gbps fibre broadband with unlimited data', 'ps.ftth', 'pcat.broadband', ['pop.fibre1000.monthly', 'pop.fibre.install'], speedUse(1000)),
  offering('po.mobile10', 'Mobile 10 GB', 'Unlimited calls and texts with 10 GB of data', 'ps.mobile', 'pcat.mobile', ['pop.mobile10.monthly', 'pop.sim.activation', 'pop.mobile.extraData', 'pop.mobile.roamingCalls']),
  offering('po.mobileUnl', 'Mobile Unlimited', 'Unlimited calls, texts and data', 'ps.mobile', 'pcat.mobile', ['pop.mobileUnl.monthly', 'pop.sim.activation', 'pop.mobile.roamingCalls']),
  offering('po.voip', 'Business VoIP line', 'A geographic number with pay-per-minute calls', 'ps.voip', 'pcat.voice', ['pop.voip.monthly', 'pop.voip.national', 'pop.voip.international']),
  { key: 'pcatalog.consumer', api: prd, resource: 'catalog', state: 'Launched', body: (r) => ({ name: 'Consumer catalog', description: 'What homes and individuals can buy', catalogType: 'consumer', category: [r.ref('pcat.broadband'), r.ref('pcat.mobile')] }) },
  { key: 'pcatalog.business', api: prd, resource: 'catalog', state: 'Launched', body: (r) => ({ name: 'Business catalog', description: 'What companies can buy', catalogType: 'business', category: [r.ref('pcat.broadband'), r.ref('pcat.mobile'), r.ref('pcat.voice')] }) },
];
