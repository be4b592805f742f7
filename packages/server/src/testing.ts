/** Starts a real Operon (HTTP on a free port) on a fresh database of the current test target. */
import { createEmptyDatabase } from '@operon/store/testing';
import { loadConfig, type OperonConfig } from './config.ts';
import { startOperon, type RunningOperon, type StartOptions } from './operon.ts';

export interface TestOperon extends RunningOperon {
  /** Stops the server and drops its database. */
  close(): Promise<void>;
}

export async function startTestOperon(options: StartOptions & { config?: Partial<OperonConfig> } = {}): Promise<TestOperon> {
  const database = await createEmptyDatabase();
  const config = loadConfig({}, {
    port: 0,
    host: '127.0.0.1',
    databaseUrl: database.url,
    logLevel: 'silent',
    dbPoolSize: 8,
    demoData: false,
    // domain tests run without credentials; security tests turn authentication on
    auth: false,
    rateLimit: { perSecond: 0, burst: 0 },
    relay: { retryBaseMs: 50, retryMaxMs: 500, maxAttempts: 8, pollMs: 200 },
    ...options.config,
  });
  let running: RunningOperon;
  try {
    running = await startOperon(config, options);
  } catch (e) {
    await database.drop();
    throw e;
  }
  return {
    ...running,
    async close() {
      await running.stop();
      await database.drop();
    },
  };
}
