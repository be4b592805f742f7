import { Type, type TObject, type TSchema } from 'typebox';
import { Quantity, TimePeriod, extensible } from '@operon/tmf';

/**
 * TMF639 v4.0.0 resources as clients write them: our renderings of the
 * official `Resource_Create`, `PhysicalResource_Create` and
 * `LogicalResource_Create`, attribute for attribute, with the definitions
 * they refer to.
 */

const S = (description: string) => Type.String({ description });
const DateTime = (description: string) => Type.String({ format: 'date-time', description });
const opt = Type.Optional;
const referred = { '@referredType': opt(S('The actual type of the target instance when needed for disambiguation')) };

export const RESOURCE_STATUSES = ['standby', 'alarm', 'available', 'reserved', 'unknown', 'suspended'] as const;
export type ResourceStatus = (typeof RESOURCE_STATUSES)[number];
export const ADMINISTRATIVE_STATES = ['locked', 'unlocked', 'shutdown'] as const;
export const OPERATIONAL_STATES = ['enable', 'disable'] as const;
export const USAGE_STATES = ['idle', 'active', 'busy'] as const;

export const ResourceStatusType = Type.Enum([...RESOURCE_STATUSES], {
  description: 'Lifecycle status of the resource: standby, available, reserved, alarm, suspended or unknown',
});
export const ResourceAdministrativeStateType = Type.Enum([...ADMINISTRATIVE_STATES], { description: 'Administrative state (ITU X.731): locked, unlocked or shutdown' });
export const ResourceOperationalStateType = Type.Enum([...OPERATIONAL_STATES], { description: 'Operational state (ITU X.731): enable or disable' });
export const ResourceUsageStateType = Type.Enum([...USAGE_STATES], { description: 'Usage state (ITU X.731): idle, active or busy' });

export const ResourceSpecificationRef = Type.Object(
  {
    id: S('Unique identifier of the resource specification'),
    href: S('Hyperlink to the resource specification (TMF634)'),
    name: opt(S('Name of the resource specification')),
    version: opt(S('Version of the resource specification')),
    ...extensible,
    ...referred,
  },
  { description: 'The resource specification the resource follows' },
);

export const RelatedParty = Type.Object(
  {
    id: S('Unique identifier of the related party'),
    href: opt(S('Hyperlink to the related party')),
    name: opt(S('Name of the related party')),
    role: opt(S('Role played by the related party, e.g. owner or user')),
    ...extensible,
    '@referredType': S('The actual type of the party (Individual, Organization, PartyRole…)'),
  },
  { description: 'A party (or party role) linked to the resource, with its role' },
);

export const RelatedPlaceRefOrValue = Type.Object(
  {
    id: S('Unique identifier of the place'),
    href: S('Unique reference of the place'),
    name: opt(S('A user-friendly name for the place')),
    role: S('Role of the place for the resource, e.g. installation site'),
    ...extensible,
    ...referred,
  },
  { description: 'The place of the resource' },
);

export const CharacteristicRelationship = Type.Object(
  { id: opt(S('Identifier of the related characteristic')), relationshipType: opt(S('Type of relationship')), ...extensible },
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
  { description: 'A characteristic of the resource as a name/value pair' },
);

export const ResourceRelationship = Type.Object(
  {
    id: opt(S('Identifier of the related resource')),
    href: opt(S('Hyperlink to the related resource')),
    relationshipType: opt(S('Type of relationship, e.g. contains, isContainedIn, dependsOn')),
    resourceRelationshipCharacteristic: opt(Type.Array(Characteristic)),
    ...extensible,
  },
  { description: 'Another resource this one is linked to' },
);

export const Note = Type.Object(
  { id: opt(S('Identifier of the note')), author: opt(S('Author of the note')), date: opt(DateTime('When the note was written')), text: opt(S('Text of the note')), ...extensible },
  { description: 'A note on the resource' },
);

export const AttachmentRefOrValue = Type.Object(
  {
    id: opt(S('Unique identifier of the attachment')),
    href: opt(S('Hyperlink to the attachment')),
    attachmentType: opt(S('Attachment type, such as video or picture')),
    content: opt(S('The actual contents of the attachment')),
    description: opt(S('Description of the attachment')),
    mimeType: opt(S('MIME type of the attachment')),
    name: opt(S('Name of the attachment')),
    url: opt(S('Where the attachment can be fetched')),
    size: opt(Quantity),
    validFor: opt(TimePeriod),
    ...extensible,
    ...referred,
  },
  { description: 'An attachment (document, picture…), by reference or by value' },
);

/** The attributes every resource has (Resource_Create); `name` is required there. */
const resourceProperties = {
  category: opt(S('Category of the resource, e.g. msisdn, ipv4Address, olt, port')),
  description: opt(S('Description of the resource')),
  endOperatingDate: opt(DateTime('When the resource stops operating')),
  name: S('Name of the resource'),
  resourceVersion: opt(S('Version of the resource')),
  startOperatingDate: opt(DateTime('When the resource starts operating')),
  administrativeState: opt(ResourceAdministrativeStateType),
  attachment: opt(Type.Array(AttachmentRefOrValue)),
  note: opt(Type.Array(Note)),
  operationalState: opt(ResourceOperationalStateType),
  place: opt(RelatedPlaceRefOrValue),
  relatedParty: opt(Type.Array(RelatedParty)),
  resourceCharacteristic: opt(Type.Array(Characteristic)),
  resourceRelationship: opt(Type.Array(ResourceRelationship)),
  resourceSpecification: opt(ResourceSpecificationRef),
  resourceStatus: opt(ResourceStatusType),
  usageState: opt(ResourceUsageStateType),
  ...extensible,
} satisfies Record<string, TSchema>;

/** What only physical resources have (PhysicalResource_Create beyond Resource_Create). */
export const physicalProperties = {
  manufactureDate: opt(DateTime('When the resource was manufactured')),
  powerState: opt(S('Current power status of the resource')),
  serialNumber: opt(S('Serial number of the resource, e.g. an ICCID for a SIM card')),
  versionNumber: opt(S('Version of the resource (hardware revision)')),
} satisfies Record<string, TSchema>;

/** What only logical resources have (LogicalResource_Create beyond Resource_Create). */
export const logicalProperties = {
  value: opt(S('The value of the logical resource, e.g. a phone number or an IP address')),
} satisfies Record<string, TSchema>;

export const PHYSICAL_ONLY: readonly string[] = Object.keys(physicalProperties);
export const LOGICAL_ONLY: readonly string[] = Object.keys(logicalProperties);

/** Resource_Create. */
export const Resource = Type.Object(resourceProperties, { description: 'A resource of the operator: equipment, port, number, address…' });

/** PhysicalResource_Create. */
export const PhysicalResource = Type.Object(
  { ...resourceProperties, ...physicalProperties, ...referred },
  { description: 'A physical resource: equipment, card, port, SIM card…' },
);

/** LogicalResource_Create: unlike the others, `name` is not required. */
export const LogicalResource = Type.Object(
  { ...resourceProperties, name: opt(resourceProperties.name), ...logicalProperties, ...referred },
  { description: 'A logical resource: phone number, IP address, VLAN, termination point…' },
);

/**
 * What `/resource` takes: Resource is abstract (TMF639 says so), so the
 * collection holds physical and logical resources alike, and takes the
 * attributes of both subclasses; a rule keeps each to its own (checkSubclass in resources.ts).
 */
export const AnyResource: TObject = Type.Object(
  { ...resourceProperties, ...physicalProperties, ...logicalProperties, ...referred },
  { description: 'A resource of the operator, physical or logical' },
);

// --- resource pools (Operon extension, modelled on TMF685 ResourcePool) -----------------------------

export const PoolKindType = Type.Enum(['msisdn', 'did', 'ipv4', 'ipv6', 'vlan', 'port', 'sim', 'sip'], {
  description: 'What the pool hands out: msisdn (mobile numbers), did (geographic direct-dial numbers), ipv4 (addresses), ipv6 (delegated prefixes), vlan (VLAN ids), port (ports of network elements), sim (SIM cards), sip (SIP accounts)',
});

/** Same form as the access area of an address (TMF673 extension of the geographic component). */
export const AccessArea = Type.String({
  pattern: '^[A-Za-z0-9._:/-]{1,64}$',
  description: 'Access area the pool serves (the accessArea of the addresses it serves), e.g. BER-MITTE-OLT01. Letters, digits and ._:/- (at most 64)',
});

export const ValueRange = Type.Object(
  { start: S('First value, included'), end: S('Last value, included') },
  { description: 'A range of values: E.164 numbers (msisdn, did), IPv4 addresses (ipv4), VLAN ids (vlan) or SIP user names, a prefix and a zero-padded number such as sip-0000001 (sip)' },
);

export const SimCard = Type.Object(
  { iccid: S('ICCID of the card (E.118), its serial number'), imsi: S('IMSI provisioned on the card') },
  { description: 'A SIM card of the pool' },
);

/** What a client writes to create a resource pool. */
export const ResourcePool = Type.Object(
  {
    name: S('Name of the pool'),
    description: opt(S('Description of the pool')),
    kind: PoolKindType,
    cidr: opt(S('ipv4 or ipv6: the block, e.g. 192.0.2.0/24 (hosts only) or 2001:db8:100::/48')),
    prefixLength: opt(Type.Integer({ minimum: 1, maximum: 128, description: 'ipv6: length of the prefixes handed out (default 64; 128 for single addresses)' })),
    range: opt(ValueRange),
    values: opt(Type.Array(S('Port name, unique on the network, e.g. OLT01/1/1/3'), { description: 'port: the ports of the pool' })),
    simCards: opt(Type.Array(SimCard, { description: 'sim: the cards of the pool' })),
    sipDomain: opt(S('sip: the SIP domain the accounts register in, e.g. voice.operon.example')),
    exclude: opt(Type.Array(S('A value of the pool'), { description: 'Values of the range never handed out (a gateway address, a golden number)' })),
    accessArea: opt(AccessArea),
    place: opt(RelatedPlaceRefOrValue),
    resourceSpecification: ResourceSpecificationRef,
    resourceRelationship: opt(Type.Array(ResourceRelationship, { description: 'Relationships every resource handed out carries, e.g. isContainedIn its OLT' })),
    ...extensible,
  },
  { description: 'A pool of resources handed out one by one (Operon extension modelled on TMF685 ResourcePool)' },
);

export const PoolCapacity = Type.Object(
  {
    total: Type.Integer({ description: 'Values the pool holds' }),
    used: Type.Integer({ description: 'Values allocated (reserved or in use)' }),
    free: Type.Integer({ description: 'Values that can be allocated' }),
    units: S('What is counted, e.g. ipv4Address'),
  },
  { description: 'Capacity figures of the pool, computed when served' },
);
