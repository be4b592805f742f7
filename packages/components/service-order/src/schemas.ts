import { Type, type TSchema } from 'typebox';
import { Characteristic, DateTime, ORDER_ITEM_STATES, ORDER_STATES, TimePeriod, Uri, extensible } from '@operon/tmf';

/**
 * TypeBox renderings of the TMF641 v4.1.0 definitions: `ServiceOrder_Create`,
 * `ServiceOrderItem` and `CancelServiceOrder_Create` with every attribute, plus
 * what the server sets (state, dates, milestones, jeopardy alerts, error
 * messages). Where the specification types an `href` as a URI, so does this.
 */

const S = (description?: string) => Type.String(description ? { description } : {});
const opt = Type.Optional;
const arr = <T extends TSchema>(t: T, description?: string) => opt(Type.Array(t, description ? { description } : {}));
const referred = { '@referredType': opt(S('The actual type of the referred entity')) };

/** Items nest; the rendering stops at this depth and refuses deeper nesting. */
export const MAX_ITEM_DEPTH = 3;
/** Services by value nest (supporting services, relationships); likewise limited. */
export const MAX_SERVICE_DEPTH = 2;
const none = (what: string) => Type.Array(Type.Object({}), { maxItems: 0, description: `${what} nested deeper than this are not accepted` });

/** A TMF641 `XxxRef`: `href` a URI. */
const uriRef = (description: string, extra: Record<string, TSchema> = {}) => Type.Object(
  { id: S('Identifier of the referred entity'), href: opt(Uri('Hyperlink to the referred entity')), name: opt(S()), ...extra, ...extensible, ...referred },
  { description },
);

export const ServiceOrderState = Type.Union(ORDER_STATES.map((s) => Type.Literal(s)), { description: 'State of the order, set by the server (see the order state machine)' });
const ServiceOrderItemState = Type.Union(ORDER_ITEM_STATES.map((s) => Type.Literal(s)), { description: 'State of the item: acknowledged on create, then set by the server' });
const OrderItemAction = Type.Union(['add', 'modify', 'delete', 'noChange'].map((s) => Type.Literal(s)), { description: 'What to do with the service: add, modify, delete, noChange' });
const ServiceState = Type.Union(['feasibilityChecked', 'designed', 'reserved', 'inactive', 'active', 'terminated'].map((s) => Type.Literal(s)), { description: 'Lifecycle state of the service' });

/** TMF641's RelatedParty: `@type` is required there; the server fills `RelatedParty` when a client leaves it out. */
export const RelatedParty = Type.Object(
  {
    id: S('Identifier of the related party'),
    href: opt(Uri('Hyperlink to the related party')),
    name: opt(S()),
    role: opt(S('Role played by the party')),
    '@referredType': S('The actual type of the party (Individual, Organization, PartyRole…)'),
    ...extensible,
  },
  { description: 'A party linked to the order or service, with its role' },
);

export const Note = Type.Object(
  { id: opt(S('Identifier of the note within the order')), author: opt(S()), date: opt(DateTime()), text: S('Text of the note'), ...extensible },
  { description: 'Extra information about the order' },
);

const ExternalReference = Type.Object(
  { id: opt(S()), href: opt(Uri()), externalReferenceType: opt(S('Type of the reference, e.g. ProductOrder')), name: S('The reference itself'), ...extensible },
  { description: 'The order or entity in another system this order comes from' },
);

const ServiceOrderRelationship = Type.Object(
  { id: S('Identifier of the related order'), href: opt(Uri()), relationshipType: S('e.g. dependsOn'), ...extensible, ...referred },
  { description: 'Another service order this one relates to' },
);

const AppointmentRef = Type.Object(
  { id: S('Identifier of the appointment'), href: opt(S()), description: opt(S()), ...extensible, ...referred },
  { description: 'An appointment booked for the item' },
);

/** ServiceOrderItemRef: the specification requires `id` but describes `itemId`; either names the item, and the server sets both. */
const ServiceOrderItemRef = Type.Object(
  {
    id: opt(S('Identifier of the referred item (required by the specification; the server copies itemId here)')),
    itemId: opt(S('Identifier of the referred item')),
    serviceOrderHref: opt(Uri('Link to the service order, when it is another one')),
    serviceOrderId: opt(S('Identifier of the service order, when it is another one')),
    ...extensible,
    ...referred,
  },
  { description: 'An item of a service order' },
);

const ServiceOrderItemRelationship = Type.Object(
  { relationshipType: opt(S('e.g. dependsOn: the item waits for the one named')), orderItem: opt(ServiceOrderItemRef), ...extensible },
  { description: 'Another item this one relates to' },
);

const errorCore = {
  code: opt(S('Error code')),
  message: opt(S('More details and what to correct')),
  reason: opt(S('Why it failed')),
  referenceError: opt(Uri('URI of documentation describing the error')),
  status: opt(S('Error code extension')),
};
const errorFields = { ...errorCore, timestamp: opt(DateTime('When the error happened')) };

const ServiceOrderItemErrorMessage = Type.Object({ ...errorFields, ...extensible }, { description: 'An error met processing the item' });
const ServiceOrderErrorMessage = Type.Object(
  { ...errorFields, serviceOrderItem: arr(ServiceOrderItemRef, 'The items the error concerns'), ...extensible },
  { description: 'An error met processing the order' },
);

const ServiceOrderMilestone = Type.Object(
  {
    id: opt(S()), description: opt(S()), message: opt(S()), milestoneDate: opt(DateTime('When the milestone was reached')), name: opt(S('Name of the milestone')),
    status: opt(S('e.g. Yet-To-Reach, Completed')), serviceOrderItem: arr(ServiceOrderItemRef), ...extensible,
  },
  { description: 'A significant stage in processing the order' },
);

const ServiceOrderJeopardyAlert = Type.Object(
  {
    id: opt(S()), alertDate: opt(DateTime('When the alert was raised')), exception: opt(S('What puts the order at risk')), jeopardyType: opt(S('Normal, Hazard, Critical…')),
    message: opt(S()), name: opt(S('Name of the alert')), serviceOrderItem: arr(ServiceOrderItemRef), ...extensible,
  },
  { description: 'A predicted risk to completing the order' },
);

const ErrorMessage = Type.Object({ ...errorCore, ...extensible }, { description: 'Why a cancellation request failed' });

const CharacteristicRelationship = Type.Object(
  { id: opt(S()), href: opt(Uri()), relationshipType: opt(S()), ...extensible },
  { description: 'Another characteristic this one relates to' },
);
const ServiceCharacteristic = Type.Object(
  { ...Characteristic.properties, characteristicRelationship: arr(CharacteristicRelationship) },
  { description: 'A name/value pair describing the service' },
);

const Feature = Type.Object(
  {
    id: opt(S()), isBundle: opt(Type.Boolean()), isEnabled: opt(Type.Boolean()), name: S('Name of the feature'),
    constraint: arr(uriRef('A constraint on the feature', { version: opt(S()) })),
    featureCharacteristic: Type.Array(ServiceCharacteristic, { minItems: 1, description: 'Characteristics of the feature' }),
    featureRelationship: arr(Type.Object({ id: opt(S()), name: S(), relationshipType: S(), validFor: opt(TimePeriod) }, { description: 'Another feature this one relates to' })),
  },
  { description: 'A feature of the service' },
);

const RelatedPlaceRefOrValue = Type.Object(
  { id: opt(S()), href: opt(S()), name: opt(S()), role: S('Role of the place, e.g. installation address'), ...extensible, ...referred },
  { description: 'A place the service relates to' },
);

const RelatedEntityRefOrValue = Type.Object(
  { id: opt(S()), href: opt(S()), name: opt(S()), role: S('Role of the entity'), ...extensible, ...referred },
  { description: 'An entity the service relates to' },
);

const RelatedServiceOrderItem = Type.Object(
  {
    id: opt(S()), href: opt(Uri()), itemId: opt(S()), role: opt(S()), serviceOrderHref: opt(S()), serviceOrderId: opt(S()),
    itemAction: opt(OrderItemAction), ...extensible, ...referred,
  },
  { description: 'The order item that created or changed the service' },
);

const ServiceSpecificationRef = uriRef('The service specification', { version: opt(S()) });
const ResourceRef = uriRef('A resource supporting the service');

/** ServiceRefOrValue, nesting down to `depth` more levels. */
function serviceRefOrValue(depth: number): TSchema {
  const nested = depth > 0 ? serviceRefOrValue(depth - 1) : undefined;
  return Type.Object(
    {
      id: opt(S('Identifier of the service (an existing one for modify and delete)')),
      href: opt(S()),
      category: opt(S('CustomerFacingService or ResourceFacingService')),
      description: opt(S()),
      endDate: opt(DateTime()),
      hasStarted: opt(Type.Boolean()),
      isBundle: opt(Type.Boolean()),
      isServiceEnabled: opt(Type.Boolean()),
      isStateful: opt(Type.Boolean()),
      name: opt(S()),
      serviceDate: opt(S()),
      serviceType: opt(S()),
      startDate: opt(DateTime()),
      startMode: opt(S()),
      feature: arr(Feature),
      note: arr(Note),
      place: arr(RelatedPlaceRefOrValue),
      relatedEntity: arr(RelatedEntityRefOrValue),
      relatedParty: arr(RelatedParty),
      serviceCharacteristic: arr(ServiceCharacteristic),
      serviceOrderItem: arr(RelatedServiceOrderItem),
      serviceRelationship: opt(nested
        ? Type.Array(Type.Object(
          { id: opt(S()), href: opt(Uri()), relationshipType: S('e.g. reliesOn'), service: opt(nested), serviceRelationshipCharacteristic: arr(ServiceCharacteristic), ...extensible },
          { description: 'A service linked to this one' },
        ))
        : none('service relationships')),
      serviceSpecification: opt(ServiceSpecificationRef),
      state: opt(ServiceState),
      supportingResource: arr(ResourceRef),
      supportingService: opt(nested ? Type.Array(nested) : none('supporting services')),
      ...extensible,
      ...referred,
    },
    { description: 'A service to create, by value, or an existing one, by reference' },
  );
}

const ServiceRefOrValue = serviceRefOrValue(MAX_SERVICE_DEPTH);

/** ServiceOrderItem, with sub-items down to `depth` more levels. */
function serviceOrderItem(depth: number): TSchema {
  return Type.Object(
    {
      id: S('Identifier of the item within the order'),
      quantity: opt(Type.Integer({ description: 'Quantity ordered' })),
      action: OrderItemAction,
      appointment: opt(AppointmentRef),
      errorMessage: arr(ServiceOrderItemErrorMessage, 'Errors met processing the item, recorded by the server'),
      service: ServiceRefOrValue,
      serviceOrderItem: opt(depth > 0 ? Type.Array(serviceOrderItem(depth - 1)) : none('order items')),
      serviceOrderItemRelationship: arr(ServiceOrderItemRelationship),
      state: opt(ServiceOrderItemState),
      ...extensible,
    },
    { description: 'One line of the order: an action on a service' },
  );
}

/** `ServiceOrder_Create`: every attribute, `serviceOrderItem` required. */
export const ServiceOrderCreate = Type.Object(
  {
    cancellationDate: opt(DateTime('When the order is cancelled')),
    cancellationReason: opt(S('Why the order is cancelled')),
    category: opt(S('Business category')),
    description: opt(S()),
    externalId: opt(S("The requester's own reference for the order")),
    notificationContact: opt(S('Contact to send information about the order to')),
    priority: opt(S('0 (highest) to 4 (lowest)')),
    requestedCompletionDate: opt(DateTime('Delivery date asked for')),
    requestedStartDate: opt(DateTime('Date before which fulfilment may not start')),
    externalReference: arr(ExternalReference, 'Orders in other systems this one comes from, e.g. the product order'),
    note: arr(Note),
    orderRelationship: arr(ServiceOrderRelationship),
    relatedParty: arr(RelatedParty),
    serviceOrderItem: Type.Array(serviceOrderItem(MAX_ITEM_DEPTH - 1), { minItems: 1, description: 'The items of the order' }),
    ...extensible,
  },
  { description: 'An order for services' },
);

/** Attributes the server sets on a service order. */
export const SERVICE_ORDER_SERVER_SET = [
  'state', 'orderDate', 'startDate', 'completionDate', 'expectedCompletionDate', 'errorMessage', 'milestone', 'jeopardyAlert',
] as const;

/** The stored service order: the create attributes and what the server sets. */
export const ServiceOrder = Type.Object(
  {
    ...ServiceOrderCreate.properties,
    state: opt(ServiceOrderState),
    orderDate: opt(DateTime('When the order was received')),
    startDate: opt(DateTime('When processing started')),
    completionDate: opt(DateTime('When the order was closed')),
    expectedCompletionDate: opt(DateTime('Delivery date the provider expects')),
    errorMessage: arr(ServiceOrderErrorMessage, 'Why the order failed'),
    milestone: arr(ServiceOrderMilestone, 'Stages the order has reached'),
    jeopardyAlert: arr(ServiceOrderJeopardyAlert, 'Risks to completing the order'),
  },
  { description: 'An order for services' },
);

const ServiceOrderRef = uriRef('The service order to cancel');

/** `CancelServiceOrder_Create`: every attribute, `serviceOrder` required. */
export const CancelServiceOrderCreate = Type.Object(
  {
    cancellationReason: opt(S('Why the order is to be cancelled')),
    requestedCancellationDate: opt(DateTime('When the requester wants the order cancelled')),
    serviceOrder: ServiceOrderRef,
    ...extensible,
  },
  { description: 'A request to cancel a service order' },
);

export const CancelServiceOrder = Type.Object(
  {
    ...CancelServiceOrderCreate.properties,
    state: opt(Type.Union(['accepted', 'inProgress', 'done', 'terminatedWithError'].map((s) => Type.Literal(s)), { description: 'State of the request, set by the server' })),
    effectiveCancellationDate: opt(DateTime('When the order was cancelled')),
    completionMessage: opt(S('What the cancellation came to')),
    errorMessage: opt(ErrorMessage),
  },
  { description: 'A request to cancel a service order' },
);
