import type { Doc } from '../resource.ts';

/** Small readers of catalog documents, which arrive as untyped JSON. */

export const isObject = (v: unknown): v is Doc => typeof v === 'object' && v !== null && !Array.isArray(v);
export const listOf = (v: unknown): Doc[] => (Array.isArray(v) ? v.filter(isObject) : []);
export const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
export const num = (v: unknown): number | undefined => (typeof v === 'number' ? v : undefined);
export const sameJson = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);
/** The id of a reference, when it has one. */
export const idOf = (ref: unknown): string | undefined => (isObject(ref) ? str(ref['id']) : undefined);
/** The ids of one reference or of a list of them. */
export const idsOf = (v: unknown): string[] => (Array.isArray(v) ? v : [v]).flatMap((r) => idOf(r) ?? []);
