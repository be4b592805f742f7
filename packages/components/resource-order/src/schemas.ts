import { Type, type TSchema } from 'typebox';
import { AttachmentRefOrValue, Characteristic, DateTime, Note, ORDER_ITEM_STATES, ORDER_STATES, RelatedParty, extensible } from '@operon/tmf';

/**
 * TypeBox renderings of the TMF652 v4.0.0 definitions: `ResourceOrder_Create`,
 * `ResourceOrderItem` and `CancelResourceOrder_Create` with every attribute.
 * TMF652 lists the order's state and processing dates among the create
 * attributes; the server sets them (they are refused on create), while
 * `orderDate` and `expectedCompletionDate` may be given.
 */

const S = (description?: string) => Type.String(description ? { description } : {});
const opt = Type.Optional;
const arr = <T extends TSchema>(t: T, description?: string) => opt(Type.Array(t, description ? { description } : {}));
const referred = { '@referredType': opt(S('The actual type of the referred entity')) };
const literals = (values: readonly string[], description: string) => Type.Union(values.map((s) => Type.Literal(s)), { description });

/** TMF652 item states: the shared enumeration without `partial`. */
export const RESOURCE_ORDER_ITEM_STATES = ORDER_ITEM_STATES.filter((s) => s !== 'partial');

const ResourceOrderItemState = literals(RESOURCE_ORDER_ITEM_STATES, 'State of the item: acknowledged on create, then set by the server');
const OrderItemAction = literals(['add', 'modify', 'delete', 'noChange'], 'What to do with the resource: add, modify, delete, noChange');

const ExternalId = Type.Object(
  { id: S('Identifier in the external system'), entityType: S('Type of the entity there, e.g. ServiceOrder'), owner: S('The system that owns it'), ...extensible },
  { description: 'The order or entity in another system this order comes from' },
);

const AppointmentRef = Type.Object(
  { id: S('Identifier of the appointment'), href: opt(S()), description: opt(S()), ...extensible, ...referred },
  { description: 'An appointment booked for the item (e.g. a field technician visit)' },
);

const ResourceOrderItemRef = Type.Object(
  { itemId: opt(S('Identifier of the referred item')), resourceOrderHref: opt(S('Link to the resource order, when it is another one')), resourceOrderId: opt(S('Identifier of the resource order, when it is another one')), ...extensible, ...referred },
  { description: 'An item of a resource order' },
);

const ResourceOrderItemRelationship = Type.Object(
  { relationshipType: opt(S('e.g. dependsOn: the item waits for the one named')), orderItem: opt(ResourceOrderItemRef), ...extensible },
  { description: 'Another item this one relates to' },
);

const ResourceSpecificationRef = Type.Object(
  { id: S('Identifier of the resource specification'), href: opt(S()), name: opt(S()), version: opt(S()), ...extensible, ...referred },
  { description: 'The resource specification' },
);

const RelatedPlaceRefOrValue = Type.Object(
  { id: opt(S()), href: opt(S()), name: opt(S()), role: S('Role of the place, e.g. installation address'), ...extensible, ...referred },
  { description: 'The place of the resource' },
);

const ResourceRelationship = Type.Object(
  { id: opt(S()), href: opt(S()), relationshipType: opt(S('e.g. contains, dependsOn')), resourceRelationshipCharacteristic: arr(Characteristic), ...extensible },
  { description: 'Another resource this one relates to' },
);

/** ResourceRefOrValue: TMF652 requires `id` and `href`: an item names a resource known to the inventory (e.g. one reserved from a pool). */
const ResourceRefOrValue = Type.Object(
  {
    id: S('Identifier of the resource'),
    href: S('Link to the resource in the inventory'),
    category: opt(S()),
    description: opt(S()),
    endOperatingDate: opt(DateTime()),
    name: opt(S()),
    resourceVersion: opt(S()),
    startOperatingDate: opt(DateTime()),
    administrativeState: opt(literals(['locked', 'unlocked', 'shutdown'], 'Administrative state (ITU X.731)')),
    attachment: arr(AttachmentRefOrValue),
    note: arr(Note),
    operationalState: opt(literals(['enable', 'disable'], 'Operational state (ITU X.731)')),
    place: opt(RelatedPlaceRefOrValue),
    relatedParty: arr(RelatedParty),
    resourceCharacteristic: arr(Characteristic),
    resourceRelationship: arr(ResourceRelationship),
    resourceSpecification: opt(ResourceSpecificationRef),
    resourceStatus: opt(literals(['standby', 'alarm', 'available', 'reserved', 'unknown', 'suspended'], 'Status of the resource')),
    usageState: opt(literals(['idle', 'active', 'busy'], 'Usage state (ITU X.731)')),
    ...extensible,
    ...referred,
  },
  { description: 'The resource the item acts on' },
);

/** ResourceOrderItem: `action` is required here (an item without one orders nothing); `id` is numbered by the server when missing. */
export const ResourceOrderItem = Type.Object(
  {
    id: opt(S('Identifier of the item within the order; the server numbers items given without one')),
    action: OrderItemAction,
    quantity: opt(Type.Integer({ description: 'Quantity ordered' })),
    state: opt(ResourceOrderItemState),
    appointment: opt(AppointmentRef),
    orderItemRelationship: arr(ResourceOrderItemRelationship),
    resource: opt(ResourceRefOrValue),
    resourceSpecification: opt(ResourceSpecificationRef),
    ...extensible,
  },
  { description: 'One line of the order: an action on a resource' },
);

const serverSet = (what: string) => `${what}; set by the server, not accepted on create`;

/** `ResourceOrder_Create`: every attribute; `orderItem` required (an order without items orders nothing). */
export const ResourceOrderCreate = Type.Object(
  {
    category: opt(S('Business category')),
    completionDate: opt(DateTime(serverSet('When the order was closed'))),
    description: opt(S()),
    expectedCompletionDate: opt(DateTime('Delivery date expected; the requested completion date when not given')),
    externalId: opt(S("The requester's own reference for the order")),
    name: opt(S()),
    orderDate: opt(DateTime('When the order was placed; the time of creation when not given')),
    orderType: opt(S('e.g. provisioning, maintenance')),
    priority: opt(Type.Integer({ description: '0 (highest) to 4 (lowest)' })),
    requestedCompletionDate: opt(DateTime('Delivery date asked for')),
    requestedStartDate: opt(DateTime('Date before which fulfilment may not start')),
    startDate: opt(DateTime(serverSet('When processing started'))),
    state: opt(literals(ORDER_STATES, serverSet('State of the order (see the order state machine)'))),
    externalReference: arr(ExternalId, 'Orders in other systems this one comes from, e.g. the service order'),
    note: arr(Note),
    orderItem: Type.Array(ResourceOrderItem, { minItems: 1, description: 'The items of the order' }),
    relatedParty: arr(RelatedParty),
    ...extensible,
  },
  { description: 'An order for resources' },
);

export const RESOURCE_ORDER_SERVER_SET = ['state', 'startDate', 'completionDate'] as const;

/** The stored resource order. */
export const ResourceOrder = Type.Object({ ...ResourceOrderCreate.properties }, { description: 'An order for resources' });

const ResourceOrderRef = Type.Object(
  { id: S('Identifier of the resource order'), href: opt(S()), ...extensible, ...referred },
  { description: 'The resource order to cancel' },
);

/** `CancelResourceOrder_Create`: every attribute, `resourceOrder` required. */
export const CancelResourceOrderCreate = Type.Object(
  {
    cancellationReason: opt(S('Why the order is to be cancelled')),
    requestedCancellationDate: opt(DateTime('When the requester wants the order cancelled')),
    resourceOrder: ResourceOrderRef,
    ...extensible,
  },
  { description: 'A request to cancel a resource order' },
);

export const CancelResourceOrder = Type.Object(
  {
    ...CancelResourceOrderCreate.properties,
    state: opt(literals(['acknowledged', 'inProgress', 'done', 'terminatedWithError'], 'State of the request, set by the server')),
    effectiveCancellationDate: opt(DateTime('When the order was cancelled')),
  },
  { description: 'A request to cancel a resource order' },
);
