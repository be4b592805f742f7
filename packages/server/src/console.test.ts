/**
 * The console's files as a browser gets them, from a build folder made here:
 * public pages under authentication, the page for any console path and never
 * for an API path, cache and compression of hashed assets, nothing outside
 * the folder, and a helpful page when the console is not built.
 */
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { productOrderComponent } from '@operon/product-order';
import { loadConfig } from './config.ts';
import { DEFAULT_CONSOLE_DIR } from './console.ts';
import { CONSOLE_CSP } from './security/headers.ts';
import { startTestOperon, type TestOperon } from './testing.ts';

let op: TestOperon;
let tmp: string;
let dist: string;
const INDEX = '<!doctype html><html><head><script type="module" src="/assets/app-3f9a1c.js"></script></head><body><div id="root"></div></body></html>';
// large enough to be worth compressing
const APP_JS = `export const routes = ${JSON.stringify(Array.from({ length: 400 }, (_, i) => ({ path: `/page/${i}`, title: `Page ${i}` })))};\n`;

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  /** The body as sent, still encoded. */
  raw: Buffer;
  /** The body decoded. */
  text: string;
}

/** A plain request, so that the test sees the encoding the server chose. */
function get(url: string, headers: Record<string, string> = {}, method = 'GET'): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request(op.url + url, { method, agent: false, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const raw = Buffer.concat(chunks);
        const enc = res.headers['content-encoding'];
        const decoded = enc === 'br' ? zlib.brotliDecompressSync(raw) : enc === 'gzip' ? zlib.gunzipSync(raw) : raw;
        resolve({ status: res.statusCode ?? 0, headers: res.headers, raw, text: decoded.toString('utf8') });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

const html = { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' };

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'operon-console-'));
  dist = path.join(tmp, 'dist');
  fs.mkdirSync(path.join(dist, 'assets'), { recursive: true });
  fs.writeFileSync(path.join(dist, 'index.html'), INDEX);
  fs.writeFileSync(path.join(dist, 'assets', 'app-3f9a1c.js'), APP_JS);
  fs.writeFileSync(path.join(dist, 'assets', 'app-77b2e0.css'), 'body{margin:0}');
  // a build that precompresses: the .gz beside the file is what goes out
  fs.writeFileSync(path.join(dist, 'assets', 'chart-0c1d2e.js'), `/* plain */${'x'.repeat(4000)}`);
  fs.writeFileSync(path.join(dist, 'assets', 'chart-0c1d2e.js.gz'), zlib.gzipSync(`/* precompressed */${'x'.repeat(4000)}`));
  fs.writeFileSync(path.join(dist, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
  fs.writeFileSync(path.join(dist, '.env'), 'SECRET=hidden-in-dist');
  fs.writeFileSync(path.join(tmp, 'outside.txt'), 'SECRET=outside-the-folder');
  op = await startTestOperon({ components: [productOrderComponent], flows: [], config: { auth: true, dataDir: tmp, consoleDir: dist } });
});

afterAll(async () => {
  await op?.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe('the web console', () => {
  it('loads without a credential while the API still asks for one', async () => {
    const page = await get('/', html);
    expect(page.status).toBe(200);
    expect(page.text).toBe(INDEX);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.headers['cache-control']).toBe('no-cache');
    expect(page.headers['x-frame-options']).toBe('DENY');
    expect(op.routes.filter((r) => r.url === '/' || r.url === '/*').map((r) => r.access)).toEqual(['public', 'public', 'public', 'public']);
    const api = await get('/tmf-api/productOrderingManagement/v4/productOrder', html);
    expect(api.status).toBe(401);
    expect(JSON.parse(api.text)).toMatchObject({ '@type': 'Error', status: '401' });
  });

  it('sends the page with the console\'s policy and keeps the API\'s own on the API', async () => {
    const page = await get('/', html);
    const csp = String(page.headers['content-security-policy']);
    expect(csp).toBe(CONSOLE_CSP);
    for (const d of ["script-src 'self'", "style-src 'self' 'unsafe-inline'", "connect-src 'self'", "img-src 'self' data: blob:", "frame-ancestors 'none'"]) expect(csp).toContain(d);
    expect(csp).not.toMatch(/script-src[^;]*unsafe-(inline|eval)/);
    const api = await get('/health/live');
    expect(api.headers['content-security-policy']).not.toBe(CONSOLE_CSP);
    expect(api.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(api.headers['cache-control']).toBe('no-cache');
    const ops = await get('/ops/kpi/nothing-here');
    expect(ops.headers['cache-control']).toBe('no-store');
  });

  it('answers any console path a browser asks for with the page, and never an API path', async () => {
    for (const url of ['/orders', '/orders/01a2045e-d3de-7219', '/customers/42/accounts?tab=bills', '/settings/']) {
      const r = await get(url, html);
      expect(r.status, url).toBe(200);
      expect(r.text, url).toBe(INDEX);
    }
    // the API's paths answer as the API does, whatever the client accepts
    for (const url of ['/tmf-api/nope', '/tmf-api/productOrderingManagement/v4/noSuchResource', '/ops/nothing', '/auth/nothing', '/etom/nothing', '/health/nothing', '/docs/nothing-here', '/hub']) {
      const r = await get(url, html);
      expect(r.status, url).toBe(404);
      expect(r.headers['content-type'], url).toMatch(/^application\/json/);
      expect(JSON.parse(r.text), url).toMatchObject({ '@type': 'Error', status: '404' });
    }
    // a client that does not want a page gets the not-found answer
    const json = await get('/orders/1', { accept: 'application/json' });
    expect(json.status).toBe(404);
    expect(JSON.parse(json.text)).toMatchObject({ '@type': 'Error' });
    // the API documentation is still the API's
    const docs = await get('/docs/json');
    expect(docs.status).toBe(200);
    expect(JSON.parse(docs.text)).toHaveProperty('openapi');
  });

  it('caches hashed assets for good, revalidates the rest, and answers 304 to a known version', async () => {
    const js = await get('/assets/app-3f9a1c.js');
    expect(js.status).toBe(200);
    expect(js.text).toBe(APP_JS);
    expect(js.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(js.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    const css = await get('/assets/app-77b2e0.css');
    expect(css.headers['content-type']).toBe('text/css; charset=utf-8');
    expect(css.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    const icon = await get('/favicon.svg');
    expect(icon.headers['content-type']).toBe('image/svg+xml');
    expect(icon.headers['cache-control']).toBe('no-cache');

    const etag = String(js.headers['etag']);
    expect(etag).toMatch(/^W\/"/);
    const again = await get('/assets/app-3f9a1c.js', { 'if-none-match': etag });
    expect(again.status).toBe(304);
    expect(again.raw.length).toBe(0);
    const page = await get('/', { ...html, 'if-none-match': String((await get('/', html)).headers['etag']) });
    expect(page.status).toBe(304);

    // a missing asset is not found, never the page a script cannot run
    const missing = await get('/assets/app-000000.js', html);
    expect(missing.status).toBe(404);
  });

  it('compresses scripts and styles as the client accepts (brotli, gzip), a precompressed file first', async () => {
    const br = await get('/assets/app-3f9a1c.js', { 'accept-encoding': 'gzip, deflate, br' });
    expect(br.headers['content-encoding']).toBe('br');
    expect(br.headers['vary']).toMatch(/Accept-Encoding/i);
    expect(br.text).toBe(APP_JS);
    expect(br.raw.length).toBeLessThan(APP_JS.length / 4);
    const gz = await get('/assets/app-3f9a1c.js', { 'accept-encoding': 'gzip' });
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gz.text).toBe(APP_JS);
    const refused = await get('/assets/app-3f9a1c.js', { 'accept-encoding': 'br;q=0, gzip;q=0' });
    expect(refused.headers['content-encoding']).toBeUndefined();
    expect(refused.text).toBe(APP_JS);
    // too small to gain anything
    expect((await get('/assets/app-77b2e0.css', { 'accept-encoding': 'br, gzip' })).headers['content-encoding']).toBeUndefined();

    const pre = await get('/assets/chart-0c1d2e.js', { 'accept-encoding': 'gzip' });
    expect(pre.headers['content-encoding']).toBe('gzip');
    expect(pre.text.startsWith('/* precompressed */')).toBe(true);
    // brotli is not precompressed: made here from the file itself
    const made = await get('/assets/chart-0c1d2e.js', { 'accept-encoding': 'br' });
    expect(made.headers['content-encoding']).toBe('br');
    expect(made.text.startsWith('/* plain */')).toBe(true);
  });

  it('serves nothing outside the folder, and nothing hidden in it', async () => {
    for (const url of ['/..%2foutside.txt', '/assets/..%2f..%2foutside.txt', '/%2e%2e/outside.txt', '/assets/%2e%2e/%2e%2e/outside.txt', '/.env', '/assets/..%5c..%5coutside.txt', '/%00']) {
      for (const headers of [{}, html]) {
        const r = await get(url, headers);
        expect(r.text, url).not.toContain('SECRET');
        expect([200, 400, 404], url).toContain(r.status);
        if (r.status === 200) expect(r.text, url).toBe(INDEX);
      }
    }
  });

  it('answers HEAD like GET, without the body', async () => {
    const r = await get('/assets/app-3f9a1c.js', {}, 'HEAD');
    expect(r.status).toBe(200);
    expect(r.raw.length).toBe(0);
    expect(r.headers['cache-control']).toBe('public, max-age=31536000, immutable');
  });

  it('says how to build the console when it is not built, instead of failing', async () => {
    fs.renameSync(path.join(dist, 'index.html'), path.join(dist, 'index.html.away'));
    try {
      for (const url of ['/', '/orders/1']) {
        const r = await get(url, html);
        expect(r.status, url).toBe(200);
        expect(r.headers['content-type']).toBe('text/html; charset=utf-8');
        expect(r.text).toContain('npm run build -w @operon/console');
        expect(r.text).toContain('not built');
      }
    } finally {
      fs.renameSync(path.join(dist, 'index.html.away'), path.join(dist, 'index.html'));
    }
    expect((await get('/', html)).text).toBe(INDEX);
  });

  it('finds the console package\'s build from the server package by default, or the folder OPERON_CONSOLE_DIR names', () => {
    expect(path.isAbsolute(DEFAULT_CONSOLE_DIR)).toBe(true);
    expect(DEFAULT_CONSOLE_DIR.endsWith(path.join('packages', 'console', 'dist'))).toBe(true);
    expect(fs.existsSync(path.join(path.dirname(DEFAULT_CONSOLE_DIR), 'package.json'))).toBe(true);
    expect(loadConfig({}).consoleDir).toBeUndefined();
    expect(loadConfig({ OPERON_CONSOLE_DIR: 'some/build' }).consoleDir).toBe(path.resolve('some/build'));
  });
});
