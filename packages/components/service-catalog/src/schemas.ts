import { Type } from 'typebox';
import {
  TimePeriod, Uri, catalogAttachment, catalogItemProperties, catalogRef, catalogRelatedParty, catalogSchemas, characteristicSpecification,
  characteristicValueSpecification, extensible, featureSchemas, jobSchemas, targetSchema,
} from '@operon/tmf';

/**
 * TMF633 v4.0.0 resources as clients write them: our rendering of the
 * official `<X>_Create` definitions, attribute for attribute, built from the
 * kit's catalog blocks. Hyperlinks are URIs as in the specification, so that
 * whatever is stored also validates against the official response definitions.
 */

const S = (description: string) => Type.String({ description });
const opt = Type.Optional;
const Bool = (description: string) => Type.Boolean({ description });

/** `@referredType` of references: which class the referred entity is. */
const referred = { '@referredType': opt(S('Class of the referred entity, when it matters to tell')) };
const versioned = { version: 'Version of the referred entity' };

export const ServiceCategoryRef = catalogRef('A service category, by reference', versioned);
export const ServiceCandidateRef = catalogRef('A service candidate, by reference', versioned);
export const ServiceSpecificationRef = catalogRef('A service specification, by reference', versioned);
export const ResourceSpecificationRef = catalogRef('A resource specification (TMF634) the service needs, by reference', versioned);
export const ServiceLevelSpecificationRef = catalogRef('A service level specification the service is measured against, by reference');
export const ConstraintRef = catalogRef('A policy or rule constraining the specification, by reference', versioned);
export const AssociationSpecificationRef = catalogRef('The specification of an association, by reference');

export const RelatedParty = catalogRelatedParty('owner, designer, supplier');
export const AttachmentRefOrValue = catalogAttachment('document, picture, video…');
// TMF633 v4.0 types the schema location as a plain string
export const TargetEntitySchema = targetSchema('services', { locationIsUri: false });
export const CharacteristicValueSpecification = characteristicValueSpecification('Mbps, GB, ms');

export const CharacteristicSpecificationRelationship = Type.Object(
  {
    characteristicSpecificationId: opt(S('Identifier of the target characteristic inside its specification')),
    name: opt(S('Name of the target characteristic')),
    parentSpecificationHref: opt(Uri('Hyperlink to the specification holding the target characteristic')),
    parentSpecificationId: opt(S('Identifier of the specification holding the target characteristic')),
    relationshipType: opt(S('aggregation, migration, substitution, dependency or exclusivity')),
    validFor: opt(TimePeriod),
  },
  { description: 'A relationship between characteristic specifications' },
);

export const CharacteristicSpecification = characteristicSpecification({
  description: 'A characteristic services of this specification have, with its allowed values',
  relationshipKey: 'charSpecRelationship',
  relationship: CharacteristicSpecificationRelationship,
  valuesKey: 'characteristicValueSpecification',
  values: CharacteristicValueSpecification,
});

export const { FeatureSpecificationCharacteristicRelationship, FeatureSpecificationCharacteristic, FeatureSpecificationRelationship, FeatureSpecification } = featureSchemas({
  what: 'service',
  referable: false,
  constraintRef: ConstraintRef,
  values: CharacteristicValueSpecification,
});

export const EntitySpecificationRelationship = Type.Object(
  {
    id: opt(S('Identifier of the target entity specification')),
    href: opt(Uri('Hyperlink to the target entity specification')),
    name: opt(S('Name of the target entity specification')),
    relationshipType: S('migration, substitution, dependency or exclusivity'),
    role: opt(S('Role of the target in the relationship')),
    associationSpec: opt(AssociationSpecificationRef),
    validFor: opt(TimePeriod),
    ...extensible,
    ...referred,
  },
  { description: 'A relationship to another entity specification' },
);

export const ServiceSpecRelationship = Type.Object(
  {
    id: opt(S('Identifier of the target service specification')),
    href: opt(Uri('Hyperlink to the target service specification')),
    name: opt(S('Name of the target service specification')),
    relationshipType: S('dependency, substitution, exclusivity…'),
    role: opt(S('Role of the target in the relationship')),
    validFor: opt(TimePeriod),
    ...extensible,
    ...referred,
  },
  { description: 'A relationship to another service specification, e.g. a customer-facing service relying on a resource-facing one' },
);

export const { Catalog: ServiceCatalog, Category: ServiceCategory, Candidate: ServiceCandidate } = catalogSchemas({
  what: 'service',
  categoryRef: ServiceCategoryRef,
  relatedParty: RelatedParty,
  candidateKey: 'serviceCandidate',
  candidateRef: ServiceCandidateRef,
  specificationKey: 'serviceSpecification',
  specificationRef: ServiceSpecificationRef,
  specificationRequired: true,
  categoryRelatedParty: false,
});

export const ServiceSpecification = Type.Object(
  {
    ...catalogItemProperties,
    isBundle: opt(Bool('Whether the specification groups other specifications')),
    attachment: opt(Type.Array(AttachmentRefOrValue)),
    constraint: opt(Type.Array(ConstraintRef)),
    entitySpecRelationship: opt(Type.Array(EntitySpecificationRelationship)),
    featureSpecification: opt(Type.Array(FeatureSpecification)),
    relatedParty: opt(Type.Array(RelatedParty)),
    resourceSpecification: opt(Type.Array(ResourceSpecificationRef, { description: 'Resource specifications a service of this specification needs' })),
    serviceLevelSpecification: opt(Type.Array(ServiceLevelSpecificationRef)),
    serviceSpecRelationship: opt(Type.Array(ServiceSpecRelationship)),
    specCharacteristic: opt(Type.Array(CharacteristicSpecification)),
    targetEntitySchema: opt(TargetEntitySchema),
    ...extensible,
  },
  { description: 'The template services are built from: characteristics, features, and the service and resource specifications it relies on' },
);

export const { ExportJob, ImportJob } = jobSchemas({ collections: 'serviceSpecification' });
