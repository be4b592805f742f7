/**
 * Serves the web console (the Vite build of @operon/console) at `/`: its
 * files, and index.html for any other page a browser asks for (the console
 * routes in the browser). Paths the API owns are never answered with the page.
 * Hashed assets are cached for good, the page is revalidated; JavaScript, CSS
 * and other text go out compressed (a precompressed `.br`/`.gz` beside the file
 * when the build made one). The routes are public: the sign-in page loads
 * without a credential, and holds no data.
 */
import { createReadStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { CONSOLE_CSP } from './security/headers.ts';

/** The console package's build output, found from this file wherever the process was started. */
export const DEFAULT_CONSOLE_DIR = fileURLToPath(new URL('../../console/dist', import.meta.url));

/** First path segments that belong to the API even before a route of theirs is registered. */
const API_PREFIXES = ['tmf-api', 'ops', 'auth', 'etom', 'docs', 'health', 'hub'];

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.webmanifest': 'application/manifest+json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.avif': 'image/avif',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.otf': 'font/otf',
  '.txt': 'text/plain; charset=utf-8',
  '.wasm': 'application/wasm',
};
const COMPRESSIBLE = new Set(['.html', '.js', '.mjs', '.css', '.json', '.map', '.webmanifest', '.svg', '.txt', '.ttf', '.otf', '.wasm']);
const IMMUTABLE = 'public, max-age=31536000, immutable';
/** Smaller files gain nothing from compression. */
const MIN_COMPRESS = 1024;
/** Larger files are streamed as they are, never held in memory. */
const MAX_CACHED_FILE = 8 * 1024 * 1024;
const CACHE_BYTES = 64 * 1024 * 1024;

const brotli = promisify(zlib.brotliCompress);
const gzip = promisify(zlib.gzip);

type Encoding = 'br' | 'gzip' | 'identity';

export interface ConsoleOptions {
  /** The built console: index.html and assets/. */
  dir: string;
}

/** Which encoding the client takes, best first (a q=0 refuses one). */
function accepted(header: string | undefined): Encoding[] {
  const offered = new Map<string, number>();
  for (const part of (header ?? '').split(',')) {
    const [name, ...params] = part.trim().toLowerCase().split(';');
    if (!name) continue;
    const q = params.map((p) => /^\s*q=([\d.]+)\s*$/.exec(p)).find(Boolean);
    offered.set(name, q ? Number(q[1]) : 1);
  }
  const ok = (e: string) => (offered.get(e) ?? offered.get('*') ?? 0) > 0;
  return [...(ok('br') ? ['br' as const] : []), ...(ok('gzip') ? ['gzip' as const] : []), 'identity'];
}

/** Compressed and small files, by path, modification and encoding; evicted oldest first. */
class ByteCache {
  private readonly map = new Map<string, Buffer>();
  private bytes = 0;

  get(key: string): Buffer | undefined {
    const v = this.map.get(key);
    if (v) {
      this.map.delete(key);
      this.map.set(key, v);
    }
    return v;
  }

  set(key: string, value: Buffer): void {
    if (value.length > CACHE_BYTES / 4) return;
    this.map.set(key, value);
    this.bytes += value.length;
    for (const [k, v] of this.map) {
      if (this.bytes <= CACHE_BYTES) break;
      this.map.delete(k);
      this.bytes -= v.length;
    }
  }
}

const notBuilt = (dir: string) => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Operon</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 3rem auto; line-height: 1.5">
<h1>Operon is running</h1>
<p>The web console is not built, so there is nothing to show here yet. Build it with</p>
<pre>npm run build -w @operon/console</pre>
<p>then reload this page (Operon serves it from <code>${dir.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`)}</code>,
or from the folder <code>OPERON_CONSOLE_DIR</code> names).</p>
<p>The APIs are served meanwhile: see <a href="/docs">/docs</a>.</p>
</body></html>
`;

/**
 * Registers `GET /` and `GET /*` (after the guard, so that they are declared
 * public like /health and /docs). Call it before the API routes are added: it
 * learns their first path segments as they are registered.
 */
export function consoleRoutes(app: FastifyInstance, options: ConsoleOptions): void {
  const root = path.resolve(options.dir);
  const apiPrefixes = new Set(API_PREFIXES);
  const cache = new ByteCache();

  app.addHook('onRoute', (route) => {
    if (route.url === '/' || route.url === '/*') return;
    const first = route.url.split('/')[1];
    if (first && !first.startsWith(':') && !first.startsWith('*')) apiPrefixes.add(first);
  });

  /** The file a URL path names inside the console folder, or undefined when it cannot be one. */
  function fileOf(urlPath: string): string | undefined {
    let decoded: string;
    try {
      decoded = decodeURIComponent(urlPath);
    } catch {
      return undefined;
    }
    if (decoded.includes('\0') || decoded.includes('\\')) return undefined;
    const segments = decoded.split('/').filter(Boolean);
    // no way out of the folder, and nothing hidden (.git, .env) inside it
    if (segments.some((s) => s === '..' || s.startsWith('.'))) return undefined;
    const file = path.join(root, ...segments);
    return file.startsWith(root + path.sep) ? file : undefined;
  }

  async function statFile(file: string): Promise<{ size: number; mtimeMs: number } | undefined> {
    try {
      const s = await fs.stat(file);
      return s.isFile() ? { size: s.size, mtimeMs: s.mtimeMs } : undefined;
    } catch {
      return undefined;
    }
  }

  async function body(file: string, ext: string, size: number, mtimeMs: number, encoding: Encoding): Promise<Buffer | undefined> {
    const key = `${file}\u0000${mtimeMs}\u0000${size}\u0000${encoding}`;
    const hit = cache.get(key);
    if (hit) return hit;
    let out: Buffer | undefined;
    if (encoding === 'identity') {
      out = await fs.readFile(file);
    } else {
      // a precompressed file from the build is preferred to compressing here
      const pre = `${file}.${encoding === 'br' ? 'br' : 'gz'}`;
      const preStat = await statFile(pre);
      if (preStat && preStat.mtimeMs >= mtimeMs) out = await fs.readFile(pre);
      else if (COMPRESSIBLE.has(ext) && size >= MIN_COMPRESS) {
        const raw = await fs.readFile(file);
        out = encoding === 'br'
          ? await brotli(raw, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 9, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: raw.length } })
          : await gzip(raw, { level: 9 });
      }
    }
    if (out) cache.set(key, out);
    return out;
  }

  async function sendFile(req: FastifyRequest, reply: FastifyReply, file: string, stat: { size: number; mtimeMs: number }, cacheControl: string): Promise<FastifyReply> {
    const ext = path.extname(file).toLowerCase();
    const etag = `W/"${stat.size.toString(16)}-${Math.floor(stat.mtimeMs).toString(16)}"`;
    reply
      .header('Content-Type', TYPES[ext] ?? 'application/octet-stream')
      .header('Cache-Control', cacheControl)
      .header('ETag', etag)
      .header('Last-Modified', new Date(stat.mtimeMs).toUTCString());
    if (COMPRESSIBLE.has(ext)) reply.header('Vary', 'Accept-Encoding');
    if (ext === '.html') reply.header('Content-Security-Policy', CONSOLE_CSP);
    const inm = req.headers['if-none-match'];
    if (typeof inm === 'string' && inm.split(',').some((t) => t.trim() === etag || t.trim() === '*')) return reply.code(304).send();
    if (stat.size > MAX_CACHED_FILE) return reply.header('Content-Length', String(stat.size)).send(createReadStream(file));
    for (const encoding of accepted(typeof req.headers['accept-encoding'] === 'string' ? req.headers['accept-encoding'] : undefined)) {
      const data = await body(file, ext, stat.size, stat.mtimeMs, encoding);
      if (!data) continue;
      if (encoding !== 'identity') reply.header('Content-Encoding', encoding);
      return reply.send(data);
    }
    return reply.send(await fs.readFile(file));
  }

  /** The not-found answer every unknown path gets (the TMF Error body). */
  const notFound = (reply: FastifyReply) => {
    reply.callNotFound();
    return reply;
  };
  const wantsPage = (req: FastifyRequest) => /\btext\/html\b/i.test(String(req.headers.accept ?? ''));

  async function page(req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
    const index = path.join(root, 'index.html');
    const stat = await statFile(index);
    if (!stat) {
      return reply.code(200).header('Content-Type', 'text/html; charset=utf-8').header('Cache-Control', 'no-cache')
        .header('Content-Security-Policy', CONSOLE_CSP).send(notBuilt(root));
    }
    return sendFile(req, reply, index, stat, 'no-cache');
  }

  const schema = { hide: true };
  app.get('/', { config: { access: 'public' }, schema }, page);
  app.get('/*', { config: { access: 'public' }, schema }, async (req, reply) => {
    const urlPath = req.url.split('?')[0]!;
    const first = urlPath.split('/')[1] ?? '';
    // the API's paths answer as the API does, whatever the client accepts
    if (apiPrefixes.has(first)) return notFound(reply);
    const file = fileOf(urlPath);
    const stat = file ? await statFile(file) : undefined;
    if (file && stat) {
      const hashed = urlPath.startsWith('/assets/');
      return sendFile(req, reply, file, stat, hashed ? IMMUTABLE : 'no-cache');
    }
    // a missing asset is a 404, never the page (a script that receives HTML fails obscurely)
    if (urlPath.startsWith('/assets/') || !wantsPage(req)) return notFound(reply);
    return page(req, reply);
  });
}
