import { catalogDefinition, catalogLifecycle, categoryDefinition, changedAny, type ResourceDefinition } from '@operon/tmf';
import {
  TABLES, beforeDeleteOffering, beforeDeletePrice, beforeDeleteSpecification, checkOffering, checkOfferingLaunch, checkPrice, checkSpecification,
} from './rules.ts';
import { Catalog, Category, ProductOffering, ProductOfferingPrice, ProductSpecification } from './schemas.ts';

export const catalogEntityLifecycle = catalogLifecycle('Catalog');
export const categoryLifecycle = catalogLifecycle('Category');
export const productOfferingLifecycle = catalogLifecycle('ProductOffering');
export const productOfferingPriceLifecycle = catalogLifecycle('ProductOfferingPrice');
export const productSpecificationLifecycle = catalogLifecycle('ProductSpecification');

// the specification leaves @type and @baseType out of every `<X>_Update`: a resource keeps its class
const immutable = ['@type', '@baseType'];
const common = { lastUpdate: 'lastUpdate', immutable } as const;

/** Attributes of an offering that decide what a launched offering sells and for how much. */
const SALE_TERMS = ['lifecycleStatus', 'isBundle', 'productSpecification', 'productOfferingPrice', 'bundledProductOffering', 'prodSpecCharValueUse', 'validFor'];

export const catalog: ResourceDefinition = catalogDefinition({
  name: 'catalog', type: 'Catalog', table: TABLES.catalog, schema: Catalog, lifecycle: catalogEntityLifecycle, immutable,
  // "List of root categories contained in this catalog"
  rootCategoriesIn: TABLES.category,
});

export const category: ResourceDefinition = categoryDefinition({
  name: 'category', type: 'Category', table: TABLES.category, schema: Category, lifecycle: categoryLifecycle, immutable, childrenKey: 'subCategory',
});

export const productSpecification: ResourceDefinition = {
  name: 'productSpecification',
  type: 'ProductSpecification',
  table: TABLES.specification,
  cached: true,
  schema: ProductSpecification,
  lifecycle: productSpecificationLifecycle,
  ...common,
  validate(doc) {
    checkSpecification(doc);
  },
  async beforeDelete(doc, _ctx, q) {
    await beforeDeleteSpecification(doc, q);
  },
};

export const productOfferingPrice: ResourceDefinition = {
  name: 'productOfferingPrice',
  type: 'ProductOfferingPrice',
  table: TABLES.price,
  cached: true,
  schema: ProductOfferingPrice,
  lifecycle: productOfferingPriceLifecycle,
  ...common,
  validate(doc) {
    checkPrice(doc);
  },
  async beforeDelete(doc, _ctx, q) {
    await beforeDeletePrice(doc, q);
  },
};

export const productOffering: ResourceDefinition = {
  name: 'productOffering',
  type: 'ProductOffering',
  table: TABLES.offering,
  cached: true,
  schema: ProductOffering,
  lifecycle: productOfferingLifecycle,
  ...common,
  async validate(doc, change, _ctx, q) {
    checkOffering(doc);
    // launch rules apply when the offering is launched and whenever a launched offering's sale terms change
    if (doc['lifecycleStatus'] === 'Launched' && changedAny(doc, change.before, SALE_TERMS)) {
      await checkOfferingLaunch(doc, q);
    }
  },
  async beforeDelete(doc, _ctx, q) {
    await beforeDeleteOffering(doc, q);
  },
};

export const BASE_PATH = '/tmf-api/productCatalogManagement/v4';
/** What the API definition and the jobs share. */
export const API = { id: 'TMF620', name: 'productCatalogManagement', title: 'Product Catalog Management', version: '4.1.0', basePath: BASE_PATH } as const;

/** The catalog entities, in the order an import creates them (what is referred to comes first). */
export const productCatalogResources: readonly ResourceDefinition[] = [productSpecification, productOfferingPrice, category, productOffering, catalog];
