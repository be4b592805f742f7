import { Type, type TObject, type TProperties, type TSchema } from 'typebox';

/**
 * Building blocks of the TMF common information model (SID), shared by every
 * component's schemas. Nested objects accept extra attributes (the TMF
 * extension pattern); top-level resources are checked strictly by the kit.
 */

const S = (description?: string) => Type.String(description ? { description } : {});
const opt = <T extends TSchema>(t: T) => Type.Optional(t);

export const DateTime = (description?: string) => Type.String({ format: 'date-time', ...(description ? { description } : {}) });
export const Uri = (description?: string) => Type.String({ format: 'uri', ...(description ? { description } : {}) });

/** `@type`, `@baseType`, `@schemaLocation`: present on every TMF entity. */
export const extensible = {
  '@type': opt(S('When sub-classing, the name of the class')),
  '@baseType': opt(S('When sub-classing, the name of the super-class')),
  '@schemaLocation': opt(Uri('A URI to a JSON-Schema file that defines additional attributes')),
};

/** An object with the TMF extension attributes added. */
export function entity<P extends TProperties>(properties: P, description?: string) {
  return Type.Object({ ...properties, ...extensible }, description ? { description } : {});
}

/** A reference to an entity held elsewhere (`XxxRef`). */
export function ref(description = 'Reference to an entity') {
  return Type.Object(
    {
      id: S('Unique identifier of the referred entity'),
      href: opt(S('Hyperlink to the referred entity')),
      name: opt(S('Name of the referred entity')),
      '@referredType': opt(S('The actual type of the referred entity')),
      ...extensible,
    },
    { description },
  );
}

/** A reference that may carry a version (catalog specifications). */
export function versionedRef(description = 'Reference to a versioned entity') {
  return Type.Object(
    {
      id: S('Unique identifier of the referred entity'),
      href: opt(S('Hyperlink to the referred entity')),
      name: opt(S('Name of the referred entity')),
      version: opt(S('Version of the referred entity')),
      '@referredType': opt(S('The actual type of the referred entity')),
      ...extensible,
    },
    { description },
  );
}

export const TimePeriod = Type.Object(
  {
    startDateTime: opt(DateTime('Start of the period')),
    endDateTime: opt(DateTime('End of the period')),
  },
  { description: 'A period of time, either as a deadline (endDateTime only), a start date (startDateTime only), or both' },
);

export const Money = Type.Object(
  { unit: opt(S('Currency (ISO 4217)')), value: opt(Type.Number({ description: 'A positive floating point number' })) },
  { description: 'An amount in a given currency' },
);

export const Quantity = Type.Object(
  { amount: opt(Type.Number({ description: 'Numeric value in a given unit' })), units: opt(S('Unit')) },
  { description: 'An amount in a given unit' },
);

export const RelatedParty = Type.Object(
  {
    id: S('Unique identifier of the related party'),
    href: opt(S('Hyperlink to the related party')),
    name: opt(S('Name of the related party')),
    role: opt(S('Role played by the related party')),
    '@referredType': S('The actual type of the party (Individual, Organization, PartyRole…)'),
    ...extensible,
  },
  { description: 'A party (or party role) linked to the resource, with its role' },
);

export const CharacteristicRelationship = entity(
  { id: opt(S('Unique identifier of the related characteristic')), relationshipType: opt(S('Type of relationship')) },
  'Another characteristic this one relates to',
);

export const Characteristic = entity(
  {
    id: opt(S('Unique identifier of the characteristic')),
    name: S('Name of the characteristic'),
    valueType: opt(S('Data type of the value')),
    value: Type.Unknown({ description: 'The value of the characteristic' }),
    characteristicRelationship: opt(Type.Array(CharacteristicRelationship)),
  },
  'A name/value pair describing an aspect of the entity',
);

export const Note = entity(
  {
    id: opt(S('Identifier of the note')),
    author: opt(S('Author of the note')),
    date: opt(DateTime('Date of the note')),
    text: opt(S('Text of the note')),
  },
  'Extra information about the entity',
);

export const MediumCharacteristic = entity(
  {
    city: opt(S()),
    contactType: opt(S()),
    country: opt(S()),
    emailAddress: opt(S()),
    faxNumber: opt(S()),
    phoneNumber: opt(S()),
    postCode: opt(S()),
    socialNetworkId: opt(S()),
    stateOrProvince: opt(S()),
    street1: opt(S()),
    street2: opt(S()),
  },
  'Details of a contact medium (address, phone, email…)',
);

export const ContactMedium = entity(
  {
    mediumType: opt(S('Type of contact medium: email, phone, postal address…')),
    preferred: opt(Type.Boolean({ description: 'Whether this is the preferred contact medium' })),
    characteristic: opt(MediumCharacteristic),
    validFor: opt(TimePeriod),
  },
  'A way to reach a party',
);

export const ExternalReference = entity(
  { externalReferenceType: opt(S('Type of the reference (e.g. web site, social id)')), name: S('The reference itself') },
  'A reference to the entity in an external system',
);

export const AttachmentRefOrValue = entity(
  {
    id: opt(S()),
    href: opt(S()),
    attachmentType: opt(S('Attachment type such as video or picture')),
    content: opt(Type.String({ format: 'base64', description: 'The attachment content, base64 encoded' })),
    description: opt(S()),
    mimeType: opt(S()),
    name: opt(S()),
    url: opt(S('Where the attachment can be fetched')),
    size: opt(Quantity),
    validFor: opt(TimePeriod),
    '@referredType': opt(S()),
  },
  'An attachment, by reference or by value',
);

export const PartyCreditProfile = entity(
  {
    creditAgencyName: opt(S()),
    creditAgencyType: opt(S()),
    ratingReference: opt(S()),
    ratingScore: opt(Type.Integer()),
    validFor: opt(TimePeriod),
  },
  'A credit rating given to a party by an agency',
);

export const TaxDefinition = entity(
  { id: opt(S()), name: opt(S()), taxType: opt(S()) },
  'A tax that may be exempted',
);

export const TaxExemptionCertificate = entity(
  {
    id: opt(S()),
    attachment: opt(AttachmentRefOrValue),
    taxDefinition: opt(Type.Array(TaxDefinition)),
    validFor: opt(TimePeriod),
  },
  'Proof of a tax exemption',
);

/** The TMF630 Error body; `status` is a string in the official specs. */
export const ErrorBody = Type.Object(
  {
    code: S('Application relevant detail, defined in the API or a common list'),
    reason: S('Explanation of the reason for the error which can be shown to a client user'),
    message: opt(S('More details and corrective actions related to the error')),
    status: opt(S('HTTP error code extension')),
    referenceError: opt(Uri('URI of documentation describing the error')),
    ...extensible,
  },
  { description: 'Error' },
);

export const EventSubscriptionInput = Type.Object(
  {
    callback: Uri('The callback being registered; events are POSTed to {callback}/listener/{eventName}'),
    query: opt(S('Additional data to filter events, e.g. eventType=IndividualCreateEvent')),
  },
  { description: 'Sets the communication endpoint to receive events', additionalProperties: false },
);

export const EventSubscription = Type.Object(
  {
    id: S('Id of the listener'),
    callback: S('The callback being registered'),
    query: opt(S('Additional data to be passed')),
  },
  { description: 'A subscription of a listener to the events of this API' },
);

/** Properties of a TypeBox object, for building a resource's list of known attributes. */
export function propertyNames(schema: TObject): string[] {
  return Object.keys(schema.properties);
}
