/**
 * The property-based fuzz suite: invalid and malicious requests generated from
 * the route schemas for every endpoint, with authentication on — without a
 * credential, as a customer confined to one party, as an administrator (at
 * least 200 cases per endpoint). No answer is a 5xx, every refusal is a TMF
 * Error, nothing invalid is stored and no refused write leaves an event or an
 * audit record. FUZZ_SEED replays a run; `npm run fuzz` is the long run.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestOperon, type TestOperon } from '../testing.ts';
import { storeViolations, trailCounts, writesOutsideParty } from './invariants.ts';
import { formatReport, type FuzzReport } from './runner.ts';
import { prepareFuzz, runOne, runsOf, settingsFromEnv, type FuzzSetup } from './suite.ts';

// CI runs the default (on the server project; the embedded one runs a lighter pass beside it, see
// vitest.config.ts); FUZZ_RUNS lowers it for a quick look or raises it
const MIN_RUNS = Number(process.env['OPERON_FUZZ_MIN_RUNS'] ?? 200);
const settings = settingsFromEnv(MIN_RUNS);

let op: TestOperon;
let dataDir: string;
let setup: FuzzSetup;

beforeAll(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'operon-fuzz-'));
  op = await startTestOperon({ config: { auth: true, dataDir } });
  setup = await prepareFuzz(op, settings);
  console.log(`fuzz: ${setup.endpoints.length} endpoints, seed ${settings.seed} (replay with FUZZ_SEED=${settings.seed})`);
});
afterAll(async () => {
  await op?.close();
  if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
});

function expectClean(r: FuzzReport, runs: number) {
  console.log(formatReport(r));
  expect(r.failures.map((f) => `${f.endpoint} → ${f.status}: ${f.problems.join('; ')}\n    ${f.request}`)).toEqual([]);
  for (const [key, s] of Object.entries(r.perEndpoint)) expect(s.cases, key).toBeGreaterThanOrEqual(runs);
  expect(Object.keys(r.statuses).filter((s) => Number(s) >= 500)).toEqual([]);
}

describe.sequential('fuzzing every endpoint', () => {
  it('without a credential: 401 (or 404 for no route), a TMF Error, and nothing written', async () => {
    const before = await trailCounts(op);
    const r = await runOne(op, setup, 'anonymous', settings);
    expectClean(r, runsOf('anonymous', settings.runs));
    expect(await trailCounts(op)).toEqual(before);
  }, 600_000);

  it('as a customer confined to one party: never another party\'s data, never a write beyond its role', async () => {
    const r = await runOne(op, setup, 'customer', settings);
    expectClean(r, runsOf('customer', settings.runs));
    expect(await writesOutsideParty(op, setup.customer.principalId, setup.customer.partyId)).toEqual([]);
  }, 600_000);

  it(`as an administrator: at least ${MIN_RUNS} cases per endpoint, no 5xx, TMF Errors, valid 2xx bodies`, async () => {
    const r = await runOne(op, setup, 'administrator', settings);
    expectClean(r, settings.runs);
  }, 1_200_000);

  it('stored nothing invalid, and the outbox and audit trail match the stored documents', async () => {
    expect(await storeViolations(op)).toEqual([]);
  }, 300_000);
});
