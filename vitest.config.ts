import os from 'node:os';
import { defineConfig } from 'vitest/config';
import { serverAvailable, SERVER_ADMIN_URL } from './packages/store/src/testing/server-url.ts';

/**
 * Two projects run the same tests: on Operon's embedded PostgreSQL (what a new
 * user has) and on the machine's PostgreSQL server. CI must have the server;
 * elsewhere its absence only skips that project, loudly.
 */
export default defineConfig(async () => {
  const include = ['packages/**/src/**/*.test.ts', 'bench/**/*.test.ts'];
  const exclude = ['**/node_modules/**'];
  const haveServer = await serverAvailable();
  if (!haveServer && process.env['CI']) {
    throw new Error(`CI requires the PostgreSQL server at ${SERVER_ADMIN_URL}, and it does not answer`);
  }
  if (!haveServer) {
    console.warn(`\n  ! No PostgreSQL server at ${SERVER_ADMIN_URL}: running the suite on the embedded database only.\n`);
  }
  const common = { include, exclude, testTimeout: 60_000, hookTimeout: 120_000, pool: 'forks' as const };
  // tests wait on the database, the network simulation and child processes more than they compute, and
  // none times anything: two files at once even on two cores (the default, one, took the suite 32 → 20 min)
  const maxWorkers = Math.max(2, os.availableParallelism() - 1);
  // The console's browser tests drive the HTTP API through Chromium: they test the console, which is
  // the same on either database, so they run once — on the server when there is one, else embedded.
  const browser = 'packages/console/src/e2e/**';
  return {
    test: {
      maxWorkers,
      projects: [
        {
          test: {
            ...common,
            // with the server beside it, the embedded project runs the long scenario suites at a smaller scale
            // (the server project runs them in full): every test on both databases, the suite under 30 minutes
            ...(haveServer ? { exclude: [...exclude, browser], env: { OPERON_FUZZ_MIN_RUNS: '50', L2C_CONTENTION_ORDERS: '300' } } : {}),
            name: 'embedded',
            globalSetup: ['packages/store/src/testing/global-embedded.ts'],
          },
        },
        ...(haveServer
          ? [{ test: { ...common, name: 'server', globalSetup: ['packages/store/src/testing/global-server.ts'] } }]
          : []),
      ],
    },
  };
});
