/**
 * @operon/kernel — what every package shares and nothing depends on:
 * typed errors, ids, lifecycle transition tables, the clock, copies of JSON values.
 */
export * from './errors.ts';
export * from './ids.ts';
export * from './lifecycle.ts';
export * from './clock.ts';
export * from './context.ts';
export * from './json.ts';
