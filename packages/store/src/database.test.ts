import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Tx, prepared, sqlLiteral } from './database.ts';
import { countRoundTrips, createTestDatabase, type TestDatabase } from './testing.ts';

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
  await t.db.query('CREATE TABLE at_commit (k text PRIMARY KEY, v text NOT NULL)');
});
afterAll(async () => t?.drop());

const put = (k: string, v: string) => `INSERT INTO at_commit (k, v) VALUES (${sqlLiteral(k)}, ${sqlLiteral(v)})`;
const rows = async () => (await t.db.query<{ k: string; v: string }>('SELECT k, v FROM at_commit ORDER BY k')).rows;

describe('writes sent with the commit', () => {
  it('are written by the commit, invisible before it, readable back through their tag', async () => {
    await t.db.query('TRUNCATE at_commit');
    await t.db.tx(async (tx) => {
      tx.writeAtCommit(put('a', "it's quoted"), 'things', 'a');
      await tx.query('SELECT 1');
      expect((await tx.query('SELECT count(*)::int AS n FROM at_commit')).rows[0]).toEqual({ n: 0 });
      tx.writeAtCommit(put('b', '2'), 'things', 'b');
      tx.writeAtCommit(put('c', '3'));
      expect(tx.pendingWrites('things')).toEqual(['a', 'b']);
    });
    expect(await rows()).toEqual([{ k: 'a', v: "it's quoted" }, { k: 'b', v: '2' }, { k: 'c', v: '3' }]);
  });

  it('are written when nothing else ran in the transaction, and not at all when it rolls back', async () => {
    await t.db.query('TRUNCATE at_commit');
    await t.db.tx(async (tx) => tx.writeAtCommit(put('alone', '1')));
    await expect(t.db.tx(async (tx) => {
      tx.writeAtCommit(put('lost', '1'));
      throw new Error('undone');
    })).rejects.toThrow('undone');
    expect(await rows()).toEqual([{ k: 'alone', v: '1' }]);
  });

  it('follow savepoints: a rollback to one drops what was queued after it, a release keeps it', async () => {
    await t.db.query('TRUNCATE at_commit');
    await t.db.tx(async (tx) => {
      tx.writeAtCommit(put('before', '1'), 'x', 'before');
      await tx.query('SAVEPOINT outer_one');
      tx.writeAtCommit(put('kept', '1'), 'x', 'kept');
      await tx.query('SAVEPOINT inner_one');
      tx.writeAtCommit(put('dropped', '1'), 'x', 'dropped');
      await tx.query('ROLLBACK TO SAVEPOINT inner_one');
      expect(tx.pendingWrites('x')).toEqual(['before', 'kept']);
      tx.writeAtCommit(put('after-rollback', '1'), 'x', 'after-rollback');
      await tx.query('RELEASE SAVEPOINT inner_one');
      await tx.query('RELEASE SAVEPOINT outer_one');
      await tx.query('SAVEPOINT again');
      tx.writeAtCommit(put('dropped-too', '1'));
      await tx.query('ROLLBACK TO again');
    });
    expect((await rows()).map((r) => r.k)).toEqual(['after-rollback', 'before', 'kept']);
  });

  it('that are rows of one statement go as one per savepoint level, and follow savepoints the same way', async () => {
    await t.db.query('TRUNCATE at_commit');
    const statements: number[] = [];
    const putRows = (rows: unknown[]) => {
      statements.push(rows.length);
      return { text: 'INSERT INTO at_commit (k, v) SELECT r.k, r.v FROM jsonb_to_recordset($1::jsonb) AS r(k text, v text)', params: [JSON.stringify(rows)] };
    };
    await t.db.tx(async (tx) => {
      tx.writeRowAtCommit('r', { k: 'a', v: '1' }, putRows);
      tx.writeAtCommit(put('plain', '1'), 'r', 'plain');
      tx.writeRowAtCommit('r', { k: 'b', v: "it's" }, putRows);
      await tx.query('SAVEPOINT s1');
      tx.writeRowAtCommit('r', { k: 'kept', v: '1' }, putRows);
      await tx.query('SAVEPOINT s2');
      tx.writeRowAtCommit('r', { k: 'dropped', v: '1' }, putRows);
      await tx.query('ROLLBACK TO SAVEPOINT s2');
      tx.writeRowAtCommit('r', { k: 'later', v: '1' }, putRows);
      expect(tx.pendingWrites('r')).toEqual([{ k: 'a', v: '1' }, { k: 'b', v: "it's" }, 'plain', { k: 'kept', v: '1' }, { k: 'later', v: '1' }]);
      await tx.query('RELEASE SAVEPOINT s1');
    });
    // before the savepoint, after it, and after the rollback inside it
    expect(statements).toEqual([2, 1, 1]);
    expect((await rows()).map((r) => r.k)).toEqual(['a', 'b', 'kept', 'later', 'plain']);
  });

  it('are refused once a final write has ended the transaction, rather than lost', async () => {
    await t.db.tx(async (tx) => {
      await tx.finalWrite('INSERT INTO at_commit (k, v) VALUES ($1, $2) RETURNING k', ['final', '1'], [{ api: 'test', eventType: 'ThingEvent', resourceType: 'Thing', resourceId: 'final', payload: {} }]);
      expect(() => tx.writeAtCommit(put('late', '1'))).toThrow(/final write already ended/);
    });
    expect((await rows()).map((r) => r.k)).toContain('final');
    expect((await rows()).map((r) => r.k)).not.toContain('late');
  });

  it('fail the commit when one of them fails, and the transaction is undone whole', async () => {
    await t.db.query('TRUNCATE at_commit');
    await t.db.query(`INSERT INTO at_commit VALUES ('taken', '0')`);
    await expect(t.db.tx(async (tx) => {
      await tx.query(`INSERT INTO at_commit VALUES ('other', '1')`);
      tx.writeAtCommit(put('taken', '1'));
    })).rejects.toThrow(/duplicate key/);
    expect(await rows()).toEqual([{ k: 'taken', v: '0' }]);
  });
});

const counted = (fn: (tx: Tx, trips: () => number) => Promise<void>) => countRoundTrips(t.db, fn);

const putNext = 'INSERT INTO at_commit (k, v) VALUES ($1, $2)';

describe('writes sent with the next statement', () => {
  it('ride in the round trip of the next statement, which sees them, as the first statement carries BEGIN', async () => {
    await t.db.query('TRUNCATE at_commit');
    await counted(async (tx, trips) => {
      tx.writeWithNext(putNext, ['a', "it's"]);
      tx.writeWithNext(putNext, ['b', '2']);
      expect(trips()).toBe(0);
      const seen = await tx.query<{ n: number }>(prepared('SELECT count(*)::int AS n FROM at_commit WHERE k = ANY($1)'), [['a', 'b']]);
      expect(seen.rows[0]).toEqual({ n: 2 });
      expect(trips()).toBe(1);
      // another connection does not see them before the commit
      expect((await t.db.query('SELECT count(*)::int AS n FROM at_commit')).rows[0]).toEqual({ n: 0 });
      tx.writeWithNext(putNext, ['c', '3']);
    }).then((trips) => expect(trips).toBe(2));
    expect(await rows()).toEqual([{ k: 'a', v: "it's" }, { k: 'b', v: '2' }, { k: 'c', v: '3' }]);
  });

  it('go with the commit when nothing follows them, BEGIN included: one round trip in all', async () => {
    await t.db.query('TRUNCATE at_commit');
    const trips = await counted(async (tx, tripsSoFar) => {
      tx.writeWithNext(putNext, ['alone', '1']);
      tx.emit({ api: 'test', eventType: 'ThingEvent', resourceType: 'Thing', resourceId: 'alone', payload: {} });
      expect(tripsSoFar()).toBe(0);
    });
    expect(trips).toBe(1);
    expect(await rows()).toEqual([{ k: 'alone', v: '1' }]);
    expect((await t.db.query(`SELECT count(*)::int AS n FROM outbox WHERE resource_id = 'alone'`)).rows[0]).toEqual({ n: 1 });
  });

  it('are dropped with a rollback, and with a rollback to a savepoint taken before them', async () => {
    await t.db.query('TRUNCATE at_commit');
    await expect(t.db.tx(async (tx) => {
      tx.writeWithNext(putNext, ['lost', '1']);
      await tx.query('SELECT 1');
      throw new Error('undone');
    })).rejects.toThrow('undone');
    await t.db.tx(async (tx) => {
      tx.writeWithNext(putNext, ['before', '1']);
      await tx.query('SAVEPOINT s');
      tx.writeWithNext(putNext, ['dropped', '1']);
      await tx.query('ROLLBACK TO SAVEPOINT s');
      tx.writeWithNext(putNext, ['after', '1']);
    });
    expect((await rows()).map((r) => r.k)).toEqual(['after', 'before']);
  });

  it('fail the statement they ride with, as their writer explains the error, and the transaction is undone', async () => {
    await t.db.query('TRUNCATE at_commit');
    await t.db.query(`INSERT INTO at_commit VALUES ('taken', '0')`);
    const explain = (e: unknown) => ((e as { code?: string }).code === '23505' ? new Error('taken is taken') : e);
    await expect(t.db.tx(async (tx) => {
      await tx.query(putNext, ['other', '1']);
      tx.writeWithNext(putNext, ['taken', '1'], explain);
      await tx.query('SELECT 1');
    })).rejects.toThrow('taken is taken');
    await expect(t.db.tx(async (tx) => {
      tx.writeWithNext(putNext, ['taken', '1'], explain);
    })).rejects.toThrow('taken is taken');
    expect(await rows()).toEqual([{ k: 'taken', v: '0' }]);
  });

  it('savepoints ride with the next statement too: a failure after one is undone to it, in the round trips the statements take anyway', async () => {
    await t.db.query('TRUNCATE at_commit');
    await t.db.query(`INSERT INTO at_commit VALUES ('taken', '0')`);
    const trips = await counted(async (tx, soFar) => {
      await tx.query(putNext, ['kept', '1']);
      expect(soFar()).toBe(1);
      await tx.query('SAVEPOINT attempt');
      tx.writeWithNext(putNext, ['undone', '1']);
      expect(soFar()).toBe(1);
      await expect(tx.query(putNext, ['taken', '1'])).rejects.toMatchObject({ code: '23505' });
      expect(soFar()).toBe(2);
      await tx.query('ROLLBACK TO SAVEPOINT attempt');
      await tx.query('RELEASE SAVEPOINT attempt');
      await tx.query('SAVEPOINT "Second"');
      tx.writeWithNext(putNext, ['dropped before it is sent', '1']);
      await tx.query('ROLLBACK TO SAVEPOINT "Second"');
      expect(soFar()).toBe(2);
      expect((await tx.query<{ k: string }>('SELECT k FROM at_commit ORDER BY k')).rows.map((r) => r.k)).toEqual(['kept', 'taken']);
      expect(soFar()).toBe(3);
      await tx.query(putNext, ['after', '1']);
    });
    expect(trips).toBe(5);
    expect((await rows()).map((r) => r.k)).toEqual(['after', 'kept', 'taken']);
  });

  it('stay queued past a statement sent beside them (which carries BEGIN), unless a savepoint waits with them', async () => {
    await t.db.query('TRUNCATE at_commit');
    const count = 'SELECT count(*)::int AS n FROM at_commit';
    const trips = await counted(async (tx, soFar) => {
      tx.writeWithNext(putNext, ['a', '1']);
      // what goes beside them must not read what they write: it does not see them
      expect((await tx.queryBeside<{ n: number }>(count)).rows[0]).toEqual({ n: 0 });
      expect((await tx.queryBeside<{ n: number }>(count)).rows[0]).toEqual({ n: 0 });
      expect(soFar()).toBe(2);
      expect((await tx.query<{ n: number }>(count)).rows[0]).toEqual({ n: 1 });
      tx.writeWithNext(putNext, ['b', '2']);
      await tx.queryBeside('SELECT 1');
    });
    expect(trips).toBe(5); // b goes with the commit
    expect(await rows()).toEqual([{ k: 'a', v: '1' }, { k: 'b', v: '2' }]);
    await t.db.tx(async (tx) => {
      await tx.query('SELECT 1');
      await tx.query('SAVEPOINT s');
      tx.writeWithNext(putNext, ['c', '3']);
      // in order: the savepoint, the write, then the statement, which sees it
      expect((await tx.queryBeside<{ n: number }>(`${count} WHERE k = $1`, ['c'])).rows[0]).toEqual({ n: 1 });
      await tx.query('ROLLBACK TO SAVEPOINT s');
    });
    expect((await rows()).map((r) => r.k)).toEqual(['a', 'b']);
  });

  it('several go beside them in one round trip, each seeing what those before it did; in order, after them, when asked', async () => {
    await t.db.query('TRUNCATE at_commit');
    const count = 'SELECT count(*)::int AS n FROM at_commit WHERE k LIKE $1';
    const trips = await counted(async (tx, soFar) => {
      tx.writeWithNext(putNext, ['queued', '1']);
      const [put1, seen] = await tx.queriesBeside([[putNext, ['beside', '1']], [count, ['%']]]);
      expect(put1!.rowCount).toBe(1);
      // the second saw the first, not the write still queued
      expect(seen!.rows[0]).toEqual({ n: 1 });
      expect(soFar()).toBe(1);
      expect(tx.queues('nothing')).toBe(false);
      const [inOrder] = await tx.queriesBeside([[count, ['%']]], true);
      expect(inOrder!.rows[0]).toEqual({ n: 2 });
      expect(soFar()).toBe(2);
      await tx.queriesBeside([[putNext, ['beside', '2']], [count, ['%']]]);
    }).catch((e: unknown) => e);
    // the first failure is thrown (the statement after it did not run)
    expect(trips).toMatchObject({ code: '23505' });
    // the failure undid the transaction whole
    expect(await rows()).toEqual([]);
  });

  it('go to the socket with BEGIN and the next statement in one write, each of them prepared on the connection', async () => {
    await t.db.query('TRUNCATE at_commit');
    const client = await t.db.pool.connect();
    const socket = (client as unknown as { connection: { stream: { _write: Function; _writev?: Function } } }).connection.stream;
    let writes = 0;
    const counting = <F extends Function>(f: F) => function (this: unknown, ...a: unknown[]) {
      writes++;
      return f.apply(this, a);
    };
    socket._write = counting(socket._write);
    if (socket._writev) socket._writev = counting(socket._writev);
    const tx = new Tx(client);
    try {
      tx.writeWithNext(putNext, ['p1', '1']);
      tx.writeWithNext(putNext, ['p2', '2']);
      const seen = await tx.query<{ n: number }>(prepared('SELECT count(*)::int AS n FROM at_commit'));
      expect(seen.rows[0]).toEqual({ n: 2 });
      expect(writes).toBe(1);
      const kept = await tx.query<{ statement: string }>(`SELECT statement FROM pg_prepared_statements WHERE statement IN ($1, $2)`, [putNext, 'SELECT count(*)::int AS n FROM at_commit']);
      expect(kept.rows.map((r) => r.statement).sort()).toEqual([putNext, 'SELECT count(*)::int AS n FROM at_commit'].sort());
    } finally {
      await tx.rollback();
      client.release(true);
    }
  });

  it('a statement whose prepared plan a schema change outdated is sent again unprepared', async () => {
    await t.db.query('CREATE TABLE IF NOT EXISTS reshaped (k text PRIMARY KEY)');
    await t.db.query(`INSERT INTO reshaped VALUES ('a') ON CONFLICT DO NOTHING`);
    const read = 'SELECT * FROM reshaped WHERE k = $1';
    // run often enough to be prepared on the connections that run it
    for (let i = 0; i < 2 * t.db.max; i++) await t.db.query(read, ['a']);
    await t.db.query('ALTER TABLE reshaped ADD COLUMN v text');
    for (let i = 0; i < 2 * t.db.max; i++) expect((await t.db.query(read, ['a'])).rows).toEqual([{ k: 'a', v: null }]);
  });
});

describe('reads made together', () => {
  it('go in one round trip on one connection, each answered as its own; one that fails fails alone', async () => {
    const read = prepared('SELECT now()::text AS at, pg_backend_pid() AS pid, $1::int AS n');
    const together = t.db.together();
    const answers = await Promise.all([1, 2, 3].map((n) => together.query<{ at: string; pid: number; n: number }>(read, [n])));
    expect(answers.map((r) => r.rows[0]!.n)).toEqual([1, 2, 3]);
    // one connection, one sync point: the statements share the moment their (implicit) transaction began
    expect(new Set(answers.map((r) => `${r.rows[0]!.pid}@${r.rows[0]!.at}`)).size).toBe(1);

    const outcomes = await Promise.allSettled([
      together.query<{ n: number }>(read, [4]),
      together.query('SELECT 1 / $1::int AS x', [0]),
      together.query<{ n: number }>(read, [5]),
    ]);
    expect(outcomes[0]).toMatchObject({ status: 'fulfilled', value: { rows: [{ n: 4 }] } });
    expect(outcomes[1]).toMatchObject({ status: 'rejected', reason: { code: '22012' } });
    expect(outcomes[2]).toMatchObject({ status: 'fulfilled', value: { rows: [{ n: 5 }] } });

    // a read made on its own goes on its own, and the connection went back to the pool each time
    expect((await together.query<{ n: number }>(read, [6])).rows[0]!.n).toBe(6);
    expect(t.db.pool.idleCount).toBe(t.db.pool.totalCount);
  });
});
