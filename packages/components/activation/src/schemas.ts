/**
 * TMF640 (Service Activation and Configuration) and TMF702 (Resource
 * Activation and Configuration) v4, as their `_Create` definitions say, plus
 * the Monitor both use to report on long operations.
 */
import { Type, type TObject, type TSchema } from 'typebox';
import { Characteristic, DateTime, Note, Quantity, RelatedParty as KitRelatedParty, TimePeriod, Uri, entity, extensible } from '@operon/tmf';

const S = (description?: string) => Type.String(description ? { description } : {});
const B = (description: string) => Type.Boolean({ description });
const opt = Type.Optional;
const list = <T extends TSchema>(t: T, description: string) => Type.Array(t, { description });

/** TMF640/702 say a related party's href is a URI. */
const RelatedParty = Type.Object({ ...KitRelatedParty.properties, href: opt(Uri('Hyperlink to the related party')) }, { description: 'A party (or party role) linked to the resource, with its role' });

/** A reference as TMF640/702 render it (`EntityRef`): id required, href a URI. */
function reference(description: string, extra: Record<string, TSchema> = {}): TObject {
  return Type.Object(
    {
      id: S('Unique identifier of the referred entity'),
      href: opt(Uri('Hyperlink to the referred entity')),
      name: opt(S('Name of the referred entity')),
      ...extra,
      '@referredType': opt(S('The actual type of the referred entity')),
      ...extensible,
    },
    { description },
  );
}

export const SERVICE_STATES = ['feasibilityChecked', 'designed', 'reserved', 'inactive', 'active', 'terminated'] as const;
export type ServiceState = (typeof SERVICE_STATES)[number];
export const ADMINISTRATIVE_STATES = ['locked', 'unlocked', 'shutdown'] as const;
export type AdministrativeState = (typeof ADMINISTRATIVE_STATES)[number];
export const MONITOR_STATES = ['InProgress', 'Completed', 'InError'] as const;
export type MonitorStateName = (typeof MONITOR_STATES)[number];

const enumOf = (values: readonly string[], description: string) => Type.Union(values.map((v) => Type.Literal(v)), { description });

const ServiceStateType = enumOf(SERVICE_STATES, 'Lifecycle state of the service; `active` means configured and running on the network');

const ConstraintRef = reference('A constraint a feature is subject to', { version: opt(S('Version of the constraint')) });

const FeatureRelationship = entity(
  {
    id: opt(S('Identifier of the target feature')),
    name: S('Name of the target feature'),
    relationshipType: S('Type of the feature relationship'),
    validFor: opt(TimePeriod),
  },
  'A relationship between two features',
);

const Feature = entity(
  {
    id: opt(S('Identifier of the feature')),
    isBundle: opt(B('True if this is a feature group')),
    isEnabled: opt(B('True if this feature is enabled')),
    name: S('Name of the feature'),
    constraint: opt(list(ConstraintRef, 'Constraints of the feature')),
    featureCharacteristic: Type.Array(Characteristic, { minItems: 1, description: 'Characteristics of the feature' }),
    featureRelationship: opt(list(FeatureRelationship, 'Relationships to other features')),
  },
  'A configuration feature',
);

const RelatedPlaceRefOrValue = Type.Object(
  {
    id: opt(S('Identifier of the place')),
    href: opt(S('Hyperlink to the place')),
    name: opt(S('Name of the place')),
    role: S('Role of the place, e.g. installation address'),
    '@referredType': opt(S('The actual type of the place')),
    ...extensible,
  },
  { description: 'A place related to the service or resource, by reference or by value' },
);

const RelatedEntityRefOrValue = Type.Object(
  {
    id: opt(S('Identifier of the entity')),
    href: opt(S('Hyperlink to the entity')),
    name: opt(S('Name of the entity')),
    role: S('Role of the entity'),
    '@referredType': opt(S('The actual type of the entity')),
    ...extensible,
  },
  { description: 'An entity related to the service' },
);

const RelatedServiceOrderItem = Type.Object(
  {
    itemId: S('Identifier of the service order item'),
    role: opt(S('Role of the service order item for this service')),
    serviceOrderHref: opt(S('Hyperlink to the service order')),
    serviceOrderId: S('Identifier of the service order'),
    itemAction: opt(enumOf(['add', 'modify', 'delete', 'noChange'], 'Action of the order item on the service')),
    '@referredType': opt(S('The actual type of the order item')),
    ...extensible,
  },
  { description: 'A service order item that concerns this service' },
);

const ServiceSpecificationRef = reference('The specification the service was instantiated from', { version: opt(S('Version of the service specification')) });
const ResourceRef = reference('A resource the service runs on');

/** A service by reference or by value; the nested levels of a value are kept open. */
const ServiceRefOrValue = Type.Object(
  {
    id: opt(S('Identifier of the service')),
    href: opt(S('Hyperlink to the service')),
    name: opt(S('Name of the service')),
    category: opt(S('Customer-facing or resource-facing')),
    description: opt(S('Description of the service')),
    state: opt(ServiceStateType),
    serviceSpecification: opt(ServiceSpecificationRef),
    serviceCharacteristic: opt(list(Characteristic, 'Characteristics of the service')),
    supportingResource: opt(list(ResourceRef, 'Resources the service runs on')),
    supportingService: opt(list(Type.Object({}, { description: 'A supporting service, by reference or by value' }), 'Services supporting this one')),
    '@referredType': opt(S('The actual type of the service')),
    ...extensible,
  },
  { description: 'A service, by reference or by value' },
);

const ServiceRelationship = entity(
  {
    relationshipType: S('Type of the relationship, e.g. relies on'),
    ServiceRelationshipCharacteristic: opt(list(Characteristic, 'Characteristics of the relationship')),
    service: opt(ServiceRefOrValue),
  },
  'A link to another service',
);

/** TMF640 `Service_Create`: what a client gives to ask for a service's activation or configuration. */
export const ServiceCreate = Type.Object(
  {
    category: opt(S('Is it a customer-facing or resource-facing service')),
    description: opt(S('Free-text description of the service')),
    endDate: opt(DateTime('Date when the service ends')),
    hasStarted: opt(B('If true, the service has been started')),
    isBundle: opt(B('If true, the service is a bundle of other services')),
    isServiceEnabled: opt(B('If false and hasStarted is false, the service has not been enabled; if false and hasStarted is true, it has failed')),
    isStateful: opt(B('If true, the service can be changed without affecting any other service')),
    name: opt(S('Name of the service')),
    serviceDate: opt(S('Date when the service was created (set by the server when not given)')),
    serviceType: opt(S('Business type of the service')),
    startDate: opt(DateTime('Date when the service starts')),
    startMode: opt(S('How the service is started: 0 unknown, 1 automatically by the managed environment, 2 by the owning device, 3 manually by the provider, 4 by a customer, 5 any')),
    feature: opt(list(Feature, 'Features of the service')),
    note: opt(list(Note, 'Notes on the service; the network adds one when it fails a request')),
    place: opt(list(RelatedPlaceRefOrValue, 'Places of the service, e.g. where it is installed')),
    relatedEntity: opt(list(RelatedEntityRefOrValue, 'Entities related to the service')),
    relatedParty: opt(list(RelatedParty, 'Parties related to the service')),
    serviceCharacteristic: opt(list(Characteristic, 'Characteristics of the service, as configured on the network')),
    serviceOrderItem: opt(list(RelatedServiceOrderItem, 'Service order items related to the service')),
    serviceRelationship: opt(list(ServiceRelationship, 'Relationships with other services')),
    serviceSpecification: ServiceSpecificationRef,
    state: ServiceStateType,
    supportingResource: opt(list(ResourceRef, 'Resources the service runs on: each must be active on the network first')),
    supportingService: opt(list(ServiceRefOrValue, 'Services that support this one')),
    ...extensible,
  },
  { description: 'A service to activate or configure: POST with state `active` asks the network to activate it' },
);

const AdministrativeStateType = enumOf(ADMINISTRATIVE_STATES, '`unlocked`: configured and in service on the network; `locked` or `shutdown`: not');

const AttachmentRefOrValue = entity(
  {
    id: opt(S('Identifier of the attachment')),
    href: opt(Uri('Hyperlink to the attachment')),
    attachmentType: opt(S('Kind of attachment, e.g. video, picture')),
    content: opt(Type.String({ format: 'byte', description: 'The content, base64 encoded' })),
    description: opt(S('Description of the attachment')),
    mimeType: opt(S('MIME type of the content')),
    name: opt(S('Name of the attachment')),
    url: opt(Uri('Where the attachment can be fetched')),
    size: opt(Quantity),
    validFor: opt(TimePeriod),
    '@referredType': opt(S('The actual type of the attachment')),
  },
  'An attachment, by reference or by value',
);

const ResourceSpecificationRef = reference('The specification the resource was instantiated from', { version: opt(S('Version of the resource specification')) });

/** A resource by reference or by value (TMF702 requires its id and href); nested levels are kept open. */
const ResourceRefOrValue = Type.Object(
  {
    id: S('Identifier of the resource'),
    href: S('Hyperlink to the resource'),
    name: opt(S('Name of the resource')),
    category: opt(S('Category of the resource')),
    resourceSpecification: opt(ResourceSpecificationRef),
    resourceCharacteristic: opt(list(Characteristic, 'Characteristics of the resource')),
    '@referredType': opt(S('The actual type of the resource')),
    ...extensible,
  },
  { description: 'A resource, by reference or by value' },
);

const ResourceRelationship = entity(
  {
    id: opt(S('Identifier of the relationship')),
    href: opt(Uri('Hyperlink to the relationship')),
    relationshipType: S('Type of the relationship, e.g. contains, needs'),
    resource: ResourceRefOrValue,
  },
  'A link to another resource',
);

const TMF702Note = entity(
  {
    id: opt(S('Identifier of the note')),
    href: opt(Uri('Hyperlink to the note')),
    author: opt(S('Author of the note')),
    date: opt(DateTime('Date of the note')),
    text: opt(S('Text of the note')),
  },
  'Extra information about the resource',
);

/** The attributes of a TMF702 resource a client may write (all of `Resource_Create` but id and href). */
const resourceAttributes = {
  category: opt(S('Category of the resource, e.g. access network')),
  description: opt(S('Free-text description of the resource')),
  endOperatingDate: opt(DateTime('Date until which the resource is operating')),
  name: opt(S('Name of the resource')),
  resourceVersion: opt(S('Version of the resource')),
  startOperatingDate: opt(DateTime('Date from which the resource is operating')),
  activationFeature: opt(list(Feature, 'Features to configure on the resource')),
  administrativeState: opt(AdministrativeStateType),
  attachment: opt(list(AttachmentRefOrValue, 'Attachments of the resource')),
  note: opt(list(TMF702Note, 'Notes on the resource; the network adds one when it fails a request')),
  operationalState: opt(enumOf(['enable', 'disable'], 'Whether the resource works: enable or disable')),
  place: opt(RelatedPlaceRefOrValue),
  relatedParty: opt(list(RelatedParty, 'Parties related to the resource')),
  resourceCharacteristic: opt(list(Characteristic, 'Characteristics of the resource, as configured on the network (with those the network chose, e.g. an ONU id)')),
  resourceRelationship: opt(list(ResourceRelationship, 'Relationships with other resources')),
  resourceSpecification: opt(ResourceSpecificationRef),
  resourceStatus: opt(enumOf(['standby', 'alarm', 'available', 'reserved', 'unknown', 'suspended'], 'Status of the resource')),
  usageState: opt(enumOf(['idle', 'active', 'busy'], 'Usage of the resource: idle, active or busy')),
  // attributes of the LogicalResource and PhysicalResource sub-classes the specification defines
  value: opt(S('LogicalResource: the value of the resource, e.g. a number or an address')),
  serialNumber: opt(S('PhysicalResource: serial number')),
  manufactureDate: opt(DateTime('PhysicalResource: date of manufacture')),
  powerState: opt(S('PhysicalResource: power state')),
  versionNumber: opt(S('PhysicalResource: version number')),
  ...extensible,
};

/**
 * TMF702 `Resource_Create`: the resource to activate, named by its id (and
 * href) in the resource inventory, which TMF702 requires.
 */
export const ResourceCreate = Type.Object(
  {
    id: S('Identifier of the resource in the resource inventory; the resource keeps it here'),
    href: S('Hyperlink to the resource in the resource inventory'),
    ...resourceAttributes,
  },
  { description: 'A resource to activate or configure: POST (administrativeState unlocked, the default) asks the network to activate it' },
);

/** The stored TMF702 resource: everything but id and href, which the server holds. */
export const Resource = Type.Object(resourceAttributes, { description: 'A resource known to the activation system' });

const HeaderItem = entity({ name: S('Name of the header'), value: S('Value of the header') }, 'A header of a request or response');

const MonitorRequest = entity(
  {
    body: S('The body of the request'),
    method: opt(S('The method of the request, e.g. POST')),
    to: opt(S('The target of the request')),
    header: Type.Array(HeaderItem, { minItems: 1, description: 'Headers of the request' }),
  },
  'The request being monitored',
);

const MonitorResponse = entity(
  {
    body: S('The body of the response: the service or resource as it ended, or the error'),
    statusCode: opt(S('HTTP status of the response, e.g. 201 or 409')),
    header: Type.Array(HeaderItem, { minItems: 1, description: 'Headers of the response' }),
  },
  'The response to the monitored request, once there is one',
);

/** The Monitor of both APIs: how a long activation or configuration request is followed. */
export const Monitor = Type.Object(
  {
    sourceHref: opt(S('The service or resource the request concerns')),
    state: opt(enumOf(MONITOR_STATES, 'InProgress, then Completed or InError')),
    request: opt(MonitorRequest),
    response: opt(MonitorResponse),
    ...extensible,
  },
  { description: 'The progress of an activation or configuration request' },
);
