import { Type, type Static, type TObject, type TSchema } from 'typebox';
import {
  AttachmentRefOrValue, Characteristic, ContactMedium, DateTime, Money, Quantity, RelatedParty, TimePeriod, entity, ref,
} from '@operon/tmf';

/**
 * TypeBox rendering of TMF648 Quote Management v4.0.0. Attributes the server
 * sets (state, dates, prices) are in the schema so that stored documents are
 * checked, and refused on input by the resource definition (readOnly).
 */

const S = (description?: string) => Type.String(description ? { description } : {});
const opt = Type.Optional;
const arr = <T extends TSchema>(t: T, description?: string) => opt(Type.Array(t, description ? { description } : {}));
const B = (description: string) => opt(Type.Boolean({ description }));
/** A nested value below the depth the schema spells out (the specification's structures are recursive). */
const nested = (description: string) => Type.Object({}, { description });

export const QUOTE_STATES = ['inProgress', 'pending', 'approved', 'accepted', 'rejected', 'cancelled'] as const;
export type QuoteState = (typeof QUOTE_STATES)[number];
const QuoteStateSchema = (description: string) => Type.Union(QUOTE_STATES.map((s) => Type.Literal(s)), { description });

export const ITEM_ACTIONS = ['add', 'modify', 'delete', 'noChange'] as const;
export type QuoteItemAction = (typeof ITEM_ACTIONS)[number];

export const PRICE_TYPES = ['recurring', 'oneTime', 'usage'] as const;
export type PriceType = (typeof PRICE_TYPES)[number];

const Note = entity(
  { id: S('Identifier of the note; set by the server when not given'), author: opt(S()), date: opt(DateTime()), text: S('Text of the note') },
  'A free-form note',
);

export const Price = entity(
  {
    percentage: opt(Type.Number({ description: 'Percentage of a price alteration' })),
    taxRate: opt(Type.Number({ minimum: 0, description: 'Tax rate, in percent' })),
    dutyFreeAmount: opt(Money),
    taxIncludedAmount: opt(Money),
  },
  'Amounts with and without taxes',
);

const ProductOfferingPriceRef = ref('Reference to the product offering price this price comes from');
export type ProductOfferingPriceRefValue = Static<typeof ProductOfferingPriceRef>;

export const PriceAlteration = entity(
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
  'A discount or surcharge applied to a price',
);

export const QuotePrice = entity(
  {
    description: opt(S()),
    name: opt(S()),
    priceType: S('recurring, oneTime or usage'),
    recurringChargePeriod: opt(S('For a recurring price: month, week, year…')),
    unitOfMeasure: opt(S('For a usage price: what one unit is (GB, minute…)')),
    price: Price,
    priceAlteration: arr(PriceAlteration),
    productOfferingPrice: opt(ProductOfferingPriceRef),
  },
  'A price of a quote item, or a total of the quote',
);

const Authorization = entity(
  {
    givenDate: opt(DateTime('When the authorization was given or declined')),
    name: opt(S('Name of the required authorization, e.g. discount approval')),
    requestedDate: opt(DateTime('When the authorization was asked for')),
    signatureRepresentation: opt(S()),
    state: opt(S('approved or declined')),
    approver: arr(RelatedParty),
  },
  'An authorization given (or declined) for the quote or an item',
);

const RelatedPlaceRefOrValue = entity(
  { id: opt(S()), href: opt(S()), name: opt(S()), role: S('Role of the place, e.g. installationAddress'), '@referredType': opt(S()) },
  'A place by reference or by value',
);

const ProductPrice = entity(
  {
    description: opt(S()), name: opt(S()), priceType: S(), recurringChargePeriod: opt(S()), unitOfMeasure: opt(S()),
    billingAccount: opt(ref('Reference to a billing account')), price: Price, productOfferingPrice: opt(ProductOfferingPriceRef),
    productPriceAlteration: arr(PriceAlteration),
  },
  'A price of the product',
);

const ProductStatusType = Type.Union(
  // the trailing space of 'aborted ' is the specification's
  ['created', 'pendingActive', 'cancelled', 'active', 'pendingTerminate', 'terminated', 'suspended', 'aborted '].map((s) => Type.Literal(s)),
  { description: 'Lifecycle status of the product' },
);

/** TMF648 ProductRefOrValue, spelled out `depth` levels deep (the specification's is recursive). */
function productRefOrValue(depth: number): TObject {
  const inner = depth > 0 ? productRefOrValue(depth - 1) : nested('A product, by reference or by value');
  return entity(
    {
      id: opt(S('Identifier of an existing product (for modify, delete or noChange)')),
      href: opt(S()),
      description: opt(S()),
      isBundle: B('Whether the product is a bundle'),
      isCustomerVisible: B('Whether the customer sees the product'),
      name: opt(S()),
      orderDate: opt(DateTime()),
      productSerialNumber: opt(S()),
      startDate: opt(DateTime()),
      terminationDate: opt(DateTime()),
      agreement: arr(entity({ id: S(), href: opt(S()), agreementItemId: opt(S()), name: opt(S()), '@referredType': opt(S()) }, 'Reference to an agreement item')),
      billingAccount: opt(ref('Reference to a billing account')),
      place: arr(RelatedPlaceRefOrValue),
      product: arr(inner),
      productCharacteristic: arr(Characteristic),
      productOffering: opt(ref('Reference to a product offering')),
      productOrderItem: arr(entity({ orderItemAction: opt(S()), orderItemId: S(), productOrderHref: opt(S()), productOrderId: S(), role: opt(S()), '@referredType': opt(S()) }, 'An order item acting on the product')),
      productPrice: arr(ProductPrice),
      productRelationship: arr(entity({ relationshipType: S(), product: inner }, 'A relationship to another product')),
      productSpecification: opt(entity({
        id: S(), href: opt(S()), name: opt(S()), version: opt(S()),
        targetProductSchema: opt(Type.Object({ '@baseType': opt(S()), '@schemaLocation': S(), '@type': S() })), '@referredType': opt(S()),
      }, 'Reference to a product specification')),
      productTerm: arr(entity({ description: opt(S()), name: opt(S()), duration: opt(Quantity), validFor: opt(TimePeriod) }, 'A commitment term')),
      realizingResource: arr(entity({ id: S(), href: opt(S()), name: opt(S()), value: opt(S()), '@referredType': opt(S()) }, 'Reference to a resource')),
      realizingService: arr(ref('Reference to a service')),
      relatedParty: arr(RelatedParty),
      status: opt(ProductStatusType),
      '@referredType': opt(S()),
    },
    'The product to quote: by value (its configuration) for a new one, by reference for an existing one',
  );
}

const QuoteItemRelationship = entity(
  { id: S('Identifier of the related item, in the same quote'), relationshipType: S('Kind of relationship, e.g. reliesOn, bundles') },
  'A link to another item of the same quote',
);

/** TMF648 QuoteItem, `depth` levels of sub-items deep (bundles). */
function quoteItem(depth: number): TObject {
  return entity(
    {
      id: opt(S('Identifier of the item, unique in the quote; numbered by the server when not given')),
      action: Type.Union(ITEM_ACTIONS.map((a) => Type.Literal(a)), { description: 'What is quoted for: add a product, modify or delete an existing one, or noChange' }),
      quantity: opt(Type.Integer({ minimum: 1, description: 'How many of the product; 1 when not given' })),
      state: opt(QuoteStateSchema('State of the item, following its quote; set by the server')),
      appointment: arr(entity({ id: S(), href: opt(S()), description: opt(S()), '@referredType': opt(S()) }, 'Reference to an appointment')),
      attachment: arr(AttachmentRefOrValue),
      note: arr(Note),
      product: opt(productRefOrValue(2)),
      productOffering: opt(ref('Reference to the product offering quoted')),
      productOfferingQualificationItem: opt(entity({
        id: S('Identifier of the qualification item'), href: opt(S()), name: opt(S()),
        productOfferingQualificationHref: opt(S()), productOfferingQualificationId: S('Identifier of the product offering qualification'),
        productOfferingQualificationName: opt(S()), '@referredType': opt(S()),
      }, 'The qualification item that found the offering available')),
      quoteItem: depth > 0 ? arr(quoteItem(depth - 1), 'Sub-items, e.g. the options of a bundle') : opt(Type.Array(nested('A quote item'), { maxItems: 0, description: 'Sub-items nest at most three levels deep' })),
      quoteItemAuthorization: arr(Authorization),
      quoteItemPrice: arr(QuotePrice, 'Prices of the item (quantity included); set by the server from the quotePricer'),
      quoteItemRelationship: arr(QuoteItemRelationship),
      relatedParty: arr(RelatedParty),
    },
    'An operation on a product to be quoted',
  );
}

export const QuoteItem = quoteItem(2);

export const Quote = entity(
  {
    category: opt(S('Business category of the quote, e.g. residential, enterprise')),
    description: opt(S('Description of the quote')),
    effectiveQuoteCompletionDate: opt(DateTime('When the quote was answered (approved, rejected or cancelled); set by the server')),
    expectedFulfillmentStartDate: opt(DateTime('When the requester wants delivery to start')),
    expectedQuoteCompletionDate: opt(DateTime('When the quote is expected to be answered; set by the server')),
    externalId: opt(S('Identifier given by the requester')),
    instantSyncQuote: B('true: the quote is priced and answered in the response of the POST (200) when it can be; otherwise a quote in progress is created (201)'),
    quoteDate: opt(DateTime('When the quote was created; set by the server')),
    requestedQuoteCompletionDate: opt(DateTime('When the requester wants an answer')),
    version: opt(S('Version of the quote')),
    agreement: arr(ref('Reference to an agreement giving the context of the quote')),
    authorization: arr(Authorization),
    billingAccount: arr(ref('Reference to a billing account')),
    contactMedium: arr(ContactMedium),
    note: arr(Note),
    productOfferingQualification: arr(ref('Reference to a product offering qualification done before the quote')),
    quoteItem: Type.Array(QuoteItem, { minItems: 1, description: 'The items of the quote' }),
    quoteTotalPrice: arr(QuotePrice, 'Totals of the recurring and one-time prices, by charge period and currency; set by the server'),
    relatedParty: arr(RelatedParty),
    state: opt(QuoteStateSchema('State of the quote: inProgress, pending, approved, accepted, rejected or cancelled')),
    validFor: opt(TimePeriod),
  },
  'A quote: products, prices and terms offered to a customer, valid for a period',
);

