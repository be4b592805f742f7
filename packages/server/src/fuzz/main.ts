/**
 * `npm run fuzz`: the long fuzz run. The same suite as the test, with more
 * cases (FUZZ_RUNS, default 2,000 per endpoint for the administrator), on its
 * own embedded PostgreSQL in a temporary folder (or DATABASE_URL, which must
 * name an empty database). Prints progress, the report of each run, and exits
 * 1 on any failure. FUZZ_SEED replays a run; FUZZ_ONLY narrows it to endpoints
 * whose `METHOD /url` contains the text.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../config.ts';
import { startOperon } from '../operon.ts';
import { storeViolations, trailCounts, writesOutsideParty } from './invariants.ts';
import { formatReport, type FuzzReport } from './runner.ts';
import { prepareFuzz, runOne, settingsFromEnv, type RunKind } from './suite.ts';

const settings = { ...settingsFromEnv(2000), progress: (line: string) => process.stdout.write(`\r  ${line.padEnd(70)}`) };
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'operon-fuzz-'));
// as root the embedded PostgreSQL runs as 'postgres', which must pass through this folder
fs.chmodSync(dataDir, 0o755);
const began = Date.now();
console.log(`Fuzzing Operon: ${settings.runs} cases per endpoint, seed ${settings.seed} (replay with FUZZ_SEED=${settings.seed})`);
const op = await startOperon(loadConfig(process.env, {
  port: 0, dataDir, demoData: false, auth: true, logLevel: 'silent', rateLimit: { perSecond: 0, burst: 0 },
}));
let failed = 0;
try {
  const setup = await prepareFuzz(op, settings);
  console.log(`  ${setup.endpoints.length} endpoints`);
  const report = (r: FuzzReport) => {
    process.stdout.write('\r'.padEnd(74) + '\r');
    console.log(formatReport(r));
    failed += r.failures.length;
  };
  const before = await trailCounts(op);
  for (const kind of ['anonymous', 'customer', 'administrator'] as RunKind[]) {
    report(await runOne(op, setup, kind, settings));
    if (kind === 'anonymous' && JSON.stringify(await trailCounts(op)) !== JSON.stringify(before)) {
      console.log('  ✗ requests without a credential changed the audit trail or the outbox');
      failed++;
    }
    if (kind === 'customer') {
      const outside = await writesOutsideParty(op, setup.customer.principalId, setup.customer.partyId);
      for (const w of outside) console.log(`  ✗ the confined customer wrote beyond its party: ${JSON.stringify(w)}`);
      failed += outside.length;
    }
  }
  const invalid = await storeViolations(op);
  for (const v of invalid) console.log(`  ✗ stored: ${v}`);
  failed += invalid.length;
} finally {
  await op.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
}
console.log(`\n${failed === 0 ? 'No failure' : `${failed} failures`} in ${((Date.now() - began) / 60_000).toFixed(1)} min`);
process.exit(failed === 0 ? 0 : 1);
