/**
 * @operon/etom — the TM Forum eTOM process map (13 areas, 31 L2 capabilities,
 * 108 L3 tasks) shipped as Operon's own data, with the known TMF Open API ids;
 * queries and search over it; and coverage of the map by component manifests,
 * with validation that manifests name only real tasks and APIs.
 */
export * from './model.ts';
export { slugify } from './slug.ts';
export { parseEtomId } from './data.ts';
export * from './map.ts';
export * from './coverage.ts';
export * from './export.ts';
