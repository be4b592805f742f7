import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { startEmbedded, type EmbeddedDatabase } from '../embedded.ts';

/** One embedded PostgreSQL for the whole run; every test file creates its own database in it. */
let pg: EmbeddedDatabase | undefined;
let dir: string | undefined;

export async function setup(project: TestProject) {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'operon-test-pg-'));
  fs.chmodSync(dir, 0o755);
  pg = await startEmbedded({ dataDir: dir });
  project.provide('pgAdminUrl', pg.url.replace(/\/operon$/, '/postgres'));
  project.provide('pgTarget', 'embedded');
}

export async function teardown() {
  await pg?.stop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
}

declare module 'vitest' {
  export interface ProvidedContext {
    pgAdminUrl: string;
    pgTarget: 'embedded' | 'server';
  }
}
