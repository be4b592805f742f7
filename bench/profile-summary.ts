/**
 * `npx tsx bench/profile-summary.ts <file.cpuprofile> [--top N] [--since-ms M]`
 *
 * Reads a V8 CPU profile (from `npm run bench -- --cpu-prof`) and prints where
 * the server's CPU went: self time by package and by function. `--since-ms`
 * skips the first M ms (start-up, transpiling, migrations). `--stacks NAME`
 * also prints the commonest call chains ending in function NAME (e.g. writev),
 * to see who pays for it; `--inclusive` ranks functions by total time
 * (their own plus their callees').
 */
import fs from 'node:fs';
import { parseArgs } from 'node:util';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    top: { type: 'string', default: '30' }, 'since-ms': { type: 'string', default: '0' }, stacks: { type: 'string' },
    inclusive: { type: 'boolean', default: false },
  },
});
const file = positionals[0];
if (!file) {
  process.stderr.write('usage: npx tsx bench/profile-summary.ts <file.cpuprofile> [--top N] [--since-ms M] [--stacks NAME] [--inclusive]\n');
  process.exit(1);
}

const profile = JSON.parse(fs.readFileSync(file, 'utf8')) as CpuProfile;
const nodes = new Map(profile.nodes.map((n) => [n.id, n]));

/** `node_modules/fastify/…` → fastify; `packages/tmf/src/…` → @operon/tmf; V8 pseudo-frames as they are. */
function packageOf(url: string, name: string): string {
  if (!url) return name.startsWith('(') ? name : '(native)';
  const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (nm) return nm[1]!;
  const ws = /\/packages\/(?:components\/)?([^/]+)\//.exec(url);
  if (ws) return `@operon/${ws[1]}`;
  if (url.includes('/bench/')) return 'bench';
  if (url.startsWith('node:')) return 'node (built-in)';
  return url;
}

const since = Number(values['since-ms']) * 1000;
const self = new Map<number, number>();
let t = 0;
let total = 0;
for (let i = 0; i < profile.samples.length; i++) {
  t += profile.timeDeltas[i] ?? 0;
  if (t < since) continue;
  const id = profile.samples[i]!;
  const dt = profile.timeDeltas[i] ?? 0;
  self.set(id, (self.get(id) ?? 0) + dt);
  total += dt;
}

const byPackage = new Map<string, number>();
const byFunction = new Map<string, number>();
for (const [id, us] of self) {
  const n = nodes.get(id)!;
  const { functionName, url, lineNumber } = n.callFrame;
  const pkg = packageOf(url, functionName);
  byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + us);
  const fn = `${functionName || '(anonymous)'}  ${url ? `${url.replace(/^file:\/\/.*?\/(node_modules|packages|bench)\//, '$1/')}:${lineNumber + 1}` : ''}`;
  byFunction.set(fn, (byFunction.get(fn) ?? 0) + us);
}

const idle = byPackage.get('(idle)') ?? 0;
const busy = total - idle;
const top = Number(values.top);
const pct = (us: number) => `${((100 * us) / busy).toFixed(1).padStart(5)}%`;
process.stdout.write(`${file}\nprofiled ${(total / 1e6).toFixed(1)} s, busy ${(busy / 1e6).toFixed(1)} s (percentages are of busy time)\n\nby package\n`);
for (const [k, v] of [...byPackage].filter(([k]) => k !== '(idle)').sort((a, b) => b[1] - a[1]).slice(0, top)) {
  process.stdout.write(`  ${pct(v)}  ${k}\n`);
}
process.stdout.write('\nby function (self time)\n');
for (const [k, v] of [...byFunction].filter(([k]) => !k.startsWith('(idle)')).sort((a, b) => b[1] - a[1]).slice(0, top)) {
  process.stdout.write(`  ${pct(v)}  ${k}\n`);
}

const wanted = values.stacks;
if (wanted) {
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const frame = (id: number) => {
    const f = nodes.get(id)!.callFrame;
    return `${f.functionName || '(anonymous)'}${f.url ? ` ${f.url.replace(/^.*\/(node_modules|packages|bench)\//, '$1/').replace(/^node:internal\//, '')}:${f.lineNumber + 1}` : ''}`;
  };
  const chains = new Map<string, number>();
  let all = 0;
  for (const [id, us] of self) {
    if (nodes.get(id)!.callFrame.functionName !== wanted) continue;
    const chain: string[] = [];
    for (let p = parent.get(id); p !== undefined && chain.length < 12; p = parent.get(p)) chain.push(frame(p));
    const key = chain.join('\n      ← ');
    chains.set(key, (chains.get(key) ?? 0) + us);
    all += us;
  }
  process.stdout.write(`\ncallers of ${wanted} (${pct(all)} of busy time)\n`);
  for (const [k, v] of [...chains].sort((a, b) => b[1] - a[1]).slice(0, 8)) process.stdout.write(`  ${pct(v)}  ← ${k}\n`);
}

if (values.inclusive) {
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const key = (id: number) => {
    const f = nodes.get(id)!.callFrame;
    return `${f.functionName || '(anonymous)'}  ${f.url.replace(/^.*\/(node_modules|packages|bench)\//, '$1/')}:${f.lineNumber + 1}`;
  };
  const inclusive = new Map<string, number>();
  for (const [id, us] of self) {
    if (nodes.get(id)!.callFrame.functionName === '(idle)') continue;
    // each function counts once per stack, so recursion is not double-counted
    const seen = new Set<string>();
    for (let p: number | undefined = id; p !== undefined; p = parent.get(p)) seen.add(key(p));
    for (const k of seen) inclusive.set(k, (inclusive.get(k) ?? 0) + us);
  }
  process.stdout.write('\nby function (inclusive time)\n');
  for (const [k, v] of [...inclusive].sort((a, b) => b[1] - a[1]).slice(0, top)) process.stdout.write(`  ${pct(v)}  ${k}\n`);
}
