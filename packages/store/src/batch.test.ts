import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { BatchFailure, StatementBatch, type BatchStatement } from './batch.ts';
import { createTestDatabase, type TestDatabase } from './testing.ts';

let t: TestDatabase;
let client: pg.Client;
beforeAll(async () => {
  t = await createTestDatabase();
  await t.db.query('CREATE TABLE batched (k text PRIMARY KEY, n int NOT NULL, doc jsonb)');
  client = new pg.Client({ connectionString: t.db.url });
  await client.connect();
});
afterAll(async () => {
  await client?.end();
  await t?.drop();
});

const send = (statements: BatchStatement[]) => {
  const b = new StatementBatch(statements);
  void client.query(b as unknown as pg.QueryConfig);
  return b.done;
};
const insert = { text: 'INSERT INTO batched (k, n, doc) VALUES ($1, $2, $3::jsonb)', name: 'batch_test_insert' };
const failure = async (p: Promise<unknown>) => {
  try {
    await p;
  } catch (e) {
    return e as BatchFailure;
  }
  throw new Error('the batch did not fail');
};

describe('statement batches', () => {
  it('answer each statement as the driver answers it alone, values and types included', async () => {
    const at = new Date('2026-11-23T01:02:03.456Z');
    const results = await send([
      { text: 'BEGIN', values: [] },
      { ...insert, values: ['a', 1, JSON.stringify({ quote: "it's", list: [1, null] })] },
      { text: 'SELECT k, n, doc, $1::timestamptz AS at, $2::text[] AS arr FROM batched WHERE k = $3', values: [at, ['x', "y'z", null], 'a'] },
      { text: 'COMMIT', values: [] },
    ]);
    expect(results.map((r) => r.command)).toEqual(['BEGIN', 'INSERT', 'SELECT', 'COMMIT']);
    expect(results[1]!.rowCount).toBe(1);
    const alone = await client.query('SELECT k, n, doc, $1::timestamptz AS at, $2::text[] AS arr FROM batched WHERE k = $3', [at, ['x', "y'z", null], 'a']);
    expect(results[2]!.rows).toEqual(alone.rows);
    expect(results[2]!.rows[0]).toEqual({ k: 'a', n: 1, doc: { quote: "it's", list: [1, null] }, at, arr: ['x', "y'z", null] });
  });

  it('stop at the first error, which names its statement; a name prepared by the failing statement is prepared again cleanly', async () => {
    const fresh = { text: 'INSERT INTO batched (k, n) VALUES ($1, $2)', name: 'batch_test_fresh' };
    // the statement's first use on this connection is the one that fails, at execution (after its parse)
    const e = await failure(send([
      { text: 'BEGIN', values: [] },
      { ...fresh, values: ['a', 2] },
      { text: 'INSERT INTO batched (k, n) VALUES ($1, $2)', values: ['never', 3] },
      { text: 'COMMIT', values: [] },
    ]));
    expect(e).toBeInstanceOf(BatchFailure);
    expect(e.index).toBe(1);
    expect((e.error as { code?: string }).code).toBe('23505');
    await client.query('ROLLBACK');
    expect((await client.query(`SELECT count(*)::int AS n FROM batched WHERE k = 'never'`)).rows[0]).toEqual({ n: 0 });
    const again = await send([{ ...fresh, values: ['b', 2] }, { ...fresh, values: ['c', 3] }]);
    expect(again.map((r) => r.rowCount)).toEqual([1, 1]);
    // the driver's own query under that name finds it prepared
    expect((await client.query({ ...fresh, values: ['d', 4] })).rowCount).toBe(1);
  });

  it('report a statement that does not parse, and leave the connection usable', async () => {
    const e = await failure(send([{ text: 'SELEKT 1', name: 'batch_test_typo', values: [] }, { text: 'SELECT 2 AS two', values: [] }]));
    expect(e.index).toBe(0);
    expect((e.error as { code?: string }).code).toBe('42601');
    expect((await send([{ text: 'SELECT $1::int AS one', name: 'batch_test_one', values: [1] }]))[0]!.rows).toEqual([{ one: 1 }]);
  });

  it('refuse a value that cannot be sent before any statement runs', async () => {
    const circular: Record<string, unknown> = {};
    circular['self'] = circular;
    await expect(send([{ ...insert, values: ['early', 1, null] }, { ...insert, values: ['late', 1, circular] }])).rejects.toThrow(/circular/i);
    expect((await client.query(`SELECT count(*)::int AS n FROM batched WHERE k IN ('early', 'late')`)).rows[0]).toEqual({ n: 0 });
  });
});
