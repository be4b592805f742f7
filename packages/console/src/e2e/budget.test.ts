import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { DIST_DIR, ensureBuilt } from './harness.ts';

/** The console's size budget: all of its JavaScript, gzipped, under 1 MB. */
describe('bundle budget', () => {
  it('keeps the production build under 1 MB of gzipped JavaScript', async () => {
    await ensureBuilt();
    const assets = path.join(DIST_DIR, 'assets');
    // only what index.html can reach: older builds' leftovers in dist do not count
    const reachable = new Set<string>();
    const visit = (file: string) => {
      if (reachable.has(file) || !fs.existsSync(path.join(assets, file))) return;
      reachable.add(file);
      const text = fs.readFileSync(path.join(assets, file), 'utf8');
      for (const m of text.matchAll(/["'`(/]([\w.-]+\.js)["'`)]/g)) visit(m[1]!);
    };
    const index = fs.readFileSync(path.join(DIST_DIR, 'index.html'), 'utf8');
    for (const m of index.matchAll(/assets\/([\w.-]+\.js)/g)) visit(m[1]!);
    let raw = 0;
    let gzipped = 0;
    for (const f of reachable) {
      const bytes = fs.readFileSync(path.join(assets, f));
      raw += bytes.length;
      gzipped += zlib.gzipSync(bytes, { level: 9 }).length;
    }
    console.log(`console JavaScript: ${reachable.size} files, ${(raw / 1024).toFixed(0)} KiB, ${(gzipped / 1024).toFixed(0)} KiB gzipped`);
    expect(reachable.size).toBeGreaterThan(1);
    expect(gzipped).toBeLessThan(1_000_000);
  });
});
