import { Type, type TObject, type TSchema } from 'typebox';
import { Characteristic, DateTime, Money, Quantity, RelatedParty, TimePeriod, Uri, entity, extensible, ref } from '@operon/tmf';

/**
 * TypeBox renderings of TMF679 Product Offering Qualification v4.0.0 and
 * TMF645 Service Qualification v4.0.1. Attributes the server sets (states,
 * results, dates) are in the schemas so that stored documents are checked,
 * and refused on input by the resource definitions (readOnly).
 */

const S = (description?: string) => Type.String(description ? { description } : {});
const opt = Type.Optional;
const arr = <T extends TSchema>(t: T, description?: string) => opt(Type.Array(t, description ? { description } : {}));
const B = (description: string) => opt(Type.Boolean({ description }));
/** A nested value below the depth the schemas spell out (the spec's structures are recursive). */
const nested = (description: string) => Type.Object({}, { description });

/** A reference whose href the spec types as a URI (TMF645). */
function uriRef(description: string, extra: Record<string, TSchema> = {}): TObject {
  return Type.Object(
    { id: S('Identifier of the referred entity'), href: opt(Uri('Link to the referred entity')), name: opt(S('Name of the referred entity')), ...extra, '@referredType': opt(S('Type of the referred entity')), ...extensible },
    { description },
  );
}

// --- shared by both APIs -----------------------------------------------------------------------

export const RelatedPlaceRefOrValue = entity(
  {
    id: opt(S('Identifier of the place, e.g. a geographic address or site')),
    href: opt(S('Link to the place')),
    name: opt(S('Name of the place')),
    role: S('Role of the place, e.g. installation address'),
    '@referredType': opt(S('Kind of place referred to, e.g. GeographicAddress, GeographicSite')),
  },
  'A place by reference, or by value (e.g. an address with @type GeographicAddress)',
);

export const TerminationError = entity(
  { id: opt(S('Identifier of the error')), value: opt(S('What made the qualification stop, e.g. incomplete information')) },
  'An error that stopped the qualification (of an item, or of the whole request)',
);

export const EligibilityUnavailabilityReason = entity(
  { code: opt(S('Reason code, e.g. noCapacity')), label: opt(S('Reason, in words')) },
  'Why something is not available',
);

const QualificationItemRelationship = entity(
  { id: opt(S('Identifier of the related item in the same qualification')), relationshipType: opt(S('Kind of relationship, e.g. dependsOn')) },
  'A link between items of the same qualification',
);

// --- TMF679 --------------------------------------------------------------------------------------

export type PoqState = 'acknowledged' | 'inProgress' | 'done' | 'terminatedWithError';
export const PoqStateSchema = Type.Union([Type.Literal('acknowledged'), Type.Literal('inProgress'), Type.Literal('done'), Type.Literal('terminatedWithError')], {
  description: 'State of the task: acknowledged, inProgress, done or terminatedWithError',
});

export type QualificationResult = 'qualified' | 'unqualified' | 'alternate';

const Note679 = entity(
  { id: S('Identifier of the note; set by the server when not given'), author: opt(S()), date: opt(DateTime()), text: S('Text of the note') },
  'A free-form note',
);

const Price = entity(
  {
    percentage: opt(Type.Number({ description: 'Percentage of a price alteration' })),
    taxRate: opt(Type.Number({ description: 'Tax rate' })),
    dutyFreeAmount: opt(Money),
    taxIncludedAmount: opt(Money),
  },
  'Amounts with and without taxes',
);

const ProductOfferingPriceRef = ref('Reference to a product offering price');
const BillingAccountRef = ref('Reference to a billing account');

const PriceAlteration = entity(
  {
    applicationDuration: opt(Type.Integer({ description: 'How many periods the alteration applies' })),
    description: opt(S()),
    name: opt(S()),
    priceType: S('recurring, oneTime or usage'),
    priority: opt(Type.Integer()),
    recurringChargePeriod: opt(S()),
    unitOfMeasure: opt(S()),
    price: Price,
    productOfferingPrice: opt(ProductOfferingPriceRef),
  },
  'A discount or surcharge on a price',
);

const ProductPrice = entity(
  {
    description: opt(S()),
    name: opt(S()),
    priceType: S('recurring, oneTime or usage'),
    recurringChargePeriod: opt(S()),
    unitOfMeasure: opt(S()),
    billingAccount: opt(BillingAccountRef),
    price: Price,
    productOfferingPrice: opt(ProductOfferingPriceRef),
    productPriceAlteration: arr(PriceAlteration),
  },
  'A price of the product',
);

const ProductStatusType = Type.Union(
  // the trailing space of 'aborted ' is the specification's
  ['created', 'pendingActive', 'cancelled', 'active', 'pendingTerminate', 'terminated', 'suspended', 'aborted '].map((s) => Type.Literal(s)),
  { description: 'Lifecycle status of the product' },
);

const RelatedProductOrderItem = entity(
  {
    orderItemAction: opt(S()),
    orderItemId: S('Identifier of the order item'),
    productOrderHref: opt(S()),
    productOrderId: S('Identifier of the product order'),
    role: opt(S()),
    '@referredType': opt(S()),
  },
  'An order item that acts on the product',
);

const ProductSpecificationRef = entity(
  {
    id: S('Identifier of the product specification'),
    href: opt(S()),
    name: opt(S()),
    version: opt(S()),
    targetProductSchema: opt(Type.Object({ '@baseType': opt(S()), '@schemaLocation': S(), '@type': S() }, { description: 'Schema of the products of this specification' })),
    '@referredType': opt(S()),
  },
  'Reference to a product specification',
);

const ProductTerm = entity(
  { description: opt(S()), name: opt(S()), duration: opt(Quantity), validFor: opt(TimePeriod) },
  'A commitment term of the product',
);

const AgreementItemRef = entity(
  { id: S(), href: opt(S()), agreementItemId: opt(S()), name: opt(S()), '@referredType': opt(S()) },
  'Reference to an agreement item',
);

const ResourceRef679 = entity({ id: S(), href: opt(S()), name: opt(S()), value: opt(S()), '@referredType': opt(S()) }, 'Reference to a resource');

/** TMF679/TMF648 ProductRefOrValue, spelled out `depth` levels deep (the specification's is recursive). */
export function productRefOrValue(depth: number): TObject {
  const inner = depth > 0 ? productRefOrValue(depth - 1) : nested('A product, by reference or by value');
  return entity(
    {
      id: opt(S('Identifier of the product, when it exists in the inventory')),
      href: opt(S()),
      description: opt(S()),
      isBundle: B('Whether the product is a bundle'),
      isCustomerVisible: B('Whether the customer sees the product'),
      name: opt(S()),
      orderDate: opt(DateTime()),
      productSerialNumber: opt(S()),
      startDate: opt(DateTime()),
      terminationDate: opt(DateTime()),
      agreement: arr(AgreementItemRef),
      billingAccount: opt(BillingAccountRef),
      place: arr(RelatedPlaceRefOrValue),
      product: arr(inner),
      productCharacteristic: arr(Characteristic),
      productOffering: opt(ref('Reference to a product offering')),
      productOrderItem: arr(RelatedProductOrderItem),
      productPrice: arr(ProductPrice),
      productRelationship: arr(entity({ relationshipType: S(), product: inner }, 'A relationship to another product')),
      productSpecification: opt(ProductSpecificationRef),
      productTerm: arr(ProductTerm),
      realizingResource: arr(ResourceRef679),
      realizingService: arr(ref('Reference to a service')),
      relatedParty: arr(RelatedParty),
      status: opt(ProductStatusType),
      '@referredType': opt(S()),
    },
    'A product, by reference (an existing product) or by value (a product to configure)',
  );
}

const AlternateProductOfferingProposal = entity(
  {
    id: opt(S()),
    alternateActivationDate: opt(DateTime('Activation date that can be met instead of the requested one')),
    alternateProduct: opt(productRefOrValue(1)),
    alternateProductOffering: opt(ref('Reference to the alternate product offering')),
  },
  'Another offering, or another date, that can be offered instead',
);

export const ProductOfferingQualificationItem = entity(
  {
    id: S('Identifier of the item in the qualification'),
    expectedActivationDate: opt(DateTime('When the requester wants the product active')),
    qualificationItemResult: opt(Type.Union([Type.Literal('qualified'), Type.Literal('unqualified'), Type.Literal('alternate')], { description: 'qualified, unqualified or alternate; set by the server' })),
    action: opt(Type.Union([Type.Literal('add'), Type.Literal('modify'), Type.Literal('delete'), Type.Literal('noChange')], { description: 'What is asked: add (default), modify, delete or noChange' })),
    alternateProductOfferingProposal: arr(AlternateProductOfferingProposal),
    eligibilityUnavailabilityReason: arr(EligibilityUnavailabilityReason),
    note: arr(Note679),
    product: opt(productRefOrValue(2)),
    productOffering: opt(ref('Reference to the product offering to qualify')),
    qualificationItemRelationship: arr(QualificationItemRelationship),
    state: opt(PoqStateSchema),
    terminationError: arr(TerminationError),
  },
  'An offering (or product) to qualify, and its answer',
);

export const ProductOfferingQualification = entity(
  {
    description: opt(S('Description of the qualification')),
    effectiveQualificationDate: opt(DateTime('When the qualification was completed; set by the server')),
    expectedPOQCompletionDate: opt(DateTime('When an answer is expected; set by the server')),
    expirationDate: opt(DateTime('When the answer stops being valid; set by the server')),
    instantSyncQualification: B('true: the answer comes in the response of the POST (200); otherwise the task is answered later (201)'),
    productOfferingQualificationDate: opt(DateTime('When the qualification was submitted; set by the server')),
    provideAlternative: B('Whether alternatives are wanted for what is not available'),
    provideOnlyAvailable: B('Whether only the available offerings are to be listed in the answer'),
    provideUnavailabilityReason: B('Whether reasons are wanted for what is not available'),
    qualificationResult: opt(Type.Union([Type.Literal('qualified'), Type.Literal('unqualified'), Type.Literal('alternate')], {
      description: 'qualified (every item qualified), alternate (some alternate, none unqualified) or unqualified; set by the server',
    })),
    requestedPOQCompletionDate: opt(DateTime('When the requester wants an answer')),
    category: opt(entity({ id: S(), href: opt(S()), name: opt(S()), version: opt(S()), '@referredType': opt(S()) }, 'Reference to a product category')),
    channel: opt(ref('Reference to the sales channel')),
    note: arr(Note679),
    place: arr(RelatedPlaceRefOrValue),
    productOfferingQualificationItem: arr(ProductOfferingQualificationItem),
    relatedParty: arr(RelatedParty),
    state: opt(PoqStateSchema),
    terminationError: arr(TerminationError, 'Operon extension: why the qualification as a whole ended terminatedWithError; set by the server'),
  },
  'A request to know whether product offerings can be sold in a context (place, channel, party), and its answer',
);

// --- TMF645 --------------------------------------------------------------------------------------

export type ServiceQualificationState = 'accepted' | 'inProgress' | 'done' | 'terminatedWithError';
export const ServiceQualificationStateSchema = Type.Union([Type.Literal('accepted'), Type.Literal('inProgress'), Type.Literal('done'), Type.Literal('terminatedWithError')], {
  description: 'State of the task: accepted, inProgress, done or terminatedWithError',
});

const TimePeriod645 = Type.Object(
  { startDateTime: opt(DateTime()), endDateTime: opt(DateTime()), ...extensible },
  { description: 'A period of time' },
);

const RelatedParty645 = uriRef('A party playing a role for the qualification');
const RelatedParty645Required = Type.Object(
  { ...RelatedParty645.properties, role: opt(S('Role played by the party')), '@referredType': S('Kind of party: Individual, Organization, PartyRole…') },
  { description: 'A party (or party role) playing a role, e.g. the customer' },
);

const Note645 = entity({ id: opt(S()), author: opt(S()), date: opt(DateTime()), text: opt(S()) }, 'A free-form note');

const Feature = entity(
  {
    id: opt(S()),
    isBundle: B('Whether the feature is a bundle'),
    isEnabled: B('Whether the feature is enabled'),
    name: S('Name of the feature'),
    constraint: arr(uriRef('Reference to a constraint', { version: opt(S()) })),
    featureCharacteristic: Type.Array(Characteristic, { minItems: 1 }),
    featureRelationship: arr(entity({ id: opt(S()), name: S(), relationshipType: S(), validFor: opt(TimePeriod645) }, 'A relationship to another feature')),
  },
  'A feature of the service',
);

const RelatedEntityRefOrValue = entity(
  { id: opt(S()), href: opt(S()), name: opt(S()), role: S('Role of the entity'), '@referredType': opt(S()) },
  'An entity related to the service, by reference or by value',
);

const RelatedServiceOrderItem = entity(
  {
    itemId: S(),
    role: opt(S()),
    serviceOrderHref: opt(S()),
    serviceOrderId: S(),
    itemAction: opt(Type.Union([Type.Literal('add'), Type.Literal('modify'), Type.Literal('delete'), Type.Literal('noChange')])),
    '@referredType': opt(S()),
  },
  'A service order item that acts on the service',
);

const ServiceStateType = Type.Union(['feasibilityChecked', 'designed', 'reserved', 'inactive', 'active', 'terminated'].map((s) => Type.Literal(s)), {
  description: 'Lifecycle state of the service',
});

/** TMF645 ServiceRefOrValue, spelled out `depth` levels deep (the specification's is recursive). */
export function serviceRefOrValue(depth: number): TObject {
  const inner = depth > 0 ? serviceRefOrValue(depth - 1) : nested('A service, by reference or by value');
  return entity(
    {
      id: opt(S('Identifier of an existing service')),
      href: opt(S()),
      category: opt(S('Category of the service, e.g. CFS or RFS')),
      description: opt(S()),
      endDate: opt(DateTime()),
      hasStarted: B('Whether the service has started'),
      isBundle: B('Whether the service is a bundle'),
      isServiceEnabled: B('Whether the service is enabled'),
      isStateful: B('Whether the service can be changed without affecting others'),
      name: opt(S()),
      serviceDate: opt(S()),
      serviceType: opt(S()),
      startDate: opt(DateTime()),
      startMode: opt(S()),
      feature: arr(Feature),
      note: arr(Note645),
      place: arr(RelatedPlaceRefOrValue),
      relatedEntity: arr(RelatedEntityRefOrValue),
      relatedParty: arr(RelatedParty645Required),
      serviceCharacteristic: arr(Characteristic),
      serviceOrderItem: arr(RelatedServiceOrderItem),
      serviceRelationship: arr(entity({ relationshipType: S(), service: opt(inner), serviceRelationshipCharacteristic: arr(Characteristic) }, 'A relationship to another service')),
      serviceSpecification: opt(uriRef('Reference to the service specification', { version: opt(S()) })),
      state: opt(ServiceStateType),
      supportingResource: arr(uriRef('Reference to a supporting resource')),
      supportingService: arr(inner),
      '@referredType': opt(S()),
    },
    'A service, by reference (an existing service) or by value (a service to configure)',
  );
}

const ServiceCategoryRef = uriRef('Reference to a service category', { version: opt(S()) });

const serviceQualificationItemAttributes = {
  id: opt(S('Identifier of the item; set by the server when not given')),
  expectedActivationDate: opt(DateTime('When the service is expected to be active')),
  expectedServiceAvailabilityDate: opt(DateTime('When the requester wants the service available')),
  expirationDate: opt(DateTime('When the answer for this item stops being valid')),
  category: opt(ServiceCategoryRef),
  service: opt(serviceRefOrValue(2)),
};

export const ServiceQualificationItem = entity(serviceQualificationItemAttributes, 'A service asked about, or found available');

export const CheckServiceQualificationItem = entity(
  {
    ...serviceQualificationItemAttributes,
    qualificationResult: opt(Type.Union([Type.Literal('qualified'), Type.Literal('unqualified'), Type.Literal('alternate')], { description: 'qualified, unqualified or alternate; set by the server' })),
    state: opt(S('State of the item (as the task): accepted, inProgress, done or terminatedWithError; set by the server')),
    alternateServiceProposal: arr(entity({ id: opt(S()), alternateServiceAvailabilityDate: opt(DateTime()), alternateService: opt(serviceRefOrValue(1)) }, 'Another service, or another date, that can be offered')),
    eligibilityUnavailabilityReason: arr(EligibilityUnavailabilityReason),
    qualificationItemRelationship: arr(QualificationItemRelationship),
    qualificationRelationship: arr(QualificationItemRelationship),
    terminationError: arr(TerminationError),
  },
  'A configured service to check, and its answer',
);

const serviceQualificationCommon = {
  description: opt(S('Description of the qualification')),
  effectiveQualificationDate: opt(DateTime('When the qualification was completed; set by the server')),
  estimatedResponseDate: opt(DateTime('When an answer is expected; set by the server')),
  expectedQualificationDate: opt(DateTime('Deadline by which the requester wants an answer')),
  expirationDate: opt(DateTime('When the answer stops being valid; set by the server')),
  externalId: opt(S('Identifier given by the requester')),
  instantSyncQualification: B('true: the answer comes in the response of the POST (200); otherwise the task is answered later (201)'),
  relatedParty: arr(RelatedParty645Required),
  state: opt(ServiceQualificationStateSchema),
  terminationError: arr(TerminationError, 'Operon extension: why the qualification as a whole ended terminatedWithError; set by the server'),
};

export const CheckServiceQualification = entity(
  {
    ...serviceQualificationCommon,
    checkServiceQualificationDate: opt(DateTime('When the qualification was submitted; set by the server')),
    provideAlternative: B('Whether alternatives are wanted for what is not available'),
    provideUnavailabilityReason: B('Whether reasons are wanted for what is not available'),
    qualificationResult: opt(Type.Union([Type.Literal('qualified'), Type.Literal('unqualified'), Type.Literal('alternate')], {
      description: 'qualified (every item qualified), alternate (some alternate, none unqualified) or unqualified; set by the server',
    })),
    serviceQualificationItem: Type.Array(CheckServiceQualificationItem, { description: 'The configured services to check' }),
  },
  'A check of whether configured services can be delivered (place, party, characteristics), and its answer',
);

export const QueryServiceQualification = entity(
  {
    ...serviceQualificationCommon,
    queryServiceQualificationDate: opt(DateTime('When the qualification was submitted; set by the server')),
    searchCriteria: ServiceQualificationItem,
    serviceQualificationItem: arr(ServiceQualificationItem, 'The services found available; set by the server'),
  },
  'A search for the services that can be delivered in a context (place, party, category), and its answer',
);
