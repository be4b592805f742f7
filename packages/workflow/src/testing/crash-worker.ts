/**
 * A worker node in a process of its own, for the crash test: it runs the
 * `crash.*` kinds against DATABASE_URL until it is killed (SIGKILL: the test's
 * point) or asked to stop (SIGTERM: a graceful stop).
 */
import { Database } from '@operon/store';
import { WorkflowEngine } from '../index.ts';
import { registerCrashKinds } from './crash-kinds.ts';

const url = process.env['DATABASE_URL'];
if (!url) throw new Error('DATABASE_URL is required');
const db = new Database({ url, max: 8, applicationName: 'operon-crash-worker' });
const engine = registerCrashKinds(
  new WorkflowEngine(db, { concurrency: 4, leaseMs: 1500, pollMs: 100, retry: { baseMs: 50, maxMs: 500, maxAttempts: 5 } }),
);
await engine.start();
process.stdout.write(`ready ${engine.nodeId}\n`);
process.on('SIGTERM', () => {
  void engine.stop().then(() => db.close()).then(() => process.exit(0));
});
