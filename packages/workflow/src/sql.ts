/**
 * The engine's statements, prepared once per connection. Lock order, everywhere:
 * the run's row first, then its task rows; it is what keeps completions,
 * failures, cancellation and the sweeps of one run from deadlocking, and what
 * lets a completion see every sibling that committed before it.
 */
import { prepared } from '@operon/store';
import type { TaskStatus } from './types.ts';

/** A task's row as the statements that hand tasks out return it (TASK_COLUMNS). */
export interface TaskRow {
  id: string;
  run_id: string;
  key: string;
  kind: string;
  status: TaskStatus;
  input: unknown;
  output: unknown;
  attempts: number;
  compensation_attempts: number;
  etom_task: string | null;
}

/** Columns a worker needs to execute a task. */
const TASK_COLUMNS = `t.id, t.run_id, t.key, t.kind, t.status, t.input, t.output, t.attempts, t.compensation_attempts,
  t.started_at, t.expected_ms, t.etom_task`;

// The statements written ahead (Tx.writeWithNext, which takes a text) are registered as prepared, so they are sent so.

/**
 * A run and its first tasks, in one statement inside the caller's transaction (a write queued ahead
 * of its next statement). Tasks with nothing to wait for are leased to node $7 for $8 ms when it
 * is given (as a claim would: running, first attempt), else ready for any node.
 */
export const INSERT_RUN: string = `WITH r AS (
    INSERT INTO workflow_run (id, type, status, subject, input, open) VALUES ($1, $2, 'running', $3, $4::jsonb, $5)
  )
  INSERT INTO workflow_task (id, run_id, key, kind, status, depends_on, waiting, input, compensable, etom_task, expected_ms,
                             lease_owner, lease_until, attempts, started_at)
  SELECT x.id, $1, x.key, x.kind, CASE WHEN x.waiting > 0 THEN 'pending' WHEN $7::text IS NULL THEN 'ready' ELSE 'running' END,
         ARRAY(SELECT jsonb_array_elements_text(x.deps)), x.waiting, coalesce(x.input, 'null'), x.compensable, x.etom, x.expected,
         l.owner, CASE WHEN l.owner IS NOT NULL THEN now() + $8::float8 * interval '1 millisecond' END,
         (l.owner IS NOT NULL)::int, CASE WHEN l.owner IS NOT NULL THEN now() END
    FROM jsonb_to_recordset($6::jsonb) AS x(id uuid, key text, kind text, deps jsonb, waiting int, input jsonb, compensable boolean, etom text, expected int),
         LATERAL (SELECT CASE WHEN x.waiting = 0 THEN $7::text END AS owner) l`;
prepared(INSERT_RUN);

/**
 * Leases up to $2 claimable tasks of the kinds this node runs: ready tasks
 * (to run) and compensations waiting for a worker (to undo).
 */
export const CLAIM = prepared(`WITH c AS (
    SELECT id, status FROM workflow_task
     WHERE (status = 'ready' OR (status = 'compensating' AND lease_owner IS NULL)) AND next_attempt_at <= now() AND kind = ANY($3::text[])
     ORDER BY next_attempt_at LIMIT $2 FOR UPDATE SKIP LOCKED
  )
  UPDATE workflow_task t SET
    status = CASE WHEN c.status = 'ready' THEN 'running' ELSE 'compensating' END,
    lease_owner = $1, lease_until = now() + $4::float8 * interval '1 millisecond',
    attempts = t.attempts + (c.status = 'ready')::int,
    compensation_attempts = t.compensation_attempts + (c.status = 'compensating')::int,
    started_at = CASE WHEN c.status = 'ready' THEN coalesce(t.started_at, now()) ELSE t.started_at END
  FROM c, workflow_run r
  WHERE t.id = c.id AND r.id = t.run_id
  RETURNING ${TASK_COLUMNS}, r.type AS run_type, r.subject AS run_subject, r.input AS run_input`);

/** Takes the run's row lock and counts the task done (and those it adds); first statement of a completion. */
export const LOCK_RUN_FOR_COMPLETION = prepared(`UPDATE workflow_run SET open = open - 1 + $2 WHERE id = $1 RETURNING status, open`);

/** Takes the run's row lock without changing it. */
export const LOCK_RUN = prepared(`SELECT id, type, subject, input, status, open, error, outcome FROM workflow_run WHERE id = $1 FOR NO KEY UPDATE`);

/**
 * Marks the task done (only if this node still holds it), and counts it off its
 * dependents; those left with nothing to wait for are leased to this node at
 * once when $4, else made ready for any node. The run's lock is already held,
 * so every sibling that completed before is visible here.
 */
export const COMPLETE = prepared(`WITH t AS (
    UPDATE workflow_task SET status = 'done', output = $3::jsonb, ended_at = clock_timestamp(), lease_owner = NULL, lease_until = NULL,
           error = NULL, done_seq = nextval('workflow_done_seq')
     WHERE id = $1 AND status = 'running' AND lease_owner = $2 RETURNING run_id, key
  ),
  d AS (
    UPDATE workflow_task d SET
      waiting = d.waiting - 1,
      status = CASE WHEN d.waiting = 1 THEN (CASE WHEN $4 THEN 'running' ELSE 'ready' END) ELSE d.status END,
      lease_owner = CASE WHEN d.waiting = 1 AND $4 THEN $2 ELSE NULL END,
      lease_until = CASE WHEN d.waiting = 1 AND $4 THEN clock_timestamp() + $5::float8 * interval '1 millisecond' END,
      attempts = d.attempts + (d.waiting = 1 AND $4)::int,
      started_at = CASE WHEN d.waiting = 1 AND $4 THEN clock_timestamp() END,
      next_attempt_at = now()
     FROM t WHERE d.run_id = t.run_id AND t.key = ANY(d.depends_on) AND d.status = 'pending'
    RETURNING d.id, d.run_id, d.key, d.kind, d.status, d.input, d.output, d.attempts, d.compensation_attempts,
              d.started_at, d.expected_ms, d.etom_task
  )
  SELECT (SELECT count(*) FROM t)::int AS completed, (SELECT count(*) FROM d WHERE d.status = 'ready')::int AS readied, d.*
    FROM (SELECT 1) one LEFT JOIN d ON d.status = 'running'`);

/**
 * COMPLETE for a task that added nothing, with the run's lock taken in the
 * same statement (LOCK_RUN_FOR_COMPLETION): one round trip, not two. The
 * task's row is locked only once the run's is (it joins r), so completions of
 * one run still queue on the run first; $4 leases dependents here only while
 * the run is running. Returns the run's status and open count on every row.
 */
export const COMPLETE_LOCKING_RUN = prepared(`WITH r AS (
    UPDATE workflow_run SET open = open - 1 WHERE id = $6 RETURNING status, open
  ),
  t AS (
    UPDATE workflow_task w SET status = 'done', output = $3::jsonb, ended_at = clock_timestamp(), lease_owner = NULL, lease_until = NULL,
           error = NULL, done_seq = nextval('workflow_done_seq')
      FROM r
     WHERE w.id = $1 AND w.status = 'running' AND w.lease_owner = $2 RETURNING w.run_id, w.key, ($4 AND r.status = 'running') AS take
  ),
  d AS (
    UPDATE workflow_task d SET
      waiting = d.waiting - 1,
      status = CASE WHEN d.waiting = 1 THEN (CASE WHEN t.take THEN 'running' ELSE 'ready' END) ELSE d.status END,
      lease_owner = CASE WHEN d.waiting = 1 AND t.take THEN $2 ELSE NULL END,
      lease_until = CASE WHEN d.waiting = 1 AND t.take THEN clock_timestamp() + $5::float8 * interval '1 millisecond' END,
      attempts = d.attempts + (d.waiting = 1 AND t.take)::int,
      started_at = CASE WHEN d.waiting = 1 AND t.take THEN clock_timestamp() END,
      next_attempt_at = now()
     FROM t WHERE d.run_id = t.run_id AND t.key = ANY(d.depends_on) AND d.status = 'pending'
    RETURNING d.id, d.run_id, d.key, d.kind, d.status, d.input, d.output, d.attempts, d.compensation_attempts,
              d.started_at, d.expected_ms, d.etom_task
  )
  SELECT (SELECT status FROM r) AS run_status, (SELECT open FROM r) AS run_open,
         (SELECT count(*) FROM t)::int AS completed, (SELECT count(*) FROM d WHERE d.status = 'ready')::int AS readied, d.*
    FROM (SELECT 1) one LEFT JOIN d ON d.status = 'running'`);

/**
 * What a chain completes in memory needs of its run, read just after the
 * completion that took the run's lock (so in a snapshot that sees every
 * sibling committed before): the tasks still waiting, and the database's clock.
 */
export const RUN_GRAPH = prepared(`SELECT clock_timestamp() AS db_now, ${TASK_COLUMNS}, t.depends_on, t.waiting
  FROM (SELECT 1) one LEFT JOIN workflow_task t ON t.run_id = $1 AND t.status = 'pending'`);

/**
 * The completions a chain made in memory, its run's lock held since the first
 * (see WorkflowEngine.completeHeld): each task's row as it now is, its place
 * in the order of completion (done_seq, numbered in that order), and the
 * run's open count. $1 rows, $2 node, $3 lease, $4 tasks done, $5 run, $6 rows expected.
 */
export const WRITE_HELD_COMPLETIONS: string = `WITH x AS (
    SELECT * FROM jsonb_to_recordset($1::jsonb)
      AS x(id uuid, status text, output jsonb, waiting int, leased boolean, attempts int, started_at timestamptz, ended_at timestamptz, ord int)
  ),
  v AS (SELECT nextval('workflow_done_seq') AS seq FROM generate_series(1, (SELECT count(*) FROM x WHERE ord IS NOT NULL))),
  s AS (
    SELECT a.id, b.seq FROM (SELECT id, row_number() OVER (ORDER BY ord) AS n FROM x WHERE ord IS NOT NULL) a
      JOIN (SELECT seq, row_number() OVER (ORDER BY seq) AS n FROM v) b USING (n)
  ),
  t AS (
    UPDATE workflow_task w SET status = x.status, waiting = x.waiting, attempts = x.attempts,
           output = CASE WHEN x.status = 'done' THEN x.output ELSE w.output END,
           error = CASE WHEN x.status = 'done' THEN NULL ELSE w.error END,
           lease_owner = CASE WHEN x.leased THEN $2 END,
           lease_until = CASE WHEN x.leased THEN clock_timestamp() + $3::float8 * interval '1 millisecond' END,
           started_at = coalesce(x.started_at, w.started_at),
           ended_at = CASE WHEN x.status = 'done' THEN x.ended_at ELSE w.ended_at END,
           done_seq = coalesce(s.seq, w.done_seq),
           next_attempt_at = CASE WHEN x.status IN ('ready', 'running') THEN now() ELSE w.next_attempt_at END
      FROM x LEFT JOIN s ON s.id = x.id
     WHERE w.id = x.id AND w.run_id = $5
    RETURNING 1
  ),
  r AS (UPDATE workflow_run SET open = open - $4 WHERE id = $5 AND $4 > 0 RETURNING 1)
  SELECT operon_expect_rows((SELECT count(*) FROM t) + (SELECT count(*) FROM r), $6, 'completions of a chain')`;
prepared(WRITE_HELD_COMPLETIONS);

/** Leased by a completion but not kept: ready for any node again, as if never leased. */
export const HAND_BACK = prepared(`UPDATE workflow_task SET status = 'ready', lease_owner = NULL, lease_until = NULL, attempts = attempts - 1, started_at = NULL
  WHERE id = ANY($1::uuid[]) AND lease_owner = $2 AND status = 'running'`);

/**
 * Tasks added at run time (the run's lock held): each waits for those of its
 * dependencies not done yet; added to a run that is no longer running, they are skipped.
 */
export const INSERT_TASKS = prepared(`INSERT INTO workflow_task (id, run_id, key, kind, status, depends_on, waiting, input, compensable, etom_task, expected_ms, ended_at)
  SELECT x.id, $1, x.key, x.kind,
         CASE WHEN NOT $3 THEN 'skipped' WHEN w.n = 0 THEN 'ready' ELSE 'pending' END,
         d.deps, w.n, coalesce(x.input, 'null'), x.compensable, x.etom, x.expected, CASE WHEN NOT $3 THEN now() END
    FROM jsonb_to_recordset($2::jsonb) AS x(id uuid, key text, kind text, deps jsonb, input jsonb, compensable boolean, etom text, expected int),
         LATERAL (SELECT ARRAY(SELECT jsonb_array_elements_text(x.deps)) AS deps) d,
         LATERAL (SELECT count(*)::int AS n FROM unnest(d.deps) k
                   WHERE NOT EXISTS (SELECT 1 FROM workflow_task e WHERE e.run_id = $1 AND e.key = k AND e.status = 'done')) w
  RETURNING status`);

/** Dependencies named by added tasks that exist neither in the run nor among the added. */
export const UNKNOWN_KEYS = prepared(`SELECT k FROM unnest($2::text[]) k WHERE NOT EXISTS (SELECT 1 FROM workflow_task e WHERE e.run_id = $1 AND e.key = k)`);

/** Keys of the run among $2 (added tasks must not reuse them). */
export const EXISTING_KEYS = prepared(`SELECT key FROM workflow_task WHERE run_id = $1 AND key = ANY($2::text[])`);

/** Makes existing pending tasks wait for added ones as well. */
export const ADD_BLOCKERS = prepared(`UPDATE workflow_task SET depends_on = depends_on || $3::text[], waiting = waiting + cardinality($3::text[])
  WHERE run_id = $1 AND key = ANY($2::text[]) AND status = 'pending' RETURNING key`);

/** A failed attempt that will be tried again (the run's lock held; $4: whether the run still runs). */
export const RETRY_LATER = prepared(`UPDATE workflow_task SET status = CASE WHEN $4 THEN 'ready' ELSE 'skipped' END, error = $3,
    lease_owner = NULL, lease_until = NULL, next_attempt_at = now() + $5::float8 * interval '1 millisecond',
    ended_at = CASE WHEN $4 THEN NULL ELSE now() END
  WHERE id = $1 AND status = 'running' AND lease_owner = $2 RETURNING status`);

/** The last attempt failed (the run's lock held). */
export const FAIL_TASK = prepared(`UPDATE workflow_task SET status = 'failed', error = $3, lease_owner = NULL, lease_until = NULL, ended_at = now()
  WHERE id = $1 AND status = $4 AND lease_owner = $2 RETURNING key`);

/** Stops a run from scheduling anything new: what has not started is skipped. */
export const SKIP_UNSTARTED = prepared(`UPDATE workflow_task SET status = 'skipped', lease_owner = NULL, lease_until = NULL, ended_at = now()
  WHERE run_id = $1 AND status IN ('pending', 'ready')`);

export const SET_RUN_STATUS = prepared(`UPDATE workflow_run SET status = $2, error = coalesce(error, $3), outcome = coalesce(outcome, '{}'::jsonb) || $4::jsonb WHERE id = $1`);

/** What is still in flight in a run. */
export const IN_FLIGHT = prepared(`SELECT count(*) FILTER (WHERE status = 'running')::int AS running, count(*) FILTER (WHERE status = 'compensating')::int AS compensating
  FROM workflow_task WHERE run_id = $1 AND status IN ('running', 'compensating')`);

/** The next task to undo: the last one done, leased to this node. */
export const NEXT_COMPENSATION = prepared(`UPDATE workflow_task t SET status = 'compensating', lease_owner = $2::text,
    lease_until = CASE WHEN $2::text IS NULL THEN NULL ELSE now() + $3::float8 * interval '1 millisecond' END,
    compensation_attempts = t.compensation_attempts + ($2::text IS NOT NULL)::int, next_attempt_at = now()
  WHERE t.id = (SELECT id FROM workflow_task WHERE run_id = $1 AND status = 'done' AND compensable ORDER BY done_seq DESC LIMIT 1)
  RETURNING ${TASK_COLUMNS}`);

/** Done tasks with nothing to undo count as undone once the run is compensated. */
export const SETTLE_UNCOMPENSABLE = prepared(`UPDATE workflow_task SET status = 'compensated' WHERE run_id = $1 AND status = 'done' AND NOT compensable`);

export const COMPENSATED = prepared(`UPDATE workflow_task SET status = 'compensated', lease_owner = NULL, lease_until = NULL, error = NULL
  WHERE id = $1 AND status = 'compensating' AND lease_owner = $2 RETURNING key`);

/** A failed compensation attempt, tried again after the back-off. */
export const RETRY_COMPENSATION = prepared(`UPDATE workflow_task SET error = $3, lease_owner = NULL, lease_until = NULL, next_attempt_at = now() + $4::float8 * interval '1 millisecond'
  WHERE id = $1 AND status = 'compensating' AND lease_owner = $2 RETURNING key`);

export const END_RUN = prepared(`UPDATE workflow_run SET status = $2, outcome = $3::jsonb, ended_at = clock_timestamp() WHERE id = $1 AND status IN ('running', 'compensating', 'cancelling') RETURNING id`);

export const RUN_TASKS = prepared(`SELECT id, key, kind, status, input, output, error, attempts, compensation_attempts, etom_task, expected_ms,
    depends_on, started_at, ended_at, jeopardy_raised_at, done_seq
  FROM workflow_task WHERE run_id = $1 ORDER BY done_seq NULLS LAST, key`);

/** What is left undone when a compensation gives up. */
export const DONE_KEYS = prepared(`SELECT key FROM workflow_task WHERE run_id = $1 AND status = 'done' AND compensable ORDER BY done_seq DESC`);

/** Keeps this node's leases alive; rows locked by a completing transaction are skipped (they are ending). */
export const HEARTBEAT = prepared(`UPDATE workflow_task t SET lease_until = now() + $3::float8 * interval '1 millisecond'
  FROM (SELECT id FROM workflow_task WHERE id = ANY($1::uuid[]) AND lease_owner = $2 AND status IN ('running', 'compensating') FOR UPDATE SKIP LOCKED) h
  WHERE t.id = h.id`);

/** Tasks whose holder stopped renewing its lease (its node died). */
export const EXPIRED = prepared(`SELECT id, run_id FROM workflow_task WHERE status IN ('running', 'compensating') AND lease_until < now() ORDER BY lease_until LIMIT 200`);

/**
 * Gives a held task back (the run's lock held; $3: whether the run still runs):
 * to run again if the run runs, else skipped; a compensation waits for a worker.
 */
export const RELEASE = prepared(`UPDATE workflow_task SET
    status = CASE WHEN status = 'compensating' THEN 'compensating' WHEN $3 THEN 'ready' ELSE 'skipped' END,
    attempts = attempts - (status = 'running' AND $4)::int,
    compensation_attempts = compensation_attempts - (status = 'compensating' AND $4)::int,
    ended_at = CASE WHEN status = 'running' AND NOT $3 THEN now() ELSE ended_at END,
    lease_owner = NULL, lease_until = NULL, next_attempt_at = now()
  WHERE id = $1 AND status IN ('running', 'compensating') AND ($2::text IS NULL OR lease_owner = $2) AND ($2::text IS NOT NULL OR lease_until < now())
  RETURNING status`);

/** Runs that should have moved on but did not (a node died between two steps, or onRunEnd failed). */
export const STUCK_RUNS = prepared(`SELECT r.id FROM workflow_run r
  WHERE r.status IN ('running', 'compensating', 'cancelling') AND r.created_at < now() - interval '1 second'
    AND (CASE WHEN r.status = 'running' THEN r.open <= 0
              ELSE NOT EXISTS (SELECT 1 FROM workflow_task t WHERE t.run_id = r.id AND t.status IN ('running', 'compensating')) END)
  LIMIT 100`);

/** Started tasks past their expected duration whose jeopardy was not raised yet. */
export const JEOPARDY_CANDIDATES = prepared(`SELECT id FROM workflow_task
  WHERE status = 'running' AND expected_ms IS NOT NULL AND jeopardy_raised_at IS NULL
    AND started_at + expected_ms * interval '1 millisecond' < now()
  UNION ALL
  SELECT id FROM workflow_task
  WHERE status = 'ready' AND started_at IS NOT NULL AND expected_ms IS NOT NULL AND jeopardy_raised_at IS NULL
    AND started_at + expected_ms * interval '1 millisecond' < now()
  LIMIT 100`);

export const RAISE_JEOPARDY = prepared(`UPDATE workflow_task t SET jeopardy_raised_at = now()
  FROM workflow_run r
  WHERE t.id = $1 AND r.id = t.run_id AND t.jeopardy_raised_at IS NULL AND t.status IN ('ready', 'running')
  RETURNING t.id, t.key, t.kind, t.status, t.etom_task, t.expected_ms, t.started_at, t.attempts,
            r.id AS run_id, r.type AS run_type, r.subject AS run_subject, r.input AS run_input, (extract(epoch FROM now() - t.started_at) * 1000)::float8 AS elapsed_ms`);

export const GET_RUN = prepared(`SELECT id, type, status, subject, input, outcome, error, open, created_at, ended_at FROM workflow_run WHERE id = $1`);

/**
 * The runs a filter selects, newest first. Every filter is a parameter (null: any),
 * so the statement is prepared once.
 */
export const LIST_RUNS = prepared(`SELECT r.id, r.type, r.subject, r.status, r.error, r.created_at, r.ended_at,
    (extract(epoch FROM r.ended_at - r.created_at) * 1000)::float8 AS duration_ms,
    (SELECT count(*) FROM workflow_task t WHERE t.run_id = r.id)::int AS tasks,
    (SELECT count(*) FROM workflow_task t WHERE t.run_id = r.id AND t.status IN ('done', 'compensating', 'compensated'))::int AS tasks_done
  FROM workflow_run r
  WHERE ($1::text IS NULL OR r.type = $1) AND ($2::text[] IS NULL OR r.status = ANY($2)) AND ($3::text IS NULL OR r.subject = $3)
    AND ($4::timestamptz IS NULL OR r.created_at >= $4) AND ($5::timestamptz IS NULL OR r.created_at < $5)
  ORDER BY r.created_at DESC, r.id LIMIT $6 OFFSET $7`);

const TASK_FILTER = `($1::uuid IS NULL OR t.run_id = $1) AND ($2::text IS NULL OR r.type = $2) AND ($3::text IS NULL OR r.subject = $3)
    AND ($4::text IS NULL OR t.kind = $4) AND ($5::text IS NULL OR t.etom_task = $5) AND ($6::text[] IS NULL OR t.status = ANY($6))
    AND ($7::timestamptz IS NULL OR t.started_at >= $7) AND ($8::timestamptz IS NULL OR t.started_at < $8)`;

export const LIST_TASKS = prepared(`SELECT t.run_id, r.type AS run_type, r.subject, t.key, t.kind, t.status, t.etom_task, t.attempts, t.error,
    t.started_at, t.ended_at, (extract(epoch FROM t.ended_at - t.started_at) * 1000)::float8 AS duration_ms, t.expected_ms, t.jeopardy_raised_at
  FROM workflow_task t JOIN workflow_run r ON r.id = t.run_id
  WHERE ${TASK_FILTER}
  ORDER BY t.started_at NULLS LAST, t.run_id, t.key LIMIT $9 OFFSET $10`);

/** Completed tasks count by their duration; a compensated task did complete once. */
export const ETOM_DURATIONS = prepared(`SELECT t.etom_task,
    count(*) FILTER (WHERE t.done_seq IS NOT NULL)::int AS count,
    count(*) FILTER (WHERE t.status = 'failed' AND t.done_seq IS NULL)::int AS failed,
    coalesce(percentile_cont(0.5) WITHIN GROUP (ORDER BY d.ms) FILTER (WHERE t.done_seq IS NOT NULL), 0)::float8 AS p50_ms,
    coalesce(percentile_cont(0.9) WITHIN GROUP (ORDER BY d.ms) FILTER (WHERE t.done_seq IS NOT NULL), 0)::float8 AS p90_ms,
    coalesce(avg(d.ms) FILTER (WHERE t.done_seq IS NOT NULL), 0)::float8 AS mean_ms,
    coalesce(max(d.ms) FILTER (WHERE t.done_seq IS NOT NULL), 0)::float8 AS max_ms,
    count(t.jeopardy_raised_at)::int AS jeopardies
  FROM workflow_task t JOIN workflow_run r ON r.id = t.run_id,
       LATERAL (SELECT extract(epoch FROM t.ended_at - t.started_at) * 1000 AS ms) d
  WHERE t.etom_task IS NOT NULL AND ${TASK_FILTER}
  GROUP BY t.etom_task ORDER BY t.etom_task`);
