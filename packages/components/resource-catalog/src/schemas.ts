import { Type } from 'typebox';
import {
  TimePeriod, Uri, catalogAttachment, catalogItemProperties, catalogRef, catalogRelatedParty, catalogSchemas, characteristicSpecification,
  characteristicValueSpecification, extensible, featureSchemas, jobSchemas, targetSchema,
} from '@operon/tmf';

/**
 * TMF634 v4.1.0 resources as clients write them: our rendering of the
 * official `<X>_Create` definitions (and of the ResourceSpecification
 * subclasses), attribute for attribute, built from the kit's catalog blocks.
 * Hyperlinks are URIs as in the specification, so that whatever is stored
 * also validates against the official response definitions.
 */

const S = (description: string) => Type.String({ description });
const opt = Type.Optional;
const Int = (description: string) => Type.Integer({ description });
const Bool = (description: string) => Type.Boolean({ description });

/** `@referredType` of references: which class the referred entity is. */
const referred = { '@referredType': opt(S('Class of the referred entity, when it matters to tell')) };
const versioned = { version: 'Version of the referred entity' };

export const ResourceCategoryRef = catalogRef('A resource category, by reference', versioned);
export const ResourceCandidateRef = catalogRef('A resource candidate, by reference', versioned);
export const ResourceSpecificationRef = catalogRef('A resource specification, by reference', versioned);
export const ConstraintRef = catalogRef('A policy or rule constraining the specification, by reference', versioned);
export const ConnectionPointSpecificationRef = catalogRef('The specification of a connection point (service access point), by reference', versioned);
export const ResourceGraphSpecificationRef = catalogRef('A resource graph specification, by reference');

export const RelatedParty = catalogRelatedParty('owner, vendor, supplier');
export const AttachmentRefOrValue = catalogAttachment('data sheet, picture, video…');
export const TargetResourceSchema = targetSchema('resources', { locationIsUri: true });
export const CharacteristicValueSpecification = characteristicValueSpecification('Gbps, W, U');

export const ResourceSpecificationCharacteristicRelationship = Type.Object(
  {
    characteristicSpecificationId: opt(S('Identifier of the target characteristic inside its specification')),
    name: opt(S('Name of the target characteristic')),
    relationshipType: opt(S('aggregation, migration, substitution, dependency or exclusivity')),
    resourceSpecificationHref: opt(Uri('Hyperlink to the specification holding the target characteristic')),
    resourceSpecificationId: opt(S('Identifier of the specification holding the target characteristic')),
    validFor: opt(TimePeriod),
    ...extensible,
  },
  { description: 'A relationship between characteristic specifications' },
);

export const ResourceSpecificationCharacteristic = characteristicSpecification({
  description: 'A characteristic resources of this specification have, with its allowed values',
  relationshipKey: 'resourceSpecCharRelationship',
  relationship: ResourceSpecificationCharacteristicRelationship,
  valuesKey: 'resourceSpecCharacteristicValue',
  values: CharacteristicValueSpecification,
});

export const { FeatureSpecificationCharacteristicRelationship, FeatureSpecificationCharacteristic, FeatureSpecificationRelationship, FeatureSpecification } = featureSchemas({
  what: 'resource',
  referable: true,
  constraintRef: ConstraintRef,
  values: CharacteristicValueSpecification,
});

export const ResourceSpecificationRelationship = Type.Object(
  {
    id: opt(S('Identifier of the target resource specification')),
    href: opt(Uri('Hyperlink to the target resource specification')),
    defaultQuantity: opt(Int('How many of the target are built by default, e.g. 4 cards in a rack')),
    maximumQuantity: opt(Int('How many of the target may be built at most, e.g. 16 cards in a rack')),
    minimumQuantity: opt(Int('How many of the target must be built at least, e.g. 1 card in a rack')),
    name: opt(S('Name of the target resource specification')),
    relationshipType: opt(S('migration, substitution, dependency or exclusivity')),
    role: opt(S('Role of the target in the relationship, e.g. slot, uplink')),
    characteristic: opt(Type.Array(ResourceSpecificationCharacteristic, { description: 'Characteristics that refine the relationship, e.g. the slot a card goes in' })),
    validFor: opt(TimePeriod),
    ...extensible,
  },
  { description: 'A relationship to another resource specification, e.g. a chassis that holds cards' },
);

export const EndpointSpecificationRef = Type.Object(
  {
    id: S('Identifier of the endpoint specification'),
    href: opt(Uri('Hyperlink to the endpoint specification')),
    isRoot: opt(Bool('Whether the endpoint is a source (true) or a sink (false); all true means bidirectional')),
    name: opt(S('Name of the endpoint')),
    role: opt(S('Role of the resource function at this endpoint')),
    connectionPointSpecification: opt(ConnectionPointSpecificationRef),
    ...extensible,
    ...referred,
  },
  { description: 'A vertex of a resource graph' },
);

export const ConnectionSpecification = Type.Object(
  {
    id: opt(S('Identifier of the edge')),
    href: opt(Uri('Hyperlink to the edge')),
    associationType: S('Kind of association: pointtoPoint, pointToMultipoint…'),
    name: opt(S('Name of the edge')),
    endpointSpecification: Type.Array(EndpointSpecificationRef),
    ...extensible,
  },
  { description: 'An edge of a resource graph' },
);

export const ResourceGraphSpecificationRelationship = Type.Object(
  {
    id: opt(S('Identifier of the relationship')),
    href: opt(Uri('Hyperlink to the relationship')),
    relationshipType: opt(S('Kind of relationship')),
    resourceGraph: opt(ResourceGraphSpecificationRef),
    ...extensible,
  },
  { description: 'A relationship between resource graphs' },
);

export const ResourceGraphSpecification = Type.Object(
  {
    id: opt(S('Identifier of the graph')),
    href: opt(Uri('Hyperlink to the graph')),
    description: opt(S('What the graph connects')),
    name: opt(S('Name of the graph')),
    connectionSpecification: Type.Array(ConnectionSpecification),
    graphSpecificationRelationship: opt(Type.Array(ResourceGraphSpecificationRelationship)),
    ...extensible,
  },
  { description: 'How the parts of a resource function connect' },
);

export const { Catalog: ResourceCatalog, Category: ResourceCategory, Candidate: ResourceCandidate } = catalogSchemas({
  what: 'resource',
  categoryRef: ResourceCategoryRef,
  relatedParty: RelatedParty,
  candidateKey: 'resourceCandidate',
  candidateRef: ResourceCandidateRef,
  specificationKey: 'resourceSpecification',
  specificationRef: ResourceSpecificationRef,
  specificationRequired: false,
  categoryRelatedParty: true,
});

/** Attributes only a PhysicalResourceSpecification has. */
export const physicalAttributes = {
  model: opt(S('Manufacturer model: with part and vendor, tells one kind of hardware from another')),
  part: opt(S('Manufacturer part number')),
  sku: opt(S('Manufacturer stock keeping unit')),
  vendor: opt(S('Manufacturer')),
};

/** Attributes only a ResourceFunctionSpecification has. */
export const functionAttributes = {
  connectionPointSpecification: opt(Type.Array(ConnectionPointSpecificationRef, { description: 'Where the function can be reached' })),
  connectivitySpecification: opt(Type.Array(ResourceGraphSpecification, { description: 'How the parts of the function connect' })),
};

/**
 * ResourceSpecification_Create plus the attributes of its subclasses: which of
 * them a specification may carry depends on its `@type`, checked by the rules.
 */
export const ResourceSpecification = Type.Object(
  {
    ...catalogItemProperties,
    category: opt(S('Kind of resource, e.g. NetworkConnectivity, PhysicalLinks, L2Network')),
    isBundle: opt(Bool('Whether the specification groups other specifications')),
    attachment: opt(Type.Array(AttachmentRefOrValue)),
    featureSpecification: opt(Type.Array(FeatureSpecification)),
    relatedParty: opt(Type.Array(RelatedParty)),
    resourceSpecCharacteristic: opt(Type.Array(ResourceSpecificationCharacteristic)),
    resourceSpecRelationship: opt(Type.Array(ResourceSpecificationRelationship)),
    targetResourceSchema: opt(TargetResourceSchema),
    ...physicalAttributes,
    ...functionAttributes,
    ...extensible,
  },
  { description: 'The template resources are built from: characteristics, features, and the resource specifications it is made of or relies on' },
);

export const { ExportJob, ImportJob } = jobSchemas({ collections: 'resourceSpecification' });
