/**
 * @operon/tmf — the TMF630 REST kit every component is built on: resource
 * definitions served as full TMF APIs (list with fields/filters/sort/paging,
 * retrieve, create, merge- and JSON-patch with ETags, delete), TMF688 events
 * through the outbox, `/hub` registration, the TMF Error body, and component
 * manifests.
 */
export * from './api.ts';
export * from './component.ts';
export * from './events.ts';
export * from './http.ts';
export * from './lifecycles.ts';
export * from './hub.ts';
export * from './patch.ts';
export * from './ports.ts';
export * from './query.ts';
export * from './resource.ts';
export * from './rules.ts';
export * from './schemas.ts';
export * from './validate.ts';
export * from './party/index.ts';
export * from './catalog/index.ts';
export * from './order/index.ts';
