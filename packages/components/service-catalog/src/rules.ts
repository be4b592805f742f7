import { badRequest, unprocessable, type RequestContext } from '@operon/kernel';
import type { Queryable } from '@operon/store';
import { catalogJson, checkCharacteristics, checkFeatures, checkTimePeriods, describeEntity, isLocal, specificationsById, type Doc } from '@operon/tmf';

/**
 * Rules of a service specification that are the Service Catalog's own: its
 * class (customer- or resource-facing), the layering between the two, and
 * consistent characteristics and features (the kit's catalog rules).
 */

const { listOf, str } = catalogJson;

/** TMF633 names no subclasses; these are the SID ones that service decomposition relies on. */
export const SPECIFICATION_TYPES = {
  plain: 'ServiceSpecification',
  customerFacing: 'CustomerFacingServiceSpecification',
  resourceFacing: 'ResourceFacingServiceSpecification',
} as const;
export const specificationTypes: readonly string[] = Object.values(SPECIFICATION_TYPES);

export function checkSpecificationShape(doc: Doc): void {
  const type = str(doc['@type']) ?? SPECIFICATION_TYPES.plain;
  if (!specificationTypes.includes(type) && typeof doc['@schemaLocation'] !== 'string') {
    throw badRequest(`'${type}' is not a service specification type; use ${specificationTypes.join(', ')}, or give @schemaLocation for an extension`, '@type');
  }
  checkTimePeriods(doc);
  checkCharacteristics(doc['specCharacteristic'], 'specCharacteristic', { valuesKey: 'characteristicValueSpecification' });
  checkFeatures(doc['featureSpecification']);
  listOf(doc['serviceSpecRelationship']).forEach((r, i) => {
    const f = `serviceSpecRelationship[${i}]`;
    if (!str(r['id']) && !str(r['href'])) throw unprocessable(`a relationship must name the specification it points to, by id or href`, `${f}.id`);
    if (r['id'] === doc['id']) throw unprocessable(`a specification cannot relate to itself`, `${f}.id`);
    if (type === SPECIFICATION_TYPES.resourceFacing && r['@referredType'] === SPECIFICATION_TYPES.customerFacing) {
      throw unprocessable(`a resource-facing service specification cannot rely on a customer-facing one`, `${f}.@referredType`);
    }
  });
  if (type === SPECIFICATION_TYPES.customerFacing && listOf(doc['resourceSpecification']).length > 0) {
    throw unprocessable(
      'a customer-facing service specification is realised by resource-facing service specifications (serviceSpecRelationship), not directly by resource specifications',
      'resourceSpecification',
    );
  }
}

/** An RFS specification sits below the customer-facing layer: none of its local targets may be a CFS. */
export async function checkLayering(doc: Doc, ctx: RequestContext, q: Queryable, table: string, basePath: string): Promise<void> {
  if (doc['@type'] !== SPECIFICATION_TYPES.resourceFacing) return;
  const rels = listOf(doc['serviceSpecRelationship']);
  const ids = rels.filter((r) => isLocal(r, ctx, basePath)).flatMap((r) => str(r['id']) ?? []);
  const found = await specificationsById(q, table, ids, false);
  rels.forEach((r, i) => {
    const row = found.get(str(r['id']) ?? '');
    if (row?.type === SPECIFICATION_TYPES.customerFacing) {
      throw unprocessable(`${describeEntity('service specification', row)} is customer-facing; a resource-facing service specification cannot rely on it`, `serviceSpecRelationship[${i}].id`);
    }
  });
}
