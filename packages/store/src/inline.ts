import { createRequire } from 'node:module';

// the driver's own conversion of a parameter to its text form, so a value inlined as a literal is
// exactly what it would have sent as a parameter (dates, arrays, objects)
const { prepareValue } = createRequire(import.meta.url)('pg/lib/utils.js') as { prepareValue(v: unknown): string | Buffer | null };

/**
 * `v` as an SQL string literal: the driver's escapeLiteral, whose text this
 * reproduces exactly (quotes doubled; with a backslash, doubled backslashes in
 * an E'' string), built with two native replaces instead of a loop in
 * JavaScript over every character of documents of several kilobytes.
 */
export function sqlLiteral(v: string): string {
  const quoted = `'${v.replace(/'/g, "''")}'`;
  return v.includes('\\') ? ` E${quoted.replace(/\\/g, '\\\\')}` : quoted;
}

/** A statement split at its `$n` placeholders: text, parameter index, text, … */
type Template = Array<string | number>;

const templates = new Map<string, Template | null>();

/**
 * Splits `text` at its placeholders, outside quoted strings and identifiers.
 * Null when the text holds something this scanner does not follow (comments,
 * dollar quoting, escape strings): such a statement is never inlined.
 */
function templateOf(text: string): Template | null {
  const parts: Template = [];
  let from = 0;
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === "'" || c === '"') {
      if (c === "'" && i > 0 && /[eEuUbBxX]/.test(text[i - 1]!) && (i < 2 || !/\w/.test(text[i - 2]!))) return null;
      const close = text.indexOf(c, i + 1);
      if (close < 0) return null;
      i = close + 1;
      continue;
    }
    if ((c === '-' && text[i + 1] === '-') || (c === '/' && text[i + 1] === '*')) return null;
    if (c === '$') {
      const m = /^\$(\d+)/.exec(text.slice(i, i + 8));
      if (!m || (i > 0 && /\w/.test(text[i - 1]!))) return null;
      parts.push(text.slice(from, i), Number(m[1]) - 1);
      i += m[0].length;
      from = i;
      continue;
    }
    i++;
  }
  parts.push(text.slice(from));
  return parts;
}

/**
 * `text` with its parameters written in as literals, for the simple protocol
 * (which carries several statements in one round trip). PostgreSQL gives an
 * untyped parameter and a quoted literal the same type from their context, and
 * the driver sends every parameter untyped, so the statement means the same.
 * Undefined when it cannot be inlined (a binary value, text the scanner does
 * not follow, a missing parameter).
 */
export function inlineStatement(text: string, params: readonly unknown[] = []): string | undefined {
  let t = templates.get(text);
  if (t === undefined) {
    t = templateOf(text);
    // statements are a bounded set of texts (lists build theirs per filter, hence the cap)
    if (templates.size < 5_000) templates.set(text, t);
  }
  if (t === null) return undefined;
  let out = '';
  for (const p of t) {
    if (typeof p === 'string') {
      out += p;
      continue;
    }
    if (p >= params.length) return undefined;
    const v = prepareValue(params[p]);
    if (v === null) out += 'NULL';
    else if (typeof v === 'string') out += sqlLiteral(v);
    else return undefined;
  }
  return out;
}
