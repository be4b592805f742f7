/** The task kinds of the crash test, shared by the test (to start runs) and its worker processes. */
import { NonRetryableError, type TaskHandler, type WorkflowEngine } from '../index.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Writes the task's effect, then keeps its transaction open a while: a kill lands mid-task. */
const step: TaskHandler<{ ms: number }> = {
  async run(ctx, input) {
    await ctx.tx.query(`INSERT INTO crash_effect (run_id, key, node) VALUES ($1, $2, $3)`, [ctx.run.id, ctx.task.key, process.pid]);
    await sleep(input.ms);
    return { node: process.pid };
  },
  async compensate(ctx) {
    await ctx.tx.query(`DELETE FROM crash_effect WHERE run_id = $1 AND key = $2`, [ctx.run.id, ctx.task.key]);
    await sleep(10);
  },
};

export function registerCrashKinds(engine: WorkflowEngine): WorkflowEngine {
  return engine.register('crash.step', step).register('crash.fail', {
    async run() {
      await sleep(20);
      throw new NonRetryableError('refused');
    },
  });
}
