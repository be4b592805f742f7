import type { Queryable } from '@operon/store';
import { catalogJobs, categoryUses, childCategories, listing, refsTo, type EntityRef, type UseEdge } from '@operon/tmf';
import { API, productCatalogResources } from './resources.ts';
import { TABLES, type Doc } from './rules.ts';
import { ExportJob, ImportJob } from './schemas.ts';

/** Import and export of TMF620 catalog content: the kit's catalog jobs, configured for products. */

/** An entity with what it is made of: a catalog its categories, a category its sub-categories and offerings, an offering its specification, prices and bundled offerings. */
async function parts(resource: string, d: Doc, q: Queryable): Promise<EntityRef[]> {
  const id = String(d['id']);
  switch (resource) {
    case 'catalog':
      return refsTo('category', d['category']);
    case 'category':
      return [
        ...refsTo('category', d['subCategory']),
        ...refsTo('productOffering', d['productOffering']),
        ...(await childCategories(q, TABLES.category, id)).map((x) => ({ resource: 'category', id: x })),
        ...(await listing(q, TABLES.offering, 'category', id)).map((x) => ({ resource: 'productOffering', id: x })),
      ];
    case 'productOffering':
      return [...refsTo('productSpecification', d['productSpecification']), ...refsTo('productOfferingPrice', d['productOfferingPrice']), ...refsTo('productOffering', d['bundledProductOffering'])];
    case 'productSpecification':
      return refsTo('productSpecification', d['bundledProductSpecification']);
    case 'productOfferingPrice':
      return [...refsTo('productOfferingPrice', d['bundledPopRelationship']), ...refsTo('productOfferingPrice', d['popRelationship'])];
    default:
      return [];
  }
}

/** What is sold is approved before what sells it is launched, and retired only afterwards. */
function uses(resource: string, d: Doc): UseEdge[] {
  const self = typeof d['id'] === 'string' ? { resource, id: d['id'] } : undefined;
  const on = (used: EntityRef[]) => (self ? used.map((u) => ({ user: self, used: u })) : []);
  switch (resource) {
    case 'productOffering':
      return on([...refsTo('productSpecification', d['productSpecification']), ...refsTo('productOfferingPrice', d['productOfferingPrice']), ...refsTo('productOffering', d['bundledProductOffering'])]);
    case 'productOfferingPrice':
      return on(refsTo('productOfferingPrice', d['bundledPopRelationship']));
    case 'productSpecification':
      return on(refsTo('productSpecification', d['bundledProductSpecification']));
    case 'category':
      return categoryUses(resource, d, 'subCategory');
    default:
      return [];
  }
}

const jobs = catalogJobs({
  api: API,
  documentType: 'ProductCatalogDocument',
  resources: productCatalogResources,
  tables: TABLES,
  schemas: { ImportJob, ExportJob },
  referenceKeys: [
    'productSpecification', 'productOfferingPrice', 'bundledProductOffering', 'bundledProductSpecification', 'productSpecificationRelationship',
    'productOfferingRelationship', 'category', 'subCategory', 'productOffering', 'popRelationship', 'bundledPopRelationship',
  ],
  categoryResource: 'category',
  parts,
  uses,
  // TMF620 defines no events for jobs
});

export const { exportJob, importJob } = jobs;
export const jobRoutes = jobs.routes;
