/**
 * @operon/workflow — durable orchestration on Operon's own PostgreSQL: runs
 * of tasks with dependencies, started inside the transaction that causes them,
 * grown at run time, executed by cooperating nodes under leases, each task's
 * writes committed with its completion, retries with back-off, compensation in
 * reverse order, cancellation, jeopardy alerts, and recovery after a crash.
 */
import { fileURLToPath } from 'node:url';
import type { MigrationSource } from '@operon/store';

export * from './engine.ts';
export * from './types.ts';

/** The engine's tables; pass to `migrate` with the other components' sources. */
export const workflowMigrations: MigrationSource = {
  owner: 'workflow',
  dir: fileURLToPath(new URL('../migrations', import.meta.url)),
};
