import { badRequest, unprocessable } from '@operon/kernel';
import { catalogJson, checkCharacteristics, checkFeatures, checkTimePeriods, type Doc } from '@operon/tmf';
import { functionAttributes, physicalAttributes } from './schemas.ts';

/**
 * Rules of a resource specification that need no database: its class and the
 * attributes that go with it, consistent characteristics and features (the
 * kit's catalog rules), and relationships that say how many of the target are
 * built.
 */

const { listOf, str } = catalogJson;

/** The ResourceSpecification classes TMF634 defines. */
export const SPECIFICATION_TYPES = {
  plain: 'ResourceSpecification',
  logical: 'LogicalResourceSpecification',
  physical: 'PhysicalResourceSpecification',
  function: 'ResourceFunctionSpecification',
} as const;
export const specificationTypes: readonly string[] = Object.values(SPECIFICATION_TYPES);

/** Attributes that belong to one subclass only, with the class they belong to. */
const subclassAttributes: ReadonlyMap<string, string> = new Map([
  ...Object.keys(physicalAttributes).map((k) => [k, SPECIFICATION_TYPES.physical] as const),
  ...Object.keys(functionAttributes).map((k) => [k, SPECIFICATION_TYPES.function] as const),
]);

/** Characteristics of a specification and of its relationships hold their values in the same attribute. */
const CHARACTERISTIC = { valuesKey: 'resourceSpecCharacteristicValue' } as const;

export function checkSpecificationShape(doc: Doc): void {
  const type = str(doc['@type']) ?? SPECIFICATION_TYPES.plain;
  const extension = typeof doc['@schemaLocation'] === 'string';
  if (!specificationTypes.includes(type) && !extension) {
    throw badRequest(`'${type}' is not a resource specification type; use ${specificationTypes.join(', ')}, or give @schemaLocation for an extension`, '@type');
  }
  if (!extension) {
    for (const [attr, owner] of subclassAttributes) {
      if (doc[attr] !== undefined && type !== owner) throw badRequest(`'${attr}' is an attribute of ${owner}, not of ${type}`, attr);
    }
  }
  checkTimePeriods(doc);
  checkCharacteristics(doc['resourceSpecCharacteristic'], 'resourceSpecCharacteristic', CHARACTERISTIC);
  checkFeatures(doc['featureSpecification']);
  listOf(doc['resourceSpecRelationship']).forEach((r, i) => {
    const f = `resourceSpecRelationship[${i}]`;
    if (!str(r['id']) && !str(r['href'])) throw unprocessable(`a relationship must name the specification it points to, by id or href`, `${f}.id`);
    if (r['id'] === doc['id']) throw unprocessable(`a specification cannot relate to itself`, `${f}.id`);
    checkQuantities(r, f);
    checkCharacteristics(r['characteristic'], `${f}.characteristic`, CHARACTERISTIC);
  });
}

/** How many of the target are built: never negative, minimum ≤ default ≤ maximum. */
export function checkQuantities(r: Doc, field: string): void {
  const q = (k: string) => (typeof r[k] === 'number' ? (r[k] as number) : undefined);
  const min = q('minimumQuantity');
  const def = q('defaultQuantity');
  const max = q('maximumQuantity');
  for (const [k, v] of [['minimumQuantity', min], ['defaultQuantity', def], ['maximumQuantity', max]] as const) {
    if (v !== undefined && v < 0) throw unprocessable(`${k} must not be negative`, `${field}.${k}`);
  }
  if (min !== undefined && max !== undefined && min > max) throw unprocessable(`minimumQuantity (${min}) is greater than maximumQuantity (${max})`, `${field}.minimumQuantity`);
  if (def !== undefined && min !== undefined && def < min) throw unprocessable(`defaultQuantity (${def}) is below minimumQuantity (${min})`, `${field}.defaultQuantity`);
  if (def !== undefined && max !== undefined && def > max) throw unprocessable(`defaultQuantity (${def}) is above maximumQuantity (${max})`, `${field}.defaultQuantity`);
}
