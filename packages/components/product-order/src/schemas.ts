import { Type, type TSchema } from 'typebox';
import { DateTime, Money, ORDER_ITEM_STATES, ORDER_STATES, Quantity, RelatedParty, TimePeriod, extensible, ref } from '@operon/tmf';

/**
 * TypeBox renderings of the TMF622 v4.0.0 definitions: `ProductOrder_Create`
 * and `CancelProductOrder_Create` with every attribute, plus what the server
 * sets (state, dates, and the v5 attributes carried as extensions of v4:
 * productOrderErrorMessage, productOrderMilestone, productOrderJeopardyAlert).
 */

const S = (description?: string) => Type.String(description ? { description } : {});
const opt = Type.Optional;
const arr = <T extends TSchema>(t: T, description?: string) => opt(Type.Array(t, description ? { description } : {}));
const referred = { '@referredType': opt(S('The actual type of the referred entity')) };

/** Items nest (bundles); the rendering stops at this depth and refuses deeper nesting. */
export const MAX_ITEM_DEPTH = 3;
/** Products by value nest (bundled products, relationships); likewise limited. */
export const MAX_PRODUCT_DEPTH = 2;
const none = (what: string) => Type.Array(Type.Object({}), { maxItems: 0, description: `${what} nested deeper than this are not accepted` });

/** TMF622 item states: the shared enumeration without `partial`. */
export const PRODUCT_ORDER_ITEM_STATES = ORDER_ITEM_STATES.filter((s) => s !== 'partial');

export const ProductOrderState = Type.Union(ORDER_STATES.map((s) => Type.Literal(s)), { description: 'State of the order, set by the server (see the order state machine)' });
const ProductOrderItemState = Type.Union(PRODUCT_ORDER_ITEM_STATES.map((s) => Type.Literal(s)), { description: 'State of the item, set by the server' });
const OrderItemAction = Type.Union(['add', 'modify', 'delete', 'noChange'].map((s) => Type.Literal(s)), { description: 'What to do with the product: add, modify, delete, noChange' });
/** The v4 enumeration as published, trailing space included. */
const ProductStatus = Type.Union(['created', 'pendingActive', 'cancelled', 'active', 'pendingTerminate', 'terminated', 'suspended', 'aborted '].map((s) => Type.Literal(s)), { description: 'Lifecycle status of the product' });

const AgreementRef = ref('An agreement the order is placed under');
const BillingAccountRef = ref('The billing account charged');
const PaymentRef = ref('A payment made for the order');
const ProductOfferingRef = ref('The product offering ordered');
const ProductOfferingPriceRef = ref('A price of the product offering');
const ProductOfferingQualificationRef = ref('A product offering qualification the order relies on');
const QuoteRef = ref('A quote the order comes from');
const ResourceRef = Type.Object(
  { id: S('Identifier of the resource'), href: opt(S()), name: opt(S()), value: opt(S('Value of the resource, e.g. a phone number')), ...extensible, ...referred },
  { description: 'A resource realising the product' },
);
const ServiceRef = ref('A service realising the product');

const RelatedChannel = Type.Object(
  { id: S('Identifier of the channel'), href: opt(S()), name: opt(S()), role: opt(S('Role of the channel, e.g. sales')), ...extensible, ...referred },
  { description: 'A channel the order came through' },
);

const AppointmentRef = Type.Object(
  { id: S('Identifier of the appointment'), href: opt(S()), description: opt(S()), ...extensible, ...referred },
  { description: 'An appointment booked for the item' },
);

export const Note = Type.Object(
  { id: opt(S('Identifier of the note within the order')), author: opt(S()), date: opt(DateTime()), text: S('Text of the note'), ...extensible },
  { description: 'Extra information about the order' },
);

const Price = Type.Object(
  {
    percentage: opt(Type.Number({ description: 'Percentage of a price alteration' })),
    taxRate: opt(Type.Number({ description: 'Tax rate' })),
    dutyFreeAmount: opt(Money),
    taxIncludedAmount: opt(Money),
    ...extensible,
  },
  { description: 'Amounts with and without tax, or a percentage' },
);

const PriceAlteration = Type.Object(
  {
    applicationDuration: opt(Type.Integer({ description: 'How long the alteration applies, in recurring periods' })),
    description: opt(S()),
    name: opt(S()),
    priceType: S('recurring, one time, usage…'),
    priority: opt(Type.Integer({ description: 'Order in which alterations apply' })),
    recurringChargePeriod: opt(S()),
    unitOfMeasure: opt(S()),
    price: Price,
    productOfferingPrice: opt(ProductOfferingPriceRef),
    ...extensible,
  },
  { description: 'A discount or surcharge on a price' },
);

const OrderPrice = Type.Object(
  {
    description: opt(S()),
    name: opt(S()),
    priceType: opt(S('recurring, one time, usage…')),
    recurringChargePeriod: opt(S('month, week…')),
    unitOfMeasure: opt(S('minutes, GB…')),
    billingAccount: opt(BillingAccountRef),
    price: opt(Price),
    priceAlteration: arr(PriceAlteration),
    productOfferingPrice: opt(ProductOfferingPriceRef),
    ...extensible,
  },
  { description: 'A price of the order or of an item' },
);

const OrderTerm = Type.Object(
  { description: opt(S()), name: opt(S()), duration: opt(Quantity), ...extensible },
  { description: 'A commitment with a duration' },
);

const ProductOfferingQualificationItemRef = Type.Object(
  {
    id: S('Identifier of the qualification item'),
    href: opt(S()),
    name: opt(S()),
    productOfferingQualificationHref: opt(S()),
    productOfferingQualificationId: S('Identifier of the qualification'),
    productOfferingQualificationName: opt(S()),
    ...extensible,
    ...referred,
  },
  { description: 'The qualification item the order item relies on' },
);

const QuoteItemRef = Type.Object(
  { id: S('Identifier of the quote item'), href: opt(S()), name: opt(S()), quoteHref: opt(S()), quoteId: S('Identifier of the quote'), quoteName: opt(S()), ...extensible, ...referred },
  { description: 'The quote item the order item comes from' },
);

const OrderItemRelationship = Type.Object(
  { id: opt(S('Identifier of the related item of this order')), relationshipType: opt(S('e.g. reliesOn, bundles')), ...extensible },
  { description: 'Another item of the order this one relates to' },
);

const AgreementItemRef = Type.Object(
  { id: S('Identifier of the agreement'), href: opt(S()), agreementItemId: opt(S()), name: opt(S()), ...extensible, ...referred },
  { description: 'An agreement item the product is governed by' },
);

const RelatedPlaceRefOrValue = Type.Object(
  { id: opt(S()), href: opt(S()), name: opt(S()), role: S('Role of the place, e.g. installation address'), ...extensible, ...referred },
  { description: 'A place the product relates to' },
);

const Characteristic = Type.Object(
  { name: S('Name of the characteristic'), valueType: opt(S()), value: Type.Unknown({ description: 'Value of the characteristic' }), ...extensible },
  { description: 'A name/value pair describing the product' },
);

const RelatedProductOrderItem = Type.Object(
  {
    orderItemAction: opt(S()),
    orderItemId: S('Identifier of the order item'),
    productOrderHref: opt(S()),
    productOrderId: S('Identifier of the product order'),
    role: opt(S()),
    ...extensible,
    ...referred,
  },
  { description: 'The order item that created or changed the product' },
);

const ProductPrice = Type.Object(
  {
    description: opt(S()),
    name: opt(S()),
    priceType: S('recurring, one time, usage…'),
    recurringChargePeriod: opt(S()),
    unitOfMeasure: opt(S()),
    billingAccount: opt(BillingAccountRef),
    price: Price,
    productOfferingPrice: opt(ProductOfferingPriceRef),
    productPriceAlteration: arr(PriceAlteration),
    ...extensible,
  },
  { description: 'A price of the product' },
);

const TargetProductSchema = Type.Object(
  { '@baseType': opt(S()), '@schemaLocation': S('Where the schema of the product is'), '@type': S('Class of the product') },
  { description: 'The schema products of this specification follow' },
);

const ProductSpecificationRef = Type.Object(
  { id: S(), href: opt(S()), name: opt(S()), version: opt(S()), targetProductSchema: opt(TargetProductSchema), ...extensible, ...referred },
  { description: 'The product specification' },
);

const ProductTerm = Type.Object(
  { description: opt(S()), name: opt(S()), duration: opt(Quantity), validFor: opt(TimePeriod), ...extensible },
  { description: 'A commitment of the product' },
);

/** ProductRefOrValue, nesting down to `depth` more levels. */
function productRefOrValue(depth: number): TSchema {
  const nested = depth > 0 ? productRefOrValue(depth - 1) : undefined;
  return Type.Object(
    {
      id: opt(S('Identifier of the product (an existing one for modify and delete)')),
      href: opt(S()),
      description: opt(S()),
      isBundle: opt(Type.Boolean()),
      isCustomerVisible: opt(Type.Boolean()),
      name: opt(S()),
      orderDate: opt(DateTime()),
      productSerialNumber: opt(S()),
      startDate: opt(DateTime()),
      terminationDate: opt(DateTime()),
      agreement: arr(AgreementItemRef),
      billingAccount: opt(BillingAccountRef),
      place: arr(RelatedPlaceRefOrValue),
      product: opt(nested ? Type.Array(nested) : none('products')),
      productCharacteristic: arr(Characteristic),
      productOffering: opt(ProductOfferingRef),
      productOrderItem: arr(RelatedProductOrderItem),
      productPrice: arr(ProductPrice),
      productRelationship: opt(nested
        ? Type.Array(Type.Object({ relationshipType: S('bundled, reliesOn, targets…'), product: nested, ...extensible }, { description: 'A product linked to this one' }))
        : none('product relationships')),
      productSpecification: opt(ProductSpecificationRef),
      productTerm: arr(ProductTerm),
      realizingResource: arr(ResourceRef),
      realizingService: arr(ServiceRef),
      relatedParty: arr(RelatedParty),
      status: opt(ProductStatus),
      ...extensible,
      ...referred,
    },
    { description: 'A product to create, by value, or an existing one, by reference' },
  );
}

const ProductRefOrValue = productRefOrValue(MAX_PRODUCT_DEPTH);

/** ProductOrderItem, with sub-items down to `depth` more levels. */
function productOrderItem(depth: number): TSchema {
  return Type.Object(
    {
      id: S('Identifier of the item within the order, e.g. 01, 02'),
      quantity: opt(Type.Integer({ description: 'Quantity ordered' })),
      action: OrderItemAction,
      appointment: opt(AppointmentRef),
      billingAccount: opt(BillingAccountRef),
      itemPrice: arr(OrderPrice),
      itemTerm: arr(OrderTerm),
      itemTotalPrice: arr(OrderPrice),
      payment: arr(PaymentRef),
      product: opt(ProductRefOrValue),
      productOffering: opt(ProductOfferingRef),
      productOfferingQualificationItem: opt(ProductOfferingQualificationItemRef),
      productOrderItem: opt(depth > 0 ? Type.Array(productOrderItem(depth - 1)) : none('order items')),
      productOrderItemRelationship: arr(OrderItemRelationship),
      qualification: arr(ProductOfferingQualificationRef),
      quoteItem: opt(QuoteItemRef),
      state: opt(ProductOrderItemState),
      ...extensible,
    },
    { description: 'One line of the order: an action on a product' },
  );
}

/** The ProductOrderItemRef of TMF622 v5 (with which v5 error messages, milestones and alerts name items). */
const ProductOrderItemRef = Type.Object(
  { productOrderId: opt(S()), productOrderItemId: opt(S()), ProductOrderHref: opt(S('Link to the product order (v5 spelling)')), ...extensible, ...referred },
  { description: 'An item of a product order' },
);

const ProductOrderErrorMessage = Type.Object(
  {
    code: opt(S('Error code')),
    reason: opt(S('Why the order was refused or failed')),
    message: opt(S('More details and what to correct')),
    status: opt(S('Error code extension')),
    referenceError: opt(S('URI of documentation describing the error')),
    timestamp: opt(DateTime('When the error happened')),
    productOrderItem: arr(ProductOrderItemRef, 'The items the error concerns'),
    ...extensible,
  },
  { description: 'An error that refused or failed the order (TMF622 v5, an extension of v4)' },
);

const ProductOrderMilestone = Type.Object(
  {
    id: opt(S()),
    name: opt(S('Name of the milestone')),
    description: opt(S()),
    message: opt(S()),
    milestoneDate: opt(DateTime('When the milestone was reached')),
    status: opt(Type.Union(['Yet-To-Reach', 'Completed', 'Violated'].map((s) => Type.Literal(s)))),
    productOrderItem: arr(ProductOrderItemRef),
    ...extensible,
  },
  { description: 'A significant stage in processing the order (TMF622 v5, an extension of v4)' },
);

const ProductOrderJeopardyAlert = Type.Object(
  {
    id: opt(S()),
    name: opt(S('Name of the alert')),
    jeopardyType: opt(S('Normal, Hazard, Critical…')),
    exception: opt(S('What puts the order at risk')),
    message: opt(S()),
    alertDate: opt(DateTime('When the alert was raised')),
    productOrderItem: arr(ProductOrderItemRef),
    ...extensible,
  },
  { description: 'A predicted risk to completing the order (TMF622 v5, an extension of v4)' },
);

/** `ProductOrder_Create`: every attribute, `productOrderItem` required. */
export const ProductOrderCreate = Type.Object(
  {
    cancellationDate: opt(DateTime('When the order is cancelled')),
    cancellationReason: opt(S('Why the order is cancelled')),
    category: opt(S('Business category, e.g. residential, enterprise')),
    description: opt(S()),
    externalId: opt(S("The customer's own reference for the order")),
    notificationContact: opt(S('Contact to send information about the order to')),
    priority: opt(S('0 (highest) to 4 (lowest)')),
    requestedCompletionDate: opt(DateTime('Delivery date the customer asks for')),
    requestedStartDate: opt(DateTime('Date before which fulfilment may not start')),
    agreement: arr(AgreementRef),
    billingAccount: opt(BillingAccountRef),
    channel: arr(RelatedChannel),
    note: arr(Note),
    orderTotalPrice: arr(OrderPrice),
    payment: arr(PaymentRef),
    productOfferingQualification: arr(ProductOfferingQualificationRef),
    productOrderItem: Type.Array(productOrderItem(MAX_ITEM_DEPTH - 1), { minItems: 1, description: 'The items of the order' }),
    quote: arr(QuoteRef),
    relatedParty: arr(RelatedParty, 'Parties of the order: the customer first among them'),
    ...extensible,
  },
  { description: 'A customer order for products' },
);

/** Attributes the server sets on a product order. */
export const PRODUCT_ORDER_SERVER_SET = [
  'state', 'orderDate', 'completionDate', 'expectedCompletionDate', 'productOrderErrorMessage', 'productOrderMilestone', 'productOrderJeopardyAlert',
] as const;

/** The stored product order: the create attributes and what the server sets. */
export const ProductOrder = Type.Object(
  {
    ...ProductOrderCreate.properties,
    state: opt(ProductOrderState),
    orderDate: opt(DateTime('When the order was placed')),
    completionDate: opt(DateTime('When the order was closed')),
    expectedCompletionDate: opt(DateTime('Delivery date the provider expects')),
    productOrderErrorMessage: arr(ProductOrderErrorMessage, 'Why the order was rejected or failed'),
    productOrderMilestone: arr(ProductOrderMilestone, 'Stages the order has reached'),
    productOrderJeopardyAlert: arr(ProductOrderJeopardyAlert, 'Risks to completing the order'),
  },
  { description: 'A customer order for products' },
);

const ProductOrderRef = Type.Object(
  { id: S('Identifier of the product order'), href: opt(S()), name: opt(S()), ...extensible, ...referred },
  { description: 'The product order to cancel' },
);

/** `CancelProductOrder_Create`: every attribute, `productOrder` required. */
export const CancelProductOrderCreate = Type.Object(
  {
    cancellationReason: opt(S('Why the order is to be cancelled')),
    requestedCancellationDate: opt(DateTime('When the requester wants the order cancelled')),
    productOrder: ProductOrderRef,
    ...extensible,
  },
  { description: 'A request to cancel a product order' },
);

export const CancelProductOrder = Type.Object(
  {
    ...CancelProductOrderCreate.properties,
    state: opt(Type.Union(['acknowledged', 'inProgress', 'done', 'terminatedWithError'].map((s) => Type.Literal(s)), { description: 'State of the request, set by the server' })),
    effectiveCancellationDate: opt(DateTime('When the order was cancelled')),
    relatedParty: arr(RelatedParty, "The order's parties, copied by the server (an extension: who may see the request)"),
  },
  { description: 'A request to cancel a product order' },
);
