import { Type } from 'typebox';
import {
  DateTime, Money, Quantity, TimePeriod, Uri, catalogAttachment, catalogItemProperties, catalogRef, catalogRelatedParty, characteristicSpecification,
  characteristicValueSpecification, entity, jobSchemas, targetSchema,
} from '@operon/tmf';

/*
 * TypeBox renderings of the TMF620 v4.1 `<X>_Create` definitions. Nested
 * structures are written out here rather than taken from the shared blocks
 * where the specification is more precise (e.g. `href` as a URI), so that
 * whatever is accepted also validates against the official response schema.
 */

const S = (description?: string) => Type.String(description ? { description } : {});
const B = (description: string) => Type.Boolean({ description });
const I = (description: string) => Type.Integer({ description });
const N = (description: string) => Type.Number({ description });
const opt = Type.Optional;
const list = <T extends Parameters<typeof Type.Array>[0]>(items: T, description: string) => opt(Type.Array(items, { description }));

// --- references ------------------------------------------------------------------------------

const reference = catalogRef;
export const AgreementRef = reference('A contract under which the offering is sold');
export const CategoryRef = reference('A category of the catalog', { version: 'Version of the category' });
export const ChannelRef = reference('A sales channel (shop, web, partner…)');
export const ConstraintRef = reference('A policy or rule that constrains the entity', { version: 'Version of the constraint' });
export const MarketSegmentRef = reference('A market segment the offering targets', { hrefIsUri: false });
export const PlaceRef = reference('A place where the product is sold or delivered');
export const ProductOfferingRef = reference('A product offering');
export const ResourceCandidateRef = reference('A resource specification made available through a catalog', { version: 'Version of the resource candidate' });
export const ServiceCandidateRef = reference('A service specification made available through a catalog', { version: 'Version of the service candidate' });
export const SLARef = reference('A service level agreement that applies to the offering', { hrefIsUri: false });
export const ResourceSpecificationRef = reference('A resource specification (TMF634) needed to realise the product', { version: 'Version of the resource specification' });
export const ServiceSpecificationRef = reference('A service specification (TMF633) needed to realise the product', { version: 'Version of the service specification' });

export const TargetProductSchema = targetSchema('products', { locationIsUri: true });

export const ProductSpecificationRef = reference('A product specification', {
  version: 'Version of the product specification',
  extra: { targetProductSchema: opt(TargetProductSchema) },
});

export const RelatedParty = catalogRelatedParty('owner, approver, supplier');

// --- shared value types ----------------------------------------------------------------------

export const Duration = Type.Object(
  {
    amount: opt(I('How many units of time')),
    units: opt(S('Unit of time: day, week, month, year…')),
  },
  { description: 'A length of time in a unit' },
);

export const AttachmentRefOrValue = catalogAttachment('picture, video, brochure…');

// --- product specification -------------------------------------------------------------------

export const CharacteristicValueSpecification = characteristicValueSpecification('Mbps, GB, minutes');

export const ProductSpecificationCharacteristicRelationship = entity(
  {
    id: opt(S('Identifier of the product specification holding the related characteristic')),
    href: opt(S('Link to that product specification')),
    charSpecSeq: opt(I('Position of the characteristic within the related one')),
    name: opt(S('Name of the related characteristic')),
    relationshipType: opt(S('aggregation, migration, substitution, dependency, exclusivity…')),
    validFor: opt(TimePeriod),
  },
  'A relationship from this characteristic to another one',
);

export const ProductSpecificationCharacteristic = characteristicSpecification({
  description: 'A feature of the product a value is given for: speed, colour, data allowance…',
  relationshipKey: 'productSpecCharRelationship',
  relationship: ProductSpecificationCharacteristicRelationship,
  valuesKey: 'productSpecCharacteristicValue',
  values: CharacteristicValueSpecification,
});

export const BundledProductSpecification = entity(
  {
    id: opt(S('Identifier of the bundled product specification')),
    href: opt(S('Link to the bundled product specification')),
    lifecycleStatus: opt(S('Lifecycle status of the bundled specification')),
    name: opt(S('Name of the bundled product specification')),
  },
  'A product specification that is part of this bundle',
);

export const ProductSpecificationRelationship = entity(
  {
    id: S('Identifier of the related product specification'),
    href: opt(Uri('Link to the related product specification')),
    name: opt(S('Name of the related product specification')),
    relationshipType: opt(S('migration, substitution, dependency, exclusivity…')),
    validFor: opt(TimePeriod),
    '@referredType': opt(S('Concrete type of the related specification')),
  },
  'How this product specification relates to another one',
);

export const ProductSpecification = entity(
  {
    ...catalogItemProperties,
    brand: opt(S('Manufacturer or trademark')),
    isBundle: opt(B('The specification groups other product specifications')),
    productNumber: opt(S('Identification number of the product (SKU, part number)')),
    attachment: list(AttachmentRefOrValue, 'Documents, pictures or videos about the product'),
    bundledProductSpecification: list(BundledProductSpecification, 'The product specifications this bundle groups'),
    productSpecCharacteristic: list(ProductSpecificationCharacteristic, 'The characteristics of the product'),
    productSpecificationRelationship: list(ProductSpecificationRelationship, 'Migration, substitution, dependency or exclusivity links to other specifications'),
    relatedParty: list(RelatedParty, 'Parties involved with the specification'),
    resourceSpecification: list(ResourceSpecificationRef, 'Resource specifications needed to realise the product'),
    serviceSpecification: list(ServiceSpecificationRef, 'Service specifications needed to realise the product'),
    targetProductSchema: opt(TargetProductSchema),
  },
  'What a product is: its characteristics and the services and resources that realise it',
);

// --- product offering price ------------------------------------------------------------------

export const BundledProductOfferingPriceRelationship = entity(
  {
    id: opt(S('Identifier of the component price')),
    href: opt(S('Link to the component price')),
    name: opt(S('Name of the component price')),
  },
  'A price that is part of this composite price',
);

export const ProductOfferingPriceRelationship = entity(
  {
    id: opt(S('Identifier of the related price')),
    href: opt(Uri('Link to the related price')),
    name: opt(S('Name of the related price')),
    relationshipType: opt(S('Kind of relationship: override, discount…')),
    role: opt(S('Role of this price in the relationship')),
    '@referredType': opt(S('Concrete type of the related price')),
  },
  'Another price this one relates to, e.g. a discount applying to it',
);

export const PricingLogicAlgorithm = entity(
  {
    id: opt(S('Identifier of the algorithm')),
    href: opt(Uri('Link to the algorithm')),
    description: opt(S('What the algorithm computes')),
    name: opt(S('Name of the algorithm')),
    plaSpecId: opt(S('Identifier of the algorithm specification it implements')),
    validFor: opt(TimePeriod),
  },
  'An external algorithm that computes the price',
);

export const ProductSpecificationCharacteristicValueUse = entity(
  {
    id: opt(S('Identifier of the characteristic in the product specification')),
    description: opt(S('What the characteristic means for this offering')),
    maxCardinality: opt(I('Largest number of values a product of this offering may carry')),
    minCardinality: opt(I('Smallest number of values a product of this offering must carry')),
    name: opt(S('Name of the characteristic in the product specification')),
    valueType: opt(S('Data type of the values')),
    productSpecCharacteristicValue: list(CharacteristicValueSpecification, 'The values of the specification this offering allows'),
    productSpecification: opt(ProductSpecificationRef),
    validFor: opt(TimePeriod),
  },
  'How an offering (or price) narrows a characteristic of the product specification',
);

export const ProductOfferingTerm = entity(
  {
    description: opt(S('What the term commits the customer to')),
    name: opt(S('Name of the term, e.g. 12 month commitment')),
    duration: opt(Duration),
    validFor: opt(TimePeriod),
  },
  'A condition of sale, typically a commitment period',
);

export const TaxItem = entity(
  {
    id: opt(S('Identifier of the tax item')),
    href: opt(Uri('Link to the tax item')),
    taxCategory: opt(S('Tax category, e.g. VAT')),
    taxRate: opt(N('Rate of the tax, e.g. 0.2 for 20%')),
    taxAmount: opt(Money),
  },
  'A tax levied on the price',
);

export const ProductOfferingPrice = entity(
  {
    ...catalogItemProperties,
    isBundle: opt(B('The price is composed of other prices (see bundledPopRelationship)')),
    percentage: opt(N('Percentage applied when the price alters another one (discount, allowance)')),
    priceType: opt(S('Kind of charge: recurring, oneTime, usage, discount, allowance or penalty')),
    recurringChargePeriodLength: opt(I('Number of periods between two recurring charges; 0 when not recurring')),
    recurringChargePeriodType: opt(S('Period a recurring charge repeats on: day, week, month or year')),
    bundledPopRelationship: list(BundledProductOfferingPriceRelationship, 'The prices this composite price is made of'),
    constraint: list(ConstraintRef, 'Policies that govern when the price applies'),
    place: list(PlaceRef, 'Places where the price applies'),
    popRelationship: list(ProductOfferingPriceRelationship, 'Other prices this one relates to'),
    price: opt(Money),
    pricingLogicAlgorithm: list(PricingLogicAlgorithm, 'External algorithms that compute the price'),
    prodSpecCharValueUse: list(ProductSpecificationCharacteristicValueUse, 'Characteristic values the price depends on'),
    productOfferingTerm: list(ProductOfferingTerm, 'Conditions under which the price applies'),
    tax: list(TaxItem, 'Taxes levied on the price'),
    unitOfMeasure: opt(Quantity),
  },
  'An amount asked for a product offering: a recurring fee, a one-time charge, a usage rate, a discount',
);

// --- product offering ------------------------------------------------------------------------

export const BundledProductOfferingOption = entity(
  {
    numberRelOfferDefault: opt(I('How many of the bundled offering are included by default')),
    numberRelOfferLowerLimit: opt(I('Fewest of the bundled offering a customer may take')),
    numberRelOfferUpperLimit: opt(I('Most of the bundled offering a customer may take')),
  },
  'How many of a bundled offering may be taken within the bundle',
);

export const BundledProductOffering = entity(
  {
    id: opt(S('Identifier of the bundled product offering')),
    href: opt(S('Link to the bundled product offering')),
    lifecycleStatus: opt(S('Lifecycle status of the bundled offering')),
    name: opt(S('Name of the bundled product offering')),
    bundledProductOfferingOption: opt(BundledProductOfferingOption),
  },
  'A product offering that is part of this bundle',
);

export const ProductPriceValue = entity(
  {
    percentage: opt(N('Percentage applied by a price alteration')),
    taxCategory: opt(S('Tax category')),
    taxRate: opt(N('Tax rate')),
    dutyFreeAmount: opt(Money),
    taxIncludedAmount: opt(Money),
  },
  'An amount with and without tax',
);

export const POPAlteration = entity(
  {
    id: opt(S('Identifier of the alteration')),
    href: opt(Uri('Link to the alteration')),
    description: opt(S('What the alteration does')),
    name: opt(S('Name of the alteration')),
    priceType: S('Kind of charge altered: recurring, oneTime, usage…'),
    priority: opt(I('Order in which alterations apply')),
    recurringChargePeriod: opt(S('Period of a recurring alteration: day, week, month or year')),
    applicationDuration: opt(Duration),
    price: ProductPriceValue,
    unitOfMeasure: opt(Quantity),
    validFor: opt(TimePeriod),
  },
  'A change to the price, such as a discount for the first months',
);

export const ProductOfferingPriceRefOrValue = entity(
  {
    id: opt(S('Identifier of the price, when it is a reference')),
    href: opt(Uri('Link to the price, when it is a reference')),
    description: opt(S('What the price is for')),
    lastUpdate: opt(DateTime('When the price last changed')),
    lifecycleStatus: opt(S('Lifecycle status of the price')),
    name: opt(S('Name of the price')),
    priceType: opt(S('Kind of charge: recurring, oneTime, usage, discount, allowance or penalty')),
    recurringChargePeriod: opt(S('Period a recurring charge repeats on: day, week, month or year')),
    recurringChargePeriodLength: opt(I('Number of periods between two recurring charges')),
    version: opt(S('Version of the price')),
    constraint: list(ConstraintRef, 'Policies that govern when the price applies'),
    price: opt(ProductPriceValue),
    priceAlteration: list(POPAlteration, 'Alterations of the price'),
    unitOfMeasure: opt(Quantity),
    validFor: opt(TimePeriod),
    '@referredType': opt(S('Concrete type of the referred price')),
  },
  'A price of the offering: a reference to a ProductOfferingPrice (with id), or a price given inline (without id)',
);

export const ProductOfferingRelationship = entity(
  {
    id: opt(S('Identifier of the related offering')),
    href: opt(Uri('Link to the related offering')),
    name: opt(S('Name of the related offering')),
    relationshipType: opt(S('requires, exchangeableTo, optionalFor…')),
    role: opt(S('Role of this offering in the relationship')),
    validFor: opt(TimePeriod),
    '@referredType': opt(S('Concrete type of the related offering')),
  },
  'How this offering relates to another one',
);

export const ProductOffering = entity(
  {
    ...catalogItemProperties,
    isBundle: opt(B('The offering groups other offerings (see bundledProductOffering)')),
    isSellable: opt(B('Can be sold on its own; false when it is sold only within a bundle')),
    statusReason: opt(S('Why the offering is in its lifecycle status')),
    agreement: list(AgreementRef, 'Agreements the offering is sold under'),
    attachment: list(AttachmentRefOrValue, 'Documents, pictures or videos about the offering'),
    bundledProductOffering: list(BundledProductOffering, 'The offerings this bundle groups'),
    category: list(CategoryRef, 'Categories the offering is listed in'),
    channel: list(ChannelRef, 'Channels the offering is sold through'),
    marketSegment: list(MarketSegmentRef, 'Market segments the offering targets'),
    place: list(PlaceRef, 'Places where the offering is sold or delivered'),
    prodSpecCharValueUse: list(ProductSpecificationCharacteristicValueUse, 'Characteristic values of the specification the offering allows'),
    productOfferingPrice: list(ProductOfferingPriceRefOrValue, 'What the offering costs'),
    productOfferingRelationship: list(ProductOfferingRelationship, 'Relationships to other offerings'),
    productOfferingTerm: list(ProductOfferingTerm, 'Conditions of sale, such as a commitment period'),
    productSpecification: opt(ProductSpecificationRef),
    resourceCandidate: opt(ResourceCandidateRef),
    serviceCandidate: opt(ServiceCandidateRef),
    serviceLevelAgreement: opt(SLARef),
  },
  'What is sold: a product specification with its prices, terms, channels and places',
);

// --- catalog and category --------------------------------------------------------------------

export const Category = entity(
  {
    ...catalogItemProperties,
    isRoot: opt(B('The category has no parent; derived from parentId when not given')),
    parentId: opt(S('Identifier of the parent category')),
    productOffering: list(ProductOfferingRef, 'Offerings listed in the category'),
    subCategory: list(CategoryRef, 'Child categories'),
  },
  'A group of offerings within a catalog; categories form a tree',
);

export const Catalog = entity(
  {
    ...catalogItemProperties,
    catalogType: opt(S('Kind of catalog: product, service or resource')),
    category: list(CategoryRef, 'The root categories of the catalog'),
    relatedParty: list(RelatedParty, 'Parties involved with the catalog'),
  },
  'A collection of offerings for a market or channel, organised in categories',
);

// --- import and export jobs ------------------------------------------------------------------

export const { ExportJob, ImportJob } = jobSchemas({ collections: 'productOffering' });
