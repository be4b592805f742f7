import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { createEmptyDatabase } from '@operon/store/testing';
import { exitOf, operon, operonUntil } from './testing/run-cli.ts';

const drops: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (drops.length) await drops.pop()!();
});

async function freshDatabase(): Promise<string> {
  const d = await createEmptyDatabase();
  drops.push(() => d.drop());
  return d.url;
}

async function appliedMigrations(url: string): Promise<string[]> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query<{ id: string }>('SELECT id FROM operon_migration ORDER BY id')).rows.map((r) => r.id);
  } finally {
    await c.end();
  }
}

describe('operon migrate', () => {
  it('applies the migrations to a fresh database and lists them; a second run applies nothing', async () => {
    const url = await freshDatabase();
    const first = await operon(['migrate'], { DATABASE_URL: url });
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    const inDb = await appliedMigrations(url);
    expect(inDb).toEqual(expect.arrayContaining(['core/0001_core.sql', 'party/0001_party.sql']));
    for (const id of inDb) expect(first.stdout).toContain(`applied   ${id}`);
    expect(first.stdout).toContain(`${inDb.length} migrations applied`);

    const again = await operon(['migrate'], { DATABASE_URL: url });
    expect(again.code).toBe(0);
    expect(again.stdout).toContain(`nothing to apply: all ${inDb.length} migrations are in place`);
  });

  it('fails with a clear message when the database cannot be used', async () => {
    const url = new URL(await freshDatabase());
    url.pathname = '/operon_no_such_database';
    const r = await operon(['migrate'], { DATABASE_URL: url.toString() });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/migration failed: .*operon_no_such_database/);
  });
});

describe('operon seed', () => {
  it('loads the demo data into an empty database, and only once', async () => {
    const { demoSteps, demoActivitySteps } = await import('@operon/server');
    const url = await freshDatabase();
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'operon-cli-seed-'));
    const r = await operon(['seed'], { DATABASE_URL: url, OPERON_DATA_DIR: dataDir });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`loaded ${demoSteps.length + demoActivitySteps.length} resources`);
    const again = await operon(['seed'], { DATABASE_URL: url, OPERON_DATA_DIR: dataDir });
    fs.rmSync(dataDir, { recursive: true, force: true });
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('already loaded');
  });
});

describe('operon start', () => {
  it('starts with progress lines and URLs, serves the API, and stops on SIGTERM', async () => {
    const url = await freshDatabase();
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'operon-cli-start-'));
    const { child, output } = await operonUntil(['start'], { DATABASE_URL: url, PORT: '0', LOG_LEVEL: 'silent', OPERON_DEMO_DATA: 'false', OPERON_DATA_DIR: dataDir }, /Press Ctrl\+C to stop/);
    try {
      const text = output();
      expect(text).toMatch(/database\s+PostgreSQL at postgres:/);
      expect(text).toMatch(/migrations\s+applied \d+ migrations/);
      expect(text).toMatch(/demo data\s+off/);
      // in the order things happen
      expect(text).toMatch(/database[\s\S]*migrations[\s\S]*demo data[\s\S]*listening/);
      const base = /listening\s+(http:\/\/127\.0\.0\.1:\d+)/.exec(text)?.[1];
      expect(base).toBeTruthy();
      expect(text).toContain(`API docs   ${base}/docs`);
      // authentication is on: the first administrator's key is where the output says
      const file = /credentials in (\S+)/.exec(text)?.[1];
      expect(file, text).toBeTruthy();
      expect(text).toContain(`the apiKey line of ${file}`);
      const key = /^apiKey=(\S+)$/m.exec(fs.readFileSync(file!, 'utf8'))![1]!;
      expect((await fetch(`${base}/health/live`)).status).toBe(200);
      expect((await fetch(`${base}/etom/coverage`)).status).toBe(401);
      const cov = (await (await fetch(`${base}/etom/coverage`, { headers: { 'x-api-key': key } })).json()) as { totals: { l3: number } };
      expect(cov.totals.l3).toBe(108);
      const curl = /try\s+curl -H "X-API-Key: \$OPERON_API_KEY" (\S+)/.exec(text)![1]!;
      expect(curl.startsWith(`${base}/tmf-api/`)).toBe(true);
      expect((await fetch(curl, { headers: { 'x-api-key': key } })).status).toBe(200);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exitOf(child)).toBe(0);
    expect(output()).toMatch(/SIGTERM: stopping[\s\S]*stopped/);
    fs.rmSync(dataDir, { recursive: true, force: true });
  });
});
