import { Type, type TObject, type TSchema } from 'typebox';
import { TimePeriod, extensible } from '@operon/tmf';

/**
 * TMF638 v4.0.0 Service as clients write it: our rendering of the official
 * `Service_Create`, attribute for attribute, with the definitions it refers to.
 * Hyperlinks are URIs where the specification says so, so that whatever is
 * stored also validates against the official response definitions.
 */

const S = (description: string) => Type.String({ description });
const Uri = (description: string) => Type.String({ format: 'uri', description });
const DateTime = (description: string) => Type.String({ format: 'date-time', description });
const Bool = (description: string) => Type.Boolean({ description });
const opt = Type.Optional;
const referred = { '@referredType': opt(S('The actual type of the target instance when needed for disambiguation')) };

export const SERVICE_STATES = ['feasibilityChecked', 'designed', 'reserved', 'inactive', 'active', 'terminated'] as const;
export type ServiceState = (typeof SERVICE_STATES)[number];

export const ServiceStateType = Type.Enum([...SERVICE_STATES], {
  description: 'Lifecycle state of the service: feasibilityChecked, designed, reserved, inactive, active or terminated',
});

export const OrderItemActionType = Type.Enum(['add', 'modify', 'delete', 'noChange'], { description: 'Action of an order item on the service' });

/** A reference whose hyperlink is a URI (TMF638's ServiceSpecificationRef, ResourceRef, ConstraintRef). */
function uriReference(description: string, extra: Record<string, TSchema> = {}): TObject {
  return Type.Object(
    { id: S('Unique identifier of the referred entity'), href: opt(Uri('Hyperlink to the referred entity')), name: opt(S('Name of the referred entity')), ...extra, ...extensible, ...referred },
    { description },
  );
}

export const ServiceSpecificationRef = uriReference('The service specification (TMF633) the service follows', { version: opt(S('Version of the service specification')) });
export const ResourceRef = uriReference('A resource (TMF639) supporting the service');
export const ConstraintRef = uriReference('A policy or rule constraining the feature', { version: opt(S('Version of the constraint')) });

export const RelatedParty = Type.Object(
  {
    id: S('Unique identifier of the related party'),
    href: opt(Uri('Hyperlink to the related party')),
    name: opt(S('Name of the related party')),
    role: opt(S('Role played by the related party, e.g. customer or user')),
    ...extensible,
    '@referredType': S('The actual type of the party (Individual, Organization, PartyRole…)'),
  },
  { description: 'A party (or party role) linked to the service, with its role' },
);

export const RelatedPlaceRefOrValue = Type.Object(
  {
    id: opt(S('Unique identifier of the place')),
    href: opt(S('Unique reference of the place')),
    name: opt(S('A user-friendly name for the place')),
    role: S('Role of the place for the service, e.g. service address'),
    ...extensible,
    ...referred,
  },
  { description: 'A place linked to the service, by reference or by value' },
);

export const RelatedEntityRefOrValue = Type.Object(
  {
    id: opt(S('Unique identifier of the entity')),
    href: opt(S('Hyperlink to the entity')),
    name: opt(S('Name of the entity')),
    role: S('Role of the entity for the service'),
    ...extensible,
    ...referred,
  },
  { description: 'Another entity linked to the service, by reference or by value' },
);

export const CharacteristicRelationship = Type.Object(
  { id: opt(S('Identifier of the related characteristic')), relationshipType: opt(S('Type of relationship')) },
  { description: 'Another characteristic this one relates to' },
);

export const Characteristic = Type.Object(
  {
    id: opt(S('Unique identifier of the characteristic')),
    name: S('Name of the characteristic'),
    valueType: opt(S('Data type of the value of the characteristic')),
    characteristicRelationship: opt(Type.Array(CharacteristicRelationship)),
    value: Type.Unknown({ description: 'The value of the characteristic' }),
    ...extensible,
  },
  { description: 'A characteristic of the service as a name/value pair' },
);

export const FeatureRelationship = Type.Object(
  {
    id: opt(S('Identifier of the related feature')),
    name: S('Name of the related feature'),
    relationshipType: S('Type of relationship, e.g. dependency or exclusivity'),
    validFor: opt(TimePeriod),
  },
  { description: 'Another feature this one relates to' },
);

export const Feature = Type.Object(
  {
    id: S('Identifier of the feature within the service'),
    isBundle: opt(Bool('True if the feature is a bundle of features')),
    isEnabled: opt(Bool('True if the feature is enabled')),
    name: S('Name of the feature'),
    constraint: opt(Type.Array(ConstraintRef)),
    featureCharacteristic: Type.Array(Characteristic, { minItems: 1, description: 'Characteristics of the feature' }),
    featureRelationship: opt(Type.Array(FeatureRelationship)),
  },
  { description: 'A function the service provides' },
);

export const Note = Type.Object(
  {
    id: opt(S('Identifier of the note')),
    author: S('Author of the note'),
    date: DateTime('When the note was written'),
    text: S('Text of the note'),
  },
  { description: 'A note on the service' },
);

export const RelatedServiceOrderItem = Type.Object(
  {
    itemId: S('Identifier of the service order item'),
    role: opt(S('Role of the order item for this service')),
    serviceOrderHref: opt(S('Hyperlink to the service order')),
    serviceOrderId: S('Identifier of the service order'),
    itemAction: opt(OrderItemActionType),
    ...referred,
  },
  { description: 'The service order item that created, changed or terminated the service' },
);

/** The attributes of a service, shared by Service_Create and ServiceRefOrValue. */
function serviceProperties(nested: TSchema): Record<string, TSchema> {
  return {
    category: opt(S('Category: customer-facing (CFS) or resource-facing (RFS)')),
    description: opt(S('Description of the service')),
    endDate: opt(DateTime('When the service ended')),
    hasStarted: opt(Bool('True once the service has been started')),
    isBundle: opt(Bool('True if the service is a bundle of services')),
    isServiceEnabled: opt(Bool('True if the service is enabled')),
    isStateful: opt(Bool('True if the service may be changed without affecting its users')),
    name: opt(S('Name of the service')),
    serviceDate: opt(S('When the service was created (a string in the specification)')),
    serviceType: opt(S('Business type of the service')),
    startDate: opt(DateTime('When the service starts')),
    startMode: opt(S('How the service starts: 0 unknown, 1 automatically by the managed environment, 2 by the owning device, …')),
    feature: opt(Type.Array(Feature)),
    note: opt(Type.Array(Note)),
    place: opt(Type.Array(RelatedPlaceRefOrValue)),
    relatedEntity: opt(Type.Array(RelatedEntityRefOrValue)),
    relatedParty: opt(Type.Array(RelatedParty)),
    serviceCharacteristic: opt(Type.Array(Characteristic)),
    serviceOrderItem: opt(Type.Array(RelatedServiceOrderItem)),
    serviceRelationship: opt(Type.Array(serviceRelationship(nested))),
    serviceSpecification: ServiceSpecificationRef,
    state: ServiceStateType,
    supportingResource: opt(Type.Array(ResourceRef)),
    supportingService: opt(Type.Array(nested)),
  };
}

function serviceRelationship(service: TSchema): TObject {
  return Type.Object(
    {
      relationshipType: S('Type of relationship, e.g. dependsOn or isComposedOf'),
      service,
      serviceRelationshipCharacteristic: opt(Type.Array(Characteristic)),
    },
    { description: 'Another service this one is linked to' },
  );
}

/**
 * ServiceRefOrValue is recursive (a service is supported by services that are
 * supported by services); it is rendered to a fixed depth, below which a nested
 * service is any object with an id, so that the schema stays finite.
 */
function serviceRefOrValue(depth: number): TObject {
  const nested = depth === 0
    ? Type.Object({ id: S('Identifier of the service') }, { description: 'A nested service, by reference or by value' })
    : serviceRefOrValue(depth - 1);
  const { serviceSpecification, state, ...props } = serviceProperties(nested);
  return Type.Object(
    {
      id: S('Identifier of the service'),
      href: opt(S('Hyperlink to the service')),
      ...props,
      serviceSpecification: opt(serviceSpecification!),
      state: opt(state!),
      ...extensible,
      ...referred,
    },
    { description: 'A service, by reference or by value' },
  );
}

export const ServiceRefOrValue = serviceRefOrValue(3);
export const ServiceRelationship = serviceRelationship(ServiceRefOrValue);

/** Service_Create: `state` and `serviceSpecification` are required (the kit fills the initial state when it is missing). */
export const Service = Type.Object(serviceProperties(ServiceRefOrValue), {
  description: 'A service as it runs for a customer: customer-facing or resource-facing, with what supports it',
});
