-- Durable orchestration (packages/workflow): a run is a graph of tasks with dependencies.
-- Tables are prefixed because every component shares the one database.

CREATE TABLE IF NOT EXISTS workflow_run (
  id          uuid PRIMARY KEY,
  type        text NOT NULL,
  status      text NOT NULL CHECK (status IN ('running', 'succeeded', 'failed', 'cancelling', 'cancelled', 'compensating')),
  subject     text,
  input       jsonb NOT NULL DEFAULT 'null',
  outcome     jsonb,
  error       text,
  -- tasks not yet done: the run succeeds when it reaches 0; updating it takes the run's row lock,
  -- which is what serialises the completions of one run's tasks
  open        integer NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  ended_at    timestamptz
) WITH (fillfactor = 70);  -- room for HOT updates of `open`, once per task
CREATE INDEX IF NOT EXISTS workflow_run_subject ON workflow_run (subject);
CREATE INDEX IF NOT EXISTS workflow_run_active ON workflow_run (created_at) WHERE status IN ('running', 'compensating', 'cancelling');

CREATE TABLE IF NOT EXISTS workflow_task (
  id                 uuid PRIMARY KEY,
  run_id             uuid NOT NULL REFERENCES workflow_run (id) ON DELETE CASCADE,
  key                text NOT NULL,
  kind               text NOT NULL,
  status             text NOT NULL CHECK (status IN ('pending', 'ready', 'running', 'done', 'failed', 'compensating', 'compensated', 'skipped')),
  depends_on         text[] NOT NULL DEFAULT '{}',
  -- dependencies not yet done; the task becomes ready at 0
  waiting            integer NOT NULL DEFAULT 0,
  input              jsonb NOT NULL DEFAULT 'null',
  output             jsonb,
  attempts           integer NOT NULL DEFAULT 0,
  compensation_attempts integer NOT NULL DEFAULT 0,
  -- false when the kind has no compensate handler: nothing to undo
  compensable        boolean NOT NULL DEFAULT false,
  next_attempt_at    timestamptz NOT NULL DEFAULT now(),
  lease_owner        text,
  lease_until        timestamptz,
  error              text,
  etom_task          text,
  expected_ms        integer,
  started_at         timestamptz,
  ended_at           timestamptz,
  -- completion order across the run, for compensation in reverse
  done_seq           bigint,
  jeopardy_raised_at timestamptz,
  UNIQUE (run_id, key)
);
CREATE SEQUENCE IF NOT EXISTS workflow_done_seq;
-- what workers claim: ready tasks, and compensations waiting for a worker
CREATE INDEX IF NOT EXISTS workflow_task_claimable ON workflow_task (next_attempt_at)
  WHERE status = 'ready' OR (status = 'compensating' AND lease_owner IS NULL);
-- held tasks, for the lease sweep and the jeopardy check
CREATE INDEX IF NOT EXISTS workflow_task_held ON workflow_task (lease_until)
  WHERE status IN ('running', 'compensating');
