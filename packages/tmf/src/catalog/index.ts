/** What every catalog (TMF620, TMF633, TMF634) shares: characteristic and category rules (validity periods are the kit's TimePeriod rules), in-use checks, resource definitions, schema blocks, import and export jobs. */
export * from './values.ts';
export * from './characteristics.ts';
export * from './categories.ts';
export * from './in-use.ts';
export * from './definitions.ts';
export * from './schemas.ts';
export * from './jobs.ts';
// generic readers of untyped JSON, under one name so that they cannot clash with other kit modules
export * as catalogJson from './json.ts';
