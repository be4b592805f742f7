import { Type, type TObject, type TSchema } from 'typebox';
import { Money, Quantity, TimePeriod, extensible } from '@operon/tmf';

/**
 * TMF637 v4.0.0 Product as clients write it: our rendering of the official
 * `Product_Create`, attribute for attribute, with the definitions it refers to.
 * Nested objects accept extra attributes (the TMF extension pattern).
 */

const S = (description: string) => Type.String({ description });
const opt = Type.Optional;
const DateTime = (description: string) => Type.String({ format: 'date-time', description });
const referred = { '@referredType': opt(S('The actual type of the target instance when needed for disambiguation')) };

/**
 * The status values exactly as the specification spells them: its enumeration
 * has `'aborted '` with a trailing space, and a stored value must validate
 * against it. `'aborted'` is accepted on input and stored as the spec spells it
 * (see `productLifecycle`).
 */
export const PRODUCT_STATUSES = ['created', 'pendingActive', 'cancelled', 'active', 'pendingTerminate', 'terminated', 'suspended', 'aborted '] as const;
export type ProductStatus = (typeof PRODUCT_STATUSES)[number];
/** The spec's spelling of the aborted status, so that nobody has to type the space. */
export const ABORTED = 'aborted ' satisfies ProductStatus;

export const ProductStatusType = Type.Enum([...PRODUCT_STATUSES], {
  description: 'Lifecycle status of the product: created, pendingActive, active, suspended, pendingTerminate, terminated, cancelled or aborted',
});

function reference(description: string, extra: Record<string, TSchema> = {}): TObject {
  return Type.Object(
    {
      id: S('Unique identifier of the referred entity'),
      href: opt(S('Hyperlink to the referred entity')),
      name: opt(S('Name of the referred entity')),
      ...extra,
      ...extensible,
      ...referred,
    },
    { description },
  );
}

export const AgreementItemRef = reference('An agreement item (commitment) the product is bound by', {
  agreementItemId: opt(S('Identifier of the agreement item')),
});
export const BillingAccountRef = reference('The billing account the product is billed to');
export const ProductOfferingRef = reference('The product offering the product was sold as');
export const ProductOfferingPriceRef = reference('The product offering price the price comes from');

export const TargetProductSchema = Type.Object(
  {
    '@baseType': opt(S('When sub-classing, this defines the super-class')),
    '@schemaLocation': S('A link to the schema describing the target product'),
    '@type': S('Class type of the target product'),
  },
  { description: 'The schema and type of the products a product specification describes' },
);

export const ProductSpecificationRef = reference('The product specification the product follows', {
  version: opt(S('Version of the product specification')),
  targetProductSchema: opt(TargetProductSchema),
});

export const ResourceRef = reference('A resource (TMF639) realizing the product', {
  value: opt(S('The value of the resource, e.g. a phone number or an IP address')),
});
export const ServiceRef = reference('A service (TMF638) realizing the product');

export const RelatedParty = Type.Object(
  {
    id: S('Unique identifier of the related party'),
    href: opt(S('Hyperlink to the related party')),
    name: opt(S('Name of the related party')),
    role: opt(S('Role played by the related party, e.g. customer or user')),
    ...extensible,
    '@referredType': S('The actual type of the party (Individual, Organization, PartyRole…)'),
  },
  { description: 'A party (or party role) linked to the product, with its role' },
);

export const RelatedPlaceRefOrValue = Type.Object(
  {
    id: opt(S('Unique identifier of the place')),
    href: opt(S('Unique reference of the place')),
    name: opt(S('A user-friendly name for the place, such as [Main Home]')),
    role: S('Role of the place for the product, e.g. installation address'),
    ...extensible,
    ...referred,
  },
  { description: 'A place linked to the product, by reference or by value' },
);

export const Characteristic = Type.Object(
  {
    name: S('Name of the characteristic'),
    valueType: opt(S('Data type of the value of the characteristic')),
    value: Type.Unknown({ description: 'The value of the characteristic' }),
    ...extensible,
  },
  { description: 'A characteristic of the product as a name/value pair' },
);

export const Price = Type.Object(
  {
    percentage: opt(Type.Number({ description: 'Percentage to apply for a price alteration (discount)' })),
    taxRate: opt(Type.Number({ description: 'Tax rate' })),
    dutyFreeAmount: opt(Money),
    taxIncludedAmount: opt(Money),
    ...extensible,
  },
  { description: 'An amount, with or without taxes, or a percentage' },
);

export const PriceAlteration = Type.Object(
  {
    applicationDuration: opt(Type.Integer({ description: 'Duration during which the alteration applies' })),
    description: opt(S('Description of the alteration')),
    name: opt(S('Name of the alteration')),
    priceType: S('Type of price altered: recurring, one time, usage'),
    priority: opt(Type.Integer({ description: 'Order in which alterations apply' })),
    recurringChargePeriod: opt(S('Period of a recurring alteration, e.g. month')),
    unitOfMeasure: opt(S('Unit of measure of a usage alteration')),
    price: Price,
    productOfferingPrice: opt(ProductOfferingPriceRef),
    ...extensible,
  },
  { description: 'A discount or surcharge on a product price' },
);

export const ProductPrice = Type.Object(
  {
    description: opt(S('Description of the price')),
    name: opt(S('Name of the price')),
    priceType: S('Type of price: recurring, one time, usage'),
    recurringChargePeriod: opt(S('Period of a recurring price, e.g. month')),
    unitOfMeasure: opt(S('Unit of measure of a usage price')),
    billingAccount: opt(BillingAccountRef),
    price: Price,
    productOfferingPrice: opt(ProductOfferingPriceRef),
    productPriceAlteration: opt(Type.Array(PriceAlteration)),
    ...extensible,
  },
  { description: 'A price the product is charged, as agreed when it was ordered' },
);

export const ProductTerm = Type.Object(
  {
    description: opt(S('Description of the term')),
    name: opt(S('Name of the term')),
    duration: opt(Quantity),
    validFor: opt(TimePeriod),
    ...extensible,
  },
  { description: 'A commitment with a duration' },
);

export const RelatedProductOrderItem = Type.Object(
  {
    orderItemAction: opt(S('Action of the order item for this product: add, modify, delete')),
    orderItemId: S('Identifier of the order item where the product was managed'),
    productOrderHref: opt(S('Hyperlink to the product order')),
    productOrderId: S('Identifier of the product order'),
    role: opt(S('Role of the order item for this product')),
    ...extensible,
    ...referred,
  },
  { description: 'The product order item that created, changed or terminated the product' },
);

/** The attributes of a product, shared by Product_Create and ProductRefOrValue. */
function productProperties(nested: TSchema): Record<string, TSchema> {
  return {
    description: opt(S('Description of the product, possibly copied from its offering')),
    isBundle: opt(Type.Boolean({ description: 'True for a bundle (an instance of a bundled offering)' })),
    isCustomerVisible: opt(Type.Boolean({ description: 'True when the customer may see the product' })),
    name: opt(S('Name of the product, possibly that of its offering')),
    orderDate: opt(DateTime('When the product was ordered')),
    productSerialNumber: opt(S('Serial number, for tangible products (e.g. a router)')),
    startDate: opt(DateTime('When the product starts')),
    terminationDate: opt(DateTime('When the product was terminated')),
    agreement: opt(Type.Array(AgreementItemRef)),
    billingAccount: opt(BillingAccountRef),
    place: opt(Type.Array(RelatedPlaceRefOrValue)),
    product: opt(Type.Array(nested)),
    productCharacteristic: opt(Type.Array(Characteristic)),
    productOffering: opt(ProductOfferingRef),
    productOrderItem: opt(Type.Array(RelatedProductOrderItem)),
    productPrice: opt(Type.Array(ProductPrice)),
    productRelationship: opt(Type.Array(productRelationship(nested))),
    productSpecification: opt(ProductSpecificationRef),
    productTerm: opt(Type.Array(ProductTerm)),
    realizingResource: opt(Type.Array(ResourceRef)),
    realizingService: opt(Type.Array(ServiceRef)),
    relatedParty: opt(Type.Array(RelatedParty)),
    status: ProductStatusType,
    ...extensible,
  };
}

function productRelationship(product: TSchema): TObject {
  return Type.Object(
    {
      relationshipType: S('Type of relationship: bundled, reliesOn, targets, isTargeted…'),
      product,
      ...extensible,
    },
    { description: 'Another product this one is linked to' },
  );
}

/**
 * ProductRefOrValue is recursive (a bundle holds products that hold products);
 * it is rendered to a fixed depth, below which a nested product is any object
 * with the TMF extension pattern, so that the schema stays finite.
 */
function productRefOrValue(depth: number): TObject {
  const nested = depth === 0 ? Type.Object({}, { description: 'A nested product, by reference or by value' }) : productRefOrValue(depth - 1);
  const { status, ...props } = productProperties(nested);
  return Type.Object(
    { id: opt(S('Identifier of the product, when by reference')), href: opt(S('Hyperlink to the product')), ...props, status: opt(status!), ...referred },
    { description: 'A product, by reference or by value' },
  );
}

export const ProductRefOrValue = productRefOrValue(3);
export const ProductRelationship = productRelationship(ProductRefOrValue);

/** Product_Create: `status` is required (the kit fills the initial state when it is missing). */
export const Product = Type.Object(productProperties(ProductRefOrValue), {
  description: 'A product offering procured by a customer, realized as services and resources',
});
