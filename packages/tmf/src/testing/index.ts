/** Test helpers that read the official TM Forum material beside the project: specs and conformance kits. */
export * from './spec.ts';
export * from './ctk.ts';
export * from './client.ts';
