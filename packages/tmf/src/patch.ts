import { OperonError, badRequest, cloneJson } from '@operon/kernel';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** RFC 7386 JSON Merge Patch: objects merge, `null` removes, everything else replaces. */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return cloneJson(patch);
  const out: Record<string, unknown> = isObject(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

export interface JsonPatchOperation {
  op: 'add' | 'remove' | 'replace' | 'move' | 'copy' | 'test';
  path: string;
  from?: string;
  value?: unknown;
}

function parsePointer(pointer: string, field: string): string[] {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) throw badRequest(`'${pointer}' is not a JSON pointer`, field);
  const tokens = pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  // walking into __proto__ would reach Object.prototype itself: no document holds such a key
  if (tokens.includes('__proto__')) throw badRequest(`'${pointer}' names the reserved key __proto__`, field);
  return tokens;
}

function pathText(tokens: string[]): string {
  return tokens.join('.');
}

function parentOf(doc: unknown, tokens: string[], op: string): { parent: Record<string, unknown> | unknown[]; key: string } {
  let node: unknown = doc;
  for (const t of tokens.slice(0, -1)) {
    if (Array.isArray(node)) node = node[arrayIndex(node, t, tokens, false)];
    else if (isObject(node)) node = Object.hasOwn(node, t) ? node[t] : undefined;
    else node = undefined;
    if (node === undefined) throw badRequest(`${op}: path '/${tokens.join('/')}' does not exist`, pathText(tokens));
  }
  if (!Array.isArray(node) && !isObject(node)) throw badRequest(`${op}: path '/${tokens.join('/')}' does not exist`, pathText(tokens));
  return { parent: node, key: tokens[tokens.length - 1]! };
}

function arrayIndex(arr: unknown[], token: string, tokens: string[], forAdd: boolean): number {
  if (forAdd && token === '-') return arr.length;
  if (!/^(0|[1-9]\d*)$/.test(token)) throw badRequest(`'${token}' is not an array index`, pathText(tokens));
  const i = Number(token);
  if (i > arr.length || (!forAdd && i >= arr.length)) throw badRequest(`array index ${i} is out of range`, pathText(tokens));
  return i;
}

function getAt(doc: unknown, tokens: string[], op: string): unknown {
  let node = doc;
  for (const t of tokens) {
    if (Array.isArray(node)) node = node[arrayIndex(node, t, tokens, false)];
    else if (isObject(node) && Object.hasOwn(node, t)) node = node[t];
    else throw badRequest(`${op}: path '/${tokens.join('/')}' does not exist`, pathText(tokens));
  }
  return node;
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  if (isObject(a) && isObject(b)) {
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => Object.hasOwn(b, k) && deepEqual(a[k], b[k]));
  }
  return false;
}

function add(doc: unknown, tokens: string[], value: unknown): unknown {
  if (tokens.length === 0) return cloneJson(value);
  const { parent, key } = parentOf(doc, tokens, 'add');
  if (Array.isArray(parent)) parent.splice(arrayIndex(parent, key, tokens, true), 0, cloneJson(value));
  else parent[key] = cloneJson(value);
  return doc;
}

function remove(doc: unknown, tokens: string[]): unknown {
  if (tokens.length === 0) throw badRequest('remove: cannot remove the whole document', '');
  const { parent, key } = parentOf(doc, tokens, 'remove');
  if (Array.isArray(parent)) parent.splice(arrayIndex(parent, key, tokens, false), 1);
  else {
    if (!Object.hasOwn(parent, key)) throw badRequest(`remove: path '/${tokens.join('/')}' does not exist`, pathText(tokens));
    delete parent[key];
  }
  return doc;
}

/** RFC 6902 JSON Patch, applied to a copy; a failed `test` is a 409, a bad operation a 400. */
export function jsonPatch(target: unknown, operations: unknown): unknown {
  if (!Array.isArray(operations)) throw badRequest('a JSON Patch document must be an array of operations', '');
  let doc: unknown = cloneJson(target);
  operations.forEach((raw, i) => {
    if (!isObject(raw) || typeof raw['op'] !== 'string' || typeof raw['path'] !== 'string') {
      throw badRequest(`operation ${i} must have string 'op' and 'path'`, `[${i}]`);
    }
    const op = raw as unknown as JsonPatchOperation;
    const tokens = parsePointer(op.path, `[${i}].path`);
    const needsValue = op.op === 'add' || op.op === 'replace' || op.op === 'test';
    if (needsValue && !('value' in raw)) throw badRequest(`operation ${i} (${op.op}) needs a 'value'`, `[${i}].value`);
    switch (op.op) {
      case 'add':
        doc = add(doc, tokens, op.value);
        break;
      case 'remove':
        doc = remove(doc, tokens);
        break;
      case 'replace':
        getAt(doc, tokens, 'replace');
        doc = add(remove(doc, tokens), tokens, op.value);
        break;
      case 'move':
      case 'copy': {
        if (typeof op.from !== 'string') throw badRequest(`operation ${i} (${op.op}) needs 'from'`, `[${i}].from`);
        const from = parsePointer(op.from, `[${i}].from`);
        const value = getAt(doc, from, op.op);
        if (op.op === 'move') {
          if (op.path.startsWith(op.from + '/')) throw badRequest(`operation ${i}: cannot move a value into itself`, `[${i}].path`);
          doc = remove(doc, from);
        }
        doc = add(doc, tokens, value);
        break;
      }
      case 'test':
        if (!deepEqual(getAt(doc, tokens, 'test'), op.value as Json)) {
          throw new OperonError('conflict', `test failed: '/${tokens.join('/')}' does not hold the expected value`, { field: pathText(tokens) });
        }
        break;
      default:
        throw badRequest(`operation ${i}: unknown op '${String((raw as { op: unknown }).op)}'`, `[${i}].op`);
    }
  });
  return doc;
}
