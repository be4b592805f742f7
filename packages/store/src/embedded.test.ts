import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { startEmbedded } from './embedded.ts';
import { testTarget } from './testing.ts';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'operon-embedded-'));
fs.chmodSync(dir, 0o755);
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

async function q(url: string, sql: string) {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query(sql)).rows;
  } finally {
    await c.end();
  }
}

function postmasterRunning(): boolean {
  return fs.existsSync(path.join(dir, 'pg', 'postmaster.pid'));
}

// the embedded server's own lifecycle is the same whichever database the suite targets
describe.runIf(testTarget() === 'embedded')('embedded PostgreSQL', () => {
  it('initialises on first start, keeps its data and port on the next, and stops cleanly', async () => {
    const first = await startEmbedded({ dataDir: dir });
    await q(first.url, 'CREATE TABLE kept (v text); INSERT INTO kept VALUES ($$still here$$)');
    const state = JSON.parse(fs.readFileSync(path.join(dir, 'embedded.json'), 'utf8')) as { port: number; password: string };
    expect(state.port).not.toBe(5432);
    expect(state.password.length).toBeGreaterThanOrEqual(20);
    expect(fs.statSync(path.join(dir, 'embedded.json')).mode & 0o777).toBe(0o600);
    await first.stop();
    expect(postmasterRunning()).toBe(false);

    const second = await startEmbedded({ dataDir: dir });
    expect(new URL(second.url).port).toBe(String(state.port));
    expect(await q(second.url, 'SELECT v FROM kept')).toEqual([{ v: 'still here' }]);
    await second.stop();
  });

  it('adopts a cluster left running by a process that was killed, then stops it', async () => {
    const script = path.join(path.dirname(fileURLToPath(import.meta.url)), 'embedded.ts');
    const child = spawn(process.execPath, ['--import', 'tsx', '-e', `
      const { startEmbedded } = await import(${JSON.stringify(script)});
      await startEmbedded({ dataDir: ${JSON.stringify(dir)} });
      console.log('up');
      setInterval(() => {}, 1000);
    `], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => d.toString().includes('up') && resolve());
      child.on('exit', (code) => reject(new Error(`child exited ${code}`)));
    });
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    expect(postmasterRunning()).toBe(true);

    const adopted = await startEmbedded({ dataDir: dir });
    expect(await q(adopted.url, 'SELECT v FROM kept')).toEqual([{ v: 'still here' }]);
    await adopted.stop();
    expect(postmasterRunning()).toBe(false);
  });
});
