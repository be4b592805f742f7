/**
 * Browser tests of the console against a real Operon: a fresh database with
 * the demo data, authentication on, the built console served by the server at
 * `/`, and Debian's chromium driven by playwright-core. One harness per test
 * file. See the package README for use.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { expect, onTestFailed } from 'vitest';
import { seedDemo } from '@operon/server';
import { startTestOperon, type TestOperon } from '@operon/server/testing';

const run = promisify(execFile);
const here = path.dirname(fileURLToPath(import.meta.url));
export const CONSOLE_DIR = path.resolve(here, '../..');
export const DIST_DIR = path.join(CONSOLE_DIR, 'dist');
export const SCREENSHOT_DIR = path.resolve(CONSOLE_DIR, '../../docs/screenshots');
const AXE_SCRIPT = fileURLToPath(import.meta.resolve('axe-core/axe.min.js'));

export const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

export const VIEWPORTS = {
  desktop: { width: 1440, height: 900 },
  mobile: { width: 390, height: 844 },
} as const;
export type ViewportName = keyof typeof VIEWPORTS;

export interface Credentials {
  username: string;
  password: string;
}

export interface ConsoleHarness {
  /** Where the console and the APIs answer (the server's own address). */
  url: string;
  op: TestOperon;
  browser: Browser;
  /** The first administrator's API key, for setting up data through the APIs. */
  adminKey: string;
  /**
   * A page in a fresh browser context (its own session storage), at the named viewport. The
   * server's CSP is bypassed (axe is injected as a script) unless `enforceCsp` is set.
   */
  newPage(viewport?: ViewportName, options?: { enforceCsp?: boolean }): Promise<Page>;
  /** A user with one role (created on first use; customer and partner are confined to a demo party). */
  user(role: string): Promise<Credentials>;
  /** Opens `path` (default `/`), signs in through the form, and waits for the navigation. */
  signIn(page: Page, role: string, path?: string): Promise<void>;
  /** Calls an API as the administrator; answers status and parsed body. */
  call<T = unknown>(method: string, apiPath: string, body?: unknown): Promise<{ status: number; body: T; headers: Headers }>;
  /** GETs a collection as the administrator and answers its first item; the test fails when the call fails or finds nothing. */
  first<T = Record<string, unknown>>(apiPath: string): Promise<T>;
  /** Runs axe-core on the page; throws listing every serious or critical violation. */
  checkA11y(page: Page): Promise<AxeViolation[]>;
  /** Screenshots at 1440×900 and 390×844: docs/screenshots/<name>-desktop.png and -mobile.png. */
  screenshots(page: Page, name: string): Promise<void>;
  close(): Promise<void>;
}

export interface AxeViolation {
  id: string;
  impact: 'minor' | 'moderate' | 'serious' | 'critical' | null;
  help: string;
  nodes: { target: string[]; failureSummary?: string }[];
}

/** Source files whose change makes dist stale. */
function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== 'e2e') newest = Math.max(newest, newestSource(p));
    } else if (!entry.name.endsWith('.test.ts')) {
      newest = Math.max(newest, fs.statSync(p).mtimeMs);
    }
  }
  return newest;
}

function isStale(): boolean {
  const index = path.join(DIST_DIR, 'index.html');
  if (!fs.existsSync(index)) return true;
  const built = fs.statSync(index).mtimeMs;
  const inputs = [path.join(CONSOLE_DIR, 'index.html'), path.join(CONSOLE_DIR, 'vite.config.ts'), path.join(CONSOLE_DIR, 'package.json')];
  return Math.max(newestSource(path.join(CONSOLE_DIR, 'src')), ...inputs.map((f) => fs.statSync(f).mtimeMs)) > built;
}

/**
 * Builds the console when dist is missing or older than its sources. Test
 * files run in parallel: one builds at a time (a lock directory), into a
 * scratch folder copied over dist with index.html last, so a page another
 * file has open keeps finding the assets it loaded from.
 */
export async function ensureBuilt(): Promise<void> {
  if (!isStale()) return;
  const lock = path.join(os.tmpdir(), `operon-console-build-${Buffer.from(CONSOLE_DIR).toString('base64url').slice(-24)}.lock`);
  const deadline = Date.now() + 180_000;
  for (;;) {
    try {
      fs.mkdirSync(lock);
      break;
    } catch {
      // a lock older than a build could take was left by a killed run
      try {
        if (Date.now() - fs.statSync(lock).mtimeMs > 120_000) fs.rmSync(lock, { recursive: true, force: true });
      } catch {
        // gone meanwhile
      }
      if (Date.now() > deadline) throw new Error('timed out waiting for another test file to build the console');
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  try {
    if (!isStale()) return;
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'operon-console-dist-'));
    try {
      const vite = path.join(CONSOLE_DIR, 'node_modules/.bin/vite');
      const bin = fs.existsSync(vite) ? vite : path.resolve(CONSOLE_DIR, '../../node_modules/.bin/vite');
      await run(bin, ['build', '--outDir', out, '--emptyOutDir', '--logLevel', 'warn'], { cwd: CONSOLE_DIR, timeout: 150_000 });
      fs.mkdirSync(DIST_DIR, { recursive: true });
      fs.cpSync(path.join(out, 'assets'), path.join(DIST_DIR, 'assets'), { recursive: true });
      for (const f of fs.readdirSync(out)) if (f !== 'assets' && f !== 'index.html') fs.cpSync(path.join(out, f), path.join(DIST_DIR, f), { recursive: true });
      fs.copyFileSync(path.join(out, 'index.html'), path.join(DIST_DIR, 'index.html'));
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  } finally {
    fs.rmSync(lock, { recursive: true, force: true });
  }
}

/** Demo parties that confined roles act for. */
const CONFINED_PARTY: Record<string, string> = { customer: 'Jane Doe', partner: 'Skyline Mobile' };

export async function startConsole(): Promise<ConsoleHarness> {
  await ensureBuilt();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'operon-console-'));
  const op = await startTestOperon({
    config: { auth: true, dataDir, dbPoolSize: 12 },
    seed: async (rt) => void (await seedDemo(rt)),
  });
  let browser: Browser | undefined;
  const contexts = new Set<BrowserContext>();
  try {
    const file = fs.readFileSync(path.join(dataDir, 'admin-credentials'), 'utf8');
    const adminKey = /apiKey=(\S+)/.exec(file)?.[1];
    const adminPassword = /password=(\S+)/.exec(file)?.[1];
    if (!adminKey || !adminPassword) throw new Error('the first administrator was not written to admin-credentials');
    const url = op.url;
    const index = await fetch(`${url}/`, { headers: { accept: 'text/html' } });
    if (!index.ok || !(await index.text()).includes('<div id="root">')) throw new Error(`the server does not serve the console at / (${index.status})`);

    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
    const b = browser;

    const call = async <T,>(method: string, apiPath: string, body?: unknown) => {
      const res = await fetch(url + apiPath, {
        method,
        headers: { authorization: `Bearer ${adminKey}`, accept: 'application/json', ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
      const text = await res.text();
      return { status: res.status, headers: res.headers, body: (text ? JSON.parse(text) : undefined) as T };
    };

    const first = async <T,>(apiPath: string) => {
      const r = await call<T[]>('GET', apiPath);
      expect(r.status, apiPath).toBe(200);
      expect(r.body.length, `${apiPath} finds nothing`).toBeGreaterThan(0);
      return r.body[0]!;
    };

    const users = new Map<string, Promise<Credentials>>([['administrator', Promise.resolve({ username: 'admin', password: adminPassword })]]);
    const user = (role: string) => {
      let u = users.get(role);
      if (!u) {
        u = (async () => {
          const password = randomBytes(12).toString('base64url');
          let partyId: string | undefined;
          const partyName = CONFINED_PARTY[role];
          if (partyName) {
            const r = await call<{ id: string }[]>('GET', `/tmf-api/party/v4/${role === 'customer' ? 'individual' : 'organization'}?${role === 'customer' ? 'givenName=Jane' : `tradingName=${encodeURIComponent(partyName)}`}`);
            partyId = r.body[0]?.id;
            if (!partyId) throw new Error(`no demo party ${partyName}`);
          }
          const username = `${role.toLowerCase()}-user`;
          const r = await call('POST', '/ops/security/users', { username, password, displayName: `${role} (test)`, roles: [role], ...(partyId ? { partyId } : {}) });
          if (r.status !== 201) throw new Error(`creating a ${role} user: ${r.status} ${JSON.stringify(r.body)}`);
          return { username, password };
        })();
        users.set(role, u);
      }
      return u;
    };

    const newPage = async (viewport: ViewportName = 'desktop', options: { enforceCsp?: boolean } = {}) => {
      // axe is injected as a script: the console's CSP (its own scripts only) is bypassed for that
      const ctx = await b.newContext({ viewport: VIEWPORTS[viewport], bypassCSP: !options.enforceCsp, locale: 'en-GB', timezoneId: 'Europe/Berlin' });
      contexts.add(ctx);
      ctx.setDefaultTimeout(15_000);
      const page = await ctx.newPage();
      // a failing test leaves a picture of what the browser showed
      onTestFailed(async ({ task }) => {
        const file = path.join(os.tmpdir(), `operon-console-failure-${task.name.replace(/[^a-z0-9]+/gi, '-').slice(0, 60)}-${Date.now()}.png`);
        await page.screenshot({ path: file, fullPage: true }).catch(() => {});
        console.error(`[console e2e] ${task.name}: the page was at ${page.url()}; screenshot ${file}`);
      });
      return page;
    };

    const signIn = async (page: Page, role: string, at = '/') => {
      const c = await user(role);
      await page.goto(url + at);
      await page.getByLabel('Username').fill(c.username);
      await page.getByLabel('Password').fill(c.password);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('button', { name: 'Sign out' }).or(page.getByRole('button', { name: 'Menu' })).first().waitFor();
    };

    const checkA11y = async (page: Page) => {
      if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ path: AXE_SCRIPT });
      const violations = await page.evaluate(async () => {
        const w = window as unknown as { axe: { run(ctx: Document, opts: object): Promise<{ violations: AxeViolation[] }> } };
        const r = await w.axe.run(document, { resultTypes: ['violations'], runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] } });
        return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => ({ target: n.target, ...(n.failureSummary ? { failureSummary: n.failureSummary } : {}) })) }));
      });
      const bad = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
      if (bad.length) {
        const lines = bad.map((v) => `${v.impact} ${v.id}: ${v.help}\n${v.nodes.slice(0, 5).map((n) => `    ${n.target.join(' ')}: ${n.failureSummary ?? ''}`).join('\n')}`);
        throw new Error(`axe-core found ${bad.length} serious or critical violation(s) on ${page.url()}:\n${lines.join('\n')}`);
      }
      return violations;
    };

    const screenshots = async (page: Page, name: string) => {
      fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
      const original = page.viewportSize();
      for (const [kind, size] of Object.entries(VIEWPORTS)) {
        await page.setViewportSize(size);
        // let layout and charts settle at the new size
        await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
        await page.waitForTimeout(150);
        await page.screenshot({ path: path.join(SCREENSHOT_DIR, `${name}-${kind}.png`) });
      }
      if (original) await page.setViewportSize(original);
    };

    return {
      url, op, browser: b, adminKey, newPage, user, signIn, call, first, checkA11y, screenshots,
      async close() {
        for (const c of contexts) await c.close().catch(() => {});
        await b.close().catch(() => {});
        await op.close();
        fs.rmSync(dataDir, { recursive: true, force: true });
      },
    };
  } catch (e) {
    await browser?.close().catch(() => {});
    await op.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
    throw e;
  }
}

/** Milliseconds from navigation start until `ready` is visible, read from the page's own clock. */
export async function timeToUsable(page: Page, url: string, ready: (p: Page) => Promise<void>): Promise<number> {
  await page.goto(url);
  await ready(page);
  return page.evaluate(() => performance.now());
}
