/**
 * Hostile values the fuzz cases are built from: injection attempts, unicode
 * edge cases, numbers and date-times at the edges, malformed JSON texts,
 * content types, JSON pointers and ids.
 */
import fc from 'fast-check';
import { RawJson, nested, type FuzzJson } from './json.ts';

/** The nesting limit the server is started with (config.maxJsonDepth). */
export const DEPTH_LIMIT = 32;

export const SQL_INJECTIONS = [
  "' OR 1=1 --",
  "'; DROP TABLE party_individual; --",
  '1 UNION SELECT username, password_hash FROM operon_user --',
  "x' AND pg_sleep(5) IS NULL --",
  '"; SELECT 1; --',
  "') OR ('1'='1",
  '\\',
  "'",
  '"',
  '$$',
  '$1',
  "E'\\x00'",
  "1; COPY outbox TO PROGRAM 'id'",
];

export const JSONPATH_INJECTIONS = [
  '$."x" || true',
  '" || $.id like_regex ".*" || "',
  '$.** ? (@ == 1)',
  'exists($.id)',
  '@ == "x"',
  '"\\u0000"',
  '") || (true',
  'like_regex "(a+)+$"',
  '$[*]',
  '$.a[last]',
  'strict $.x',
];

export const UNICODE_EDGES = [
  '\u0000',
  'a\u0000b',
  '\ud800',
  'x\udfff',
  '\ud83d\ude00',
  '\ufeffBOM',
  '\u202eRTL override',
  'zero\u200bwidth',
  'e\u0301\u0301\u0301',
  '\uffff\ufffe',
  'line\u2028sep\u2029',
  '\u0001\u0002\u001f\u007f',
  'Ω≈ç√∫˜µ≤≥÷',
  '𝕿𝖍𝖊 𝖖𝖚𝖎𝖈𝖐',
  '\u00a0',
  '\r\n\t',
  'ÿ',
  'null',
  'undefined',
  'true',
];

export const PROTO_KEYS = ['__proto__', 'constructor', 'prototype', 'hasOwnProperty', 'toString', 'valueOf'];

/** Number literals written raw into the body: beyond double range, negative zero, long digit strings. */
export const RAW_NUMBERS = [
  '1e309',
  '-1e309',
  '1e-400',
  '-0',
  '-0.0',
  '0.1e999999',
  '123456789012345678901234567890123456789',
  '9'.repeat(400),
  `0.${'1'.repeat(400)}`,
  '9007199254740993',
  '-9223372036854775809',
  '1E+2',
  '5e-324',
];

export const NUMBER_LIKE_STRINGS = ['NaN', 'Infinity', '-Infinity', '1e309', '-0', '0x10', '1_000', '١٢٣', '', ' 1', '+1', '.5', '1.', '9'.repeat(400)];

export const NUMBER_EDGES = [0, -0, 1, -1, 0.1, 2 ** 31, -(2 ** 31), 2 ** 53, Number.MAX_SAFE_INTEGER + 2, Number.MAX_VALUE, Number.MIN_VALUE, -Number.MAX_VALUE];

export const DATE_TIMES = [
  '2024-02-30T00:00:00Z',
  '2023-02-29T12:00:00Z',
  '2024-13-01T00:00:00Z',
  '2024-01-01T24:00:00Z',
  '2024-01-01T23:59:60Z',
  '2024-01-01T00:00:00+25:00',
  '2024-01-01T00:00:00.1234567890123Z',
  '2024-01-01',
  '2024-01-01T00:00:00',
  '2024-01-01 00:00:00Z',
  '0000-01-01T00:00:00Z',
  '0001-01-01T00:00:00Z',
  '9999-12-31T23:59:59.999Z',
  '+275760-09-13T00:00:00Z',
  '-271821-04-20T00:00:00Z',
  '1970-01-01T00:00:00Z',
  '1969-12-31T23:59:59.999-00:01',
  'T',
  'now',
  '2024-01-01T00:00:00Z; DROP TABLE x',
];

/** Pointers for JSON Patch `path` and `from` that try to escape, overflow or pollute. */
export const HOSTILE_POINTERS = [
  '',
  '/',
  '/~',
  '/~2',
  '/~01',
  'noSlash',
  '/__proto__',
  '/__proto__/fuzzPolluted',
  '/constructor/prototype/fuzzPolluted',
  '/__proto__/__proto__/fuzzPolluted',
  '/relatedParty/-',
  '/relatedParty/-1',
  '/relatedParty/01',
  '/relatedParty/99999999999999999999',
  '/relatedParty/1e3',
  '/contactMedium/0/characteristic/__proto__/fuzzPolluted',
  `/${'a/'.repeat(2000)}b`,
  '/id',
  '/href',
  '/@type',
  '/lastUpdate',
  '/\u0000',
  '/%00',
  '/name/0',
  '/length',
];

export const CONTENT_TYPES = [
  'text/plain',
  'application/xml',
  'multipart/form-data; boundary=x',
  'application/x-www-form-urlencoded',
  'application/json; charset=utf-16',
  'application/json; charset=latin1',
  'application/json-patch+json',
  'application/merge-patch+json',
  'application/JSON',
  'application/json;;;',
  'application/jsonx',
  'application/vnd.api+json',
  '*/*',
  'json',
  '',
  'application/json, text/plain',
];

/** Bodies that are not JSON, or not quite. */
export const MALFORMED_JSON = [
  '{',
  '}',
  '{"a":}',
  '{"a":1,}',
  "{'a':1}",
  '{a:1}',
  '{"a":1 /* comment */}',
  '{"a":NaN}',
  '{"a":Infinity}',
  '{"a":undefined}',
  '{"a":0x10}',
  '{"a":01}',
  '{"a":"\\x41"}',
  '{"a":"\\u12"}',
  '{"a":"unterminated}',
  '{"a":"tab\there"}',
  '\ufeff{}',
  '{}{}',
  '{} trailing',
  '[1,2',
  'nul',
  'truefalse',
  '"',
  '{"__proto__":{"isAdmin":true}}',
  '{"constructor":{"prototype":{"isAdmin":true}}}',
  '{"a":{"__proto__":{"x":1}}}',
  '\u0000',
  '{"a":1}\u0000',
  `{"a":"${'\\'.repeat(1001)}"}`,
];

/** Ids for path parameters, already written as they go into the URL (some deliberately not percent-encoded). */
export const HOSTILE_IDS = [
  'a'.repeat(201),
  'a'.repeat(5000),
  'a%2Fb',
  '..%2F..%2Fetc%2Fpasswd',
  '%2e%2e',
  '..',
  '.',
  '%C3%BC',
  '%F0%9F%98%80',
  '%E2%80%AE',
  "%27%20OR%201%3D1%20--",
  '1%3BDROP%20TABLE%20x',
  '%00',
  'a%00b',
  '%ZZ',
  '%',
  '%C0%AF',
  '%ED%A0%80',
  '%FF',
  '\u00ff',
  'null',
  'undefined',
  '0',
  '-1',
  '1e309',
  'NaN',
  '__proto__',
  'constructor',
  'hasOwnProperty',
  'toString',
  '%20',
  '*',
  '%2A',
  '%5C',
  '~',
  '$',
  '@',
  '%0D%0ASet-Cookie:%20x=1',
  '%22%3E%3Cscript%3E',
  '01a20380-0000-7000-8000-000000000000',
];

/** Header values for If-Match. */
export const IF_MATCH = ['*', '"1"', 'W/"1"', '"0"', '"-1"', '"99999999999999999999"', '"1e3"', 'garbage', '""', '"1", "2"', ',', '"1'];

/** A string of `n` characters (repeating a pattern so that it is not trivially compressible). */
export const long = (n: number, unit = 'abcdefghij') => unit.repeat(Math.ceil(n / unit.length)).slice(0, n);

export const hostileString: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(...SQL_INJECTIONS),
  fc.constantFrom(...JSONPATH_INJECTIONS),
  fc.constantFrom(...UNICODE_EDGES),
  fc.constantFrom(...NUMBER_LIKE_STRINGS),
  fc.constantFrom(...DATE_TIMES),
  fc.constantFrom(...PROTO_KEYS),
  fc.constantFrom(long(10_000), long(100_000), long(300, '😀')),
  fc.string({ unit: 'binary', maxLength: 20 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
);

/** One value of the wrong kind, or one at an edge, for any place of a document. */
export const hostileValue: fc.Arbitrary<FuzzJson> = fc.oneof(
  { weight: 4, arbitrary: hostileString },
  { weight: 2, arbitrary: fc.constantFrom(...RAW_NUMBERS).map((t) => new RawJson(t)) },
  { weight: 1, arbitrary: fc.constantFrom(...NUMBER_EDGES) },
  { weight: 2, arbitrary: fc.constantFrom<FuzzJson>(null, true, false, 0, 7, '', [], {}, [null], [{}], { '': '' }) },
  {
    weight: 1,
    arbitrary: fc
      .record({
        depth: fc.oneof(fc.integer({ min: DEPTH_LIMIT - 4, max: DEPTH_LIMIT + 2 }), fc.constantFrom(64, 1000, 100_000)),
        kind: fc.constantFrom<'array' | 'object'>('array', 'object'),
      })
      .map(({ depth, kind }) => nested(depth, kind)),
  },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) as fc.Arbitrary<FuzzJson> },
);

/** A value for a query parameter: hostile, or plain. */
export const hostileQueryValue: fc.Arbitrary<string> = fc.oneof(
  { weight: 5, arbitrary: hostileString },
  { weight: 1, arbitrary: fc.constantFrom(...RAW_NUMBERS) },
  { weight: 2, arbitrary: fc.constantFrom('', ',', ',,', 'a,,b', 'a,b,c', ' ', 'true', 'false', '1', '-1', '0.5', '1,2') },
  { weight: 1, arbitrary: fc.constantFrom(long(2000), long(14_000), long(20_000)) },
);
