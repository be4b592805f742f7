/**
 * JSON values a fuzz case sends, including what `JSON.stringify` cannot write:
 * raw number literals (`1e309`, `-0`, 400 digits), objects with repeated keys,
 * and own `__proto__` keys.
 */

/** A literal written into the body text as it is (e.g. `1e309`). */
export class RawJson {
  constructor(readonly text: string) {}
}

/** An object whose text repeats a key (`{"a":1,"a":2}`), which JSON.parse resolves to the last. */
export class DuplicateKeys {
  constructor(readonly entries: readonly (readonly [string, FuzzJson])[]) {}
}

export type FuzzJson =
  | null
  | boolean
  | number
  | string
  | RawJson
  | DuplicateKeys
  | FuzzJson[]
  | { [key: string]: FuzzJson };

export type FuzzObject = { [key: string]: FuzzJson };

export const isPlainObject = (v: unknown): v is FuzzObject =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof RawJson) && !(v instanceof DuplicateKeys);

/** Sets `key` as an own, enumerable property, even `__proto__`. */
export function setOwn(obj: FuzzObject, key: string, value: FuzzJson): void {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}

/** The body text. Iterative, so that a value nested 100 000 deep is written without exhausting the stack. */
export function toJsonText(value: FuzzJson): string {
  const out: string[] = [];
  type Frame = { kind: 'value'; v: FuzzJson } | { kind: 'text'; t: string };
  const stack: Frame[] = [{ kind: 'value', v: value }];
  while (stack.length) {
    const f = stack.pop()!;
    if (f.kind === 'text') {
      out.push(f.t);
      continue;
    }
    const v = f.v;
    if (v instanceof RawJson) out.push(v.text);
    else if (v === null || typeof v === 'boolean' || typeof v === 'string') out.push(JSON.stringify(v));
    else if (typeof v === 'number') out.push(Number.isFinite(v) ? JSON.stringify(v) : 'null');
    else {
      const entries: readonly (readonly [string | undefined, FuzzJson])[] = Array.isArray(v)
        ? v.map((x) => [undefined, x] as const)
        : v instanceof DuplicateKeys
          ? v.entries
          : Object.keys(v).map((k) => [k, v[k]!] as const);
      const array = Array.isArray(v);
      const frames: Frame[] = [{ kind: 'text', t: array ? '[' : '{' }];
      entries.forEach(([k, x], i) => {
        if (i > 0) frames.push({ kind: 'text', t: ',' });
        if (k !== undefined) frames.push({ kind: 'text', t: `${JSON.stringify(k)}:` });
        frames.push({ kind: 'value', v: x });
      });
      frames.push({ kind: 'text', t: array ? ']' : '}' });
      for (let i = frames.length - 1; i >= 0; i--) stack.push(frames[i]!);
    }
  }
  return out.join('');
}

/** `{a:{a:…1}}` or `[[…1]]`, `depth` levels of containers around a leaf. */
export function nested(depth: number, kind: 'array' | 'object'): FuzzJson {
  let v: FuzzJson = 1;
  for (let i = 0; i < depth; i++) v = kind === 'array' ? [v] : { a: v };
  return v;
}

/** A short, single-line description of a value for reports. */
export function preview(text: string, max = 160): string {
  const t = text.length > max ? `${text.slice(0, max)}… (${text.length} chars)` : text;
  return t.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
