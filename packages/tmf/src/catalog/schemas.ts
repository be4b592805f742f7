import { Type, type TObject, type TProperties, type TSchema } from 'typebox';
import { DateTime, Quantity, TimePeriod, Uri, extensible } from '../schemas.ts';

/*
 * Schema blocks the catalog APIs (TMF620, TMF633, TMF634) define alike, as
 * builders: each API passes what its specification says differently (a
 * description, whether a hyperlink is a URI, which attribute holds the values),
 * so that whatever an API accepts also validates against its own official
 * response definitions.
 */

const S = (description: string) => Type.String({ description });
const opt = Type.Optional;
const Int = (description: string) => Type.Integer({ description });
const Bool = (description: string) => Type.Boolean({ description });
const list = (items: TSchema, description?: string) => opt(Type.Array(items, description ? { description } : {}));

/** `@referredType` of references: which class the referred entity is. */
const referred = { '@referredType': opt(S('Class of the referred entity, when it matters to tell')) };

export interface CatalogRefOptions {
  /** The referred entity carries a version: the description of that attribute. */
  version?: string;
  /** The specification types `href` as a URI for most references, as a plain string for a few. */
  hrefIsUri?: boolean;
  extra?: TProperties;
}

/** An `XxxRef` of a catalog: identifies an entity held here or elsewhere. */
export function catalogRef(description: string, options: CatalogRefOptions = {}): TObject {
  return Type.Object(
    {
      id: S('Identifier of the referred entity'),
      href: opt(options.hrefIsUri === false ? S('Hyperlink to the referred entity') : Uri('Hyperlink to the referred entity')),
      name: opt(S('Name of the referred entity')),
      ...(options.version ? { version: opt(S(options.version)) } : {}),
      ...options.extra,
      ...extensible,
      ...referred,
    },
    { description },
  );
}

/** A party (or party role) involved with a catalog entity; `@referredType` is required. */
export function catalogRelatedParty(roleExamples: string): TObject {
  return Type.Object(
    {
      id: S('Identifier of the party or party role'),
      href: opt(Uri('Hyperlink to the party or party role')),
      name: opt(S('Name of the party')),
      role: opt(S(`Part the party plays, e.g. ${roleExamples}`)),
      ...extensible,
      '@referredType': S('Class of the party: Individual, Organization, PartyRole…'),
    },
    { description: 'A party, or party role, involved with the entity' },
  );
}

/** A document, picture or video describing the entity, by reference or by value. */
export function catalogAttachment(kindExamples: string): TObject {
  return Type.Object(
    {
      id: opt(S('Identifier of the attachment, when held elsewhere')),
      href: opt(Uri('Hyperlink to the attachment, when held elsewhere')),
      attachmentType: opt(S(`Kind of attachment: ${kindExamples}`)),
      content: opt(Type.String({ format: 'base64', description: 'The attachment itself, base64 encoded' })),
      description: opt(S('What the attachment is about')),
      mimeType: opt(S('Media type of the content')),
      name: opt(S('Name of the attachment')),
      url: opt(Uri('Where the content can be downloaded')),
      size: opt(Quantity),
      validFor: opt(TimePeriod),
      ...extensible,
      ...referred,
    },
    { description: 'A document, picture or other media describing the entity, by reference or by value' },
  );
}

/** The schema of the instances built from a specification (TargetProductSchema, TargetEntitySchema, TargetResourceSchema). */
export function targetSchema(what: string, options: { locationIsUri: boolean }): TObject {
  const location = `Where the schema of the ${what} lives`;
  return Type.Object(
    {
      '@schemaLocation': options.locationIsUri ? Uri(location) : S(location),
      '@type': S(`Class of the ${what} described by the schema`),
    },
    { description: `The schema of the ${what} built from this specification` },
  );
}

/** One allowed value, or range of values, of a characteristic. */
export function characteristicValueSpecification(unitExamples: string): TObject {
  return Type.Object(
    {
      isDefault: opt(Bool('Whether this is the value taken when none is chosen')),
      rangeInterval: opt(S('For a range: which bounds are included — open, closed, closedBottom or closedTop')),
      regex: opt(S('Regular expression a value must match')),
      unitOfMeasure: opt(S(`Unit of the value, e.g. ${unitExamples}`)),
      valueFrom: opt(Int('Lower bound of a range of values')),
      valueTo: opt(Int('Upper bound of a range of values')),
      valueType: opt(S('Kind of value: string, integer, number, boolean…')),
      validFor: opt(TimePeriod),
      value: opt(Type.Unknown({ description: 'One value the characteristic may take' })),
      ...extensible,
    },
    { description: 'A value, or a range of values, allowed for a characteristic' },
  );
}

/** What every characteristic specification has (CharacteristicSpecificationBase). */
export const characteristicProperties = {
  id: opt(S('Identifier of the characteristic within the specification')),
  configurable: opt(Bool('Whether the value is chosen when ordering (true) or fixed by the specification (false)')),
  description: opt(S('What the characteristic means')),
  extensible: opt(Bool('Whether values beyond the listed ones may be given on instances')),
  isUnique: opt(Bool('Whether a value must be unique across instances')),
  maxCardinality: opt(Int('Largest number of values an instance may carry')),
  minCardinality: opt(Int('Smallest number of values an instance must carry (0 means optional)')),
  regex: opt(S('Regular expression every value must match')),
  valueType: opt(S('Kind of value: string, integer, number, boolean, object…')),
  validFor: opt(TimePeriod),
};

export interface CharacteristicSchemaOptions {
  description: string;
  /** Features require the name; specifications leave it to the rules. */
  nameRequired?: boolean;
  relationshipKey: string;
  relationship: TObject;
  valuesKey: string;
  values: TObject;
}

/** A characteristic specification with its relationships and allowed values, under the attribute names of one API. */
export function characteristicSpecification(o: CharacteristicSchemaOptions): TObject {
  const name = 'Name of the characteristic, unique within the specification';
  return Type.Object(
    {
      ...characteristicProperties,
      name: o.nameRequired ? S(name) : opt(S(name)),
      [o.relationshipKey]: list(o.relationship),
      [o.valuesKey]: list(o.values),
      ...extensible,
      '@valueSchemaLocation': opt(S('Where the schema of structured values lives')),
    },
    { description: o.description },
  );
}

export interface FeatureSchemaOptions {
  /** `service` or `resource`: what the features belong to. */
  what: string;
  /** TMF634 v4.1 gives feature relationships an id, an href and the extension attributes; TMF633 v4.0 does not. */
  referable: boolean;
  constraintRef: TObject;
  values: TObject;
}

/** FeatureSpecification and its parts (TMF633, TMF634). */
export function featureSchemas(o: FeatureSchemaOptions) {
  const identity = (what: string): TProperties => (o.referable ? { id: opt(S(`Identifier of the ${what}`)), href: opt(Uri(`Hyperlink to the ${what}`)) } : {});
  const ext: TProperties = o.referable ? extensible : {};
  const FeatureSpecificationCharacteristicRelationship = Type.Object(
    {
      ...identity('relationship'),
      characteristicId: opt(S('Identifier of the target characteristic')),
      featureId: opt(S('Identifier of the feature holding the target characteristic')),
      name: opt(S('Name of the target characteristic')),
      relationshipType: opt(S('Kind of relationship')),
      resourceSpecificationHref: opt(Uri('Hyperlink to the specification holding the target feature')),
      resourceSpecificationId: opt(S('Identifier of the specification holding the target feature')),
      validFor: opt(TimePeriod),
      ...ext,
    },
    { description: 'A relationship between characteristics of features' },
  );
  const FeatureSpecificationCharacteristic = Type.Object(
    {
      ...characteristicProperties,
      name: S('Name of the characteristic, unique within the feature'),
      featureSpecCharRelationship: list(FeatureSpecificationCharacteristicRelationship),
      featureSpecCharacteristicValue: list(o.values),
      ...extensible,
      '@valueSchemaLocation': opt(S('Where the schema of structured values lives')),
    },
    { description: 'A characteristic of a feature, with its allowed values' },
  );
  const FeatureSpecificationRelationship = Type.Object(
    {
      ...identity('relationship'),
      featureId: opt(S('Identifier of the target feature')),
      name: S('Name of the target feature'),
      parentSpecificationHref: opt(Uri('Hyperlink to the specification holding the target feature')),
      parentSpecificationId: opt(S('Identifier of the specification holding the target feature')),
      relationshipType: S('Kind of relationship, e.g. dependency, exclusivity'),
      validFor: opt(TimePeriod),
      ...ext,
    },
    { description: 'A relationship between features' },
  );
  const FeatureSpecification = Type.Object(
    {
      id: opt(S('Identifier of the feature within the specification')),
      ...(o.referable ? { href: opt(Uri('Hyperlink to the feature')) } : {}),
      isBundle: opt(Bool('Whether the feature groups other features')),
      isEnabled: opt(Bool('Whether the feature is on by default')),
      name: opt(S('Name of the feature')),
      version: opt(S('Version of the feature')),
      constraint: list(o.constraintRef),
      featureSpecCharacteristic: list(FeatureSpecificationCharacteristic),
      featureSpecRelationship: list(FeatureSpecificationRelationship),
      validFor: opt(TimePeriod),
      ...ext,
    },
    { description: `A function of the ${o.what} that can be switched on or off, with its own characteristics` },
  );
  return { FeatureSpecificationCharacteristicRelationship, FeatureSpecificationCharacteristic, FeatureSpecificationRelationship, FeatureSpecification };
}

/** What every catalog entity has: a name, a version, a description, a lifecycle status and a validity period. */
export const catalogItemProperties = {
  description: opt(S('What the entity is for')),
  lastUpdate: opt(DateTime('When the entity last changed; set by the server')),
  lifecycleStatus: opt(S('Where the entity stands in the catalog lifecycle (In study, In design, In test, Active, Launched, Retired, Obsolete, Rejected)')),
  name: S('Name of the entity'),
  version: opt(S('Version of the entity')),
  validFor: opt(TimePeriod),
};

export interface CatalogSchemaOptions {
  /** `service` or `resource`: what the catalog publishes. */
  what: string;
  categoryRef: TObject;
  relatedParty: TObject;
  /** Attribute of a category listing its candidates, e.g. `serviceCandidate`, and how it refers to one. */
  candidateKey: string;
  candidateRef: TObject;
  /** Attribute of a candidate referring to its specification, e.g. `serviceSpecification`. */
  specificationKey: string;
  specificationRef: TObject;
  /** TMF633 requires the candidate's specification; TMF634 leaves it optional. */
  specificationRequired: boolean;
  /** TMF634 v4.1 categories have related parties; TMF633 v4.0 ones do not. */
  categoryRelatedParty: boolean;
}

/** Catalog, category and candidate of the TMF633 and TMF634 shape. */
export function catalogSchemas(o: CatalogSchemaOptions) {
  const categories = (description: string) => list(o.categoryRef, description);
  const Catalog = Type.Object(
    {
      ...catalogItemProperties,
      category: categories('The categories the catalog groups its candidates in'),
      relatedParty: list(o.relatedParty),
      ...extensible,
    },
    { description: `A collection of ${o.what} candidates, organised in categories` },
  );
  const Category = Type.Object(
    {
      ...catalogItemProperties,
      isRoot: opt(Bool('Whether the category is the root of a tree of categories; derived from parentId when not given')),
      parentId: opt(S('Identifier of the parent category')),
      category: categories('Child categories'),
      ...(o.categoryRelatedParty ? { relatedParty: list(o.relatedParty) } : {}),
      [o.candidateKey]: list(o.candidateRef, `${o.what.charAt(0).toUpperCase()}${o.what.slice(1)} candidates in the category`),
      ...extensible,
    },
    { description: `A group of ${o.what} candidates; categories nest in trees` },
  );
  const Candidate = Type.Object(
    {
      ...catalogItemProperties,
      category: categories('Categories the candidate appears in'),
      [o.specificationKey]: o.specificationRequired ? o.specificationRef : opt(o.specificationRef),
      ...extensible,
    },
    { description: `Makes a ${o.what} specification available in catalogs` },
  );
  return { Catalog, Category, Candidate };
}

export const JobStateType = Type.Union(
  [Type.Literal('Not Started'), Type.Literal('Running'), Type.Literal('Succeeded'), Type.Literal('Failed')],
  { description: 'Where the job stands: Not Started, Running, Succeeded or Failed' },
);

export interface JobSchemaOptions {
  /** Collections of the API, as examples for `path`. */
  collections: string;
}

/**
 * ImportJob and ExportJob of a catalog API. TMF633 v4.0 lists no `@type`, `@baseType` or
 * `@schemaLocation` for jobs, but the kit gives every resource a `@type`, so they are typed here
 * as everywhere (the specification allows further attributes).
 */
export function jobSchemas(o: JobSchemaOptions) {
  const common = {
    completionDate: opt(DateTime('When the job finished; set by the server')),
    creationDate: opt(DateTime('When the job was created; set by the server')),
    errorLog: opt(S('Why the job failed; set by the server')),
    status: opt(JobStateType),
    contentType: opt(S('Format of the document; application/json')),
  };
  const ExportJob = Type.Object(
    {
      ...common,
      path: opt(S(`What to export: the API root (everything), a collection such as ${o.collections}, or one entity such as <collection>/{id} with everything it is made of`)),
      query: opt(S('TMF630 filter applied to the exported collections, e.g. lifecycleStatus=Launched')),
      url: opt(Uri('Where the exported document can be downloaded; set by the server')),
      ...extensible,
    },
    { description: 'A request to write (part of) the catalog to a JSON document' },
  );
  const ImportJob = Type.Object(
    {
      ...common,
      path: opt(S('Root of the API the document is loaded into')),
      url: Uri('The document to load: the url of an export of this catalog, or a data: URL carrying the JSON document'),
      ...extensible,
    },
    { description: 'A request to load a catalog document into this catalog' },
  );
  return { ExportJob, ImportJob };
}
