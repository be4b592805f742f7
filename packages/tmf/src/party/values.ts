/** Readers shared by the party rules; internal to the kit (not exported from the index). */
import type { Doc } from '../resource.ts';

export type { Doc };

export const isObject = (v: unknown): v is Doc => typeof v === 'object' && v !== null && !Array.isArray(v);
/** The objects of a list; anything else counts as no list (the schema has already refused it). */
export const objects = (v: unknown): Doc[] => (Array.isArray(v) ? v.filter(isObject) : []);
/** A string with something in it, trimmed; undefined for blanks and non-strings. */
export const text = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined);
