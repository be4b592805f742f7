import { describe, expect, it } from 'vitest';
import { assertValid } from '../validate.ts';
import { catalogRef, catalogSchemas, characteristicSpecification, characteristicValueSpecification, featureSchemas, jobSchemas, targetSchema } from './schemas.ts';

const valid = (schema: Parameters<typeof assertValid>[0], value: unknown) => () => assertValid(schema, value, 'invalid');

describe('catalog schema blocks', () => {
  it('references: an id, a hyperlink that is a URI unless the specification says otherwise, a version when asked', () => {
    const versioned = catalogRef('ref', { version: 'Version' });
    expect(valid(versioned, { id: 'a', href: 'https://h/a', version: '2', '@referredType': 'X' })).not.toThrow();
    expect(valid(versioned, { href: 'https://h/a' })).toThrow();
    expect(valid(versioned, { id: 'a', href: 'not a uri' })).toThrow();
    expect(valid(catalogRef('ref', { hrefIsUri: false }), { id: 'a', href: 'not a uri' })).not.toThrow();
    expect(Object.keys(catalogRef('ref').properties)).not.toContain('version');
  });

  it('target schemas locate the schema by URI or by string, as each specification types it', () => {
    expect(valid(targetSchema('services', { locationIsUri: false }), { '@type': 'T', '@schemaLocation': 'schemas/t.json' })).not.toThrow();
    expect(valid(targetSchema('resources', { locationIsUri: true }), { '@type': 'T', '@schemaLocation': 'schemas/t.json' })).toThrow();
  });

  it('characteristics hold their relationships and values under the attribute names of their API', () => {
    const values = characteristicValueSpecification('Mbps');
    const c = characteristicSpecification({ description: 'c', relationshipKey: 'rels', relationship: catalogRef('r'), valuesKey: 'vals', values });
    expect(valid(c, { name: 'speed', minCardinality: 1, vals: [{ valueFrom: 1, valueTo: 10, isDefault: false }], rels: [{ id: 'x' }] })).not.toThrow();
    expect(valid(c, { vals: [{ valueFrom: 1.5 }] })).toThrow();
    expect(valid(characteristicSpecification({ description: 'c', nameRequired: true, relationshipKey: 'rels', relationship: catalogRef('r'), valuesKey: 'vals', values }), {})).toThrow();
  });

  it('features: TMF634 relationships carry an id and href, TMF633 ones do not', () => {
    const values = characteristicValueSpecification('W');
    const v41 = featureSchemas({ what: 'resource', referable: true, constraintRef: catalogRef('c'), values });
    const v40 = featureSchemas({ what: 'service', referable: false, constraintRef: catalogRef('c'), values });
    expect(Object.keys(v41.FeatureSpecificationRelationship.properties)).toEqual(expect.arrayContaining(['id', 'href', '@type']));
    expect(Object.keys(v40.FeatureSpecificationRelationship.properties)).not.toContain('href');
    expect(valid(v40.FeatureSpecification, { name: 'f', featureSpecCharacteristic: [{ name: 'x' }], featureSpecRelationship: [{ name: 'g', relationshipType: 'dependency' }] })).not.toThrow();
    expect(valid(v40.FeatureSpecification, { featureSpecCharacteristic: [{ valueType: 'string' }] })).toThrow();
  });

  it('catalog, category and candidate: a candidate requires its specification only where the specification says so', () => {
    const common = { categoryRef: catalogRef('c'), relatedParty: catalogRef('p'), candidateRef: catalogRef('k'), specificationRef: catalogRef('s') };
    const required = catalogSchemas({ what: 'service', candidateKey: 'serviceCandidate', specificationKey: 'serviceSpecification', specificationRequired: true, categoryRelatedParty: false, ...common });
    const optional = catalogSchemas({ what: 'resource', candidateKey: 'resourceCandidate', specificationKey: 'resourceSpecification', specificationRequired: false, categoryRelatedParty: true, ...common });
    expect(valid(required.Candidate, { name: 'c' })).toThrow();
    expect(valid(optional.Candidate, { name: 'c' })).not.toThrow();
    expect(Object.keys(optional.Category.properties)).toEqual(expect.arrayContaining(['resourceCandidate', 'relatedParty', 'parentId', 'isRoot']));
    expect(Object.keys(required.Category.properties)).not.toContain('relatedParty');
    expect(valid(required.Catalog, { description: 'no name' })).toThrow();
  });

  it('jobs: a status of the job state type, an import needs the url of its document', () => {
    const { ImportJob, ExportJob } = jobSchemas({ collections: 'serviceSpecification' });
    expect(valid(ImportJob, { url: 'data:application/json,%7B%7D' })).not.toThrow();
    expect(valid(ImportJob, {})).toThrow();
    expect(valid(ExportJob, { status: 'Done' })).toThrow();
    expect(valid(ExportJob, { status: 'Succeeded', path: 'serviceSpecification', '@type': 'ExportJob' })).not.toThrow();
  });
});
