import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { inlineStatement, sqlLiteral } from './inline.ts';
import { createTestDatabase, type TestDatabase } from './testing.ts';

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(async () => t?.drop());

describe('statements with their values written in', () => {
  it('mean what the statement with parameters means, for every kind of value the driver sends', async () => {
    const text = `SELECT $1::text AS s, $2::int + 1 AS n, $3::boolean AS b, $4::timestamptz AS at, $5::text[] AS arr,
                         $6::jsonb AS doc, $7::text IS NULL AS missing, '$1 stays' AS quoted, "?column?" FROM (SELECT 1) AS x("?column?") LIMIT $8`;
    const params = [
      `it's a 'quote', a back\\slash and ünïcødé`, 41, true, new Date('2026-11-23T01:02:03.456Z'), ['a', "b'c", 'd,e', null],
      { nested: { quote: "'", backslash: '\\', dollar: '$1' } }, null, 5,
    ];
    const inlined = inlineStatement(text, params);
    expect(inlined).toBeDefined();
    expect(inlined).toContain(`'$1 stays'`);
    const withParams = (await t.db.query(text, params)).rows;
    const written = (await t.db.query(inlined!)).rows;
    expect(written).toEqual(withParams);
    expect(written[0]).toMatchObject({ n: 42, b: true, missing: true, quoted: '$1 stays', arr: ['a', "b'c", 'd,e', null] });
  });

  it('are not made from text the scanner does not follow, nor from binary values or missing parameters', () => {
    expect(inlineStatement('SELECT $1 -- a comment', ['x'])).toBeUndefined();
    expect(inlineStatement('SELECT $1 /* a comment */', ['x'])).toBeUndefined();
    expect(inlineStatement('SELECT $$quoted$$, $1', ['x'])).toBeUndefined();
    expect(inlineStatement(`SELECT E'\\'', $1`, ['x'])).toBeUndefined();
    expect(inlineStatement(`SELECT 'unclosed, $1`, ['x'])).toBeUndefined();
    expect(inlineStatement('SELECT $1::bytea', [Buffer.from('x')])).toBeUndefined();
    expect(inlineStatement('SELECT $2', ['only one'])).toBeUndefined();
    expect(inlineStatement('SELECT $1, $10', Array.from({ length: 10 }, (_, i) => i))).toBe(`SELECT '0', '9'`);
  });

  it('quote strings exactly as the driver does', () => {
    const samples = ['', 'plain', "it's", "''", '\\', 'a\\b\'c', '{"k": "v\\"q\\" \'x\'"}', 'ünï\u0001cødé 💡', "\\'\\'"];
    for (let i = 0; i < 200; i++) samples.push(Array.from({ length: 40 }, () => "ab'\\\"c ".charAt(Math.floor(Math.random() * 8))).join(''));
    for (const s of samples) expect(sqlLiteral(s)).toBe(pg.escapeLiteral(s));
  });
});
