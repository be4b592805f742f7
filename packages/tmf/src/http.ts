import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { OperonError, type RequestContext } from '@operon/kernel';

/** What a route does, for the server's permission table: an area (an API's name) and an action. */
export type AccessAction = 'read' | 'create' | 'update' | 'delete' | 'subscribe' | 'operate';
export type RouteAccess = { area: string; action: AccessAction } | 'public';

declare module 'fastify' {
  interface FastifyRequest {
    /** Who is calling and how clients reach us; set for every request by the kit. */
    ctx: RequestContext;
  }
  interface FastifyContextConfig {
    /** Every route says what it does; the server refuses to start with a route that does not. */
    access?: RouteAccess;
  }
}

export const MERGE_PATCH = 'application/merge-patch+json';
export const JSON_PATCH = 'application/json-patch+json';

export interface TmfHttpOptions {
  /** Public base URL (scheme://host[:port]) used in hrefs; from the Host header when unset. */
  publicUrl?: string;
  /** Deepest nesting accepted in a JSON body (default 32). */
  maxJsonDepth?: number;
  log?: (msg: string, detail: Record<string, unknown>) => void;
}

export interface TmfErrorBody {
  '@type': 'Error';
  code: string;
  reason: string;
  message: string;
  status: string;
}

export function errorBody(status: number, code: string, reason: string, message: string): TmfErrorBody {
  return { '@type': 'Error', code, reason, message, status: String(status) };
}

/** Maps any error to a status and a TMF630 Error body; never leaks stack traces or SQL. */
export function toErrorResponse(err: unknown): { status: number; body: TmfErrorBody; headers?: Record<string, string> } {
  if (err instanceof OperonError) {
    const message = err.field && !err.message.includes(err.field) ? `${err.field}: ${err.message}` : err.message;
    return { status: err.status, body: errorBody(err.status, err.code, err.reason, message), ...(err.headers ? { headers: err.headers } : {}) };
  }
  const fe = err as FastifyError & { validation?: { instancePath: string; message?: string; params?: Record<string, unknown> }[] };
  if (fe && fe.validation && fe.validation.length) {
    const v = fe.validation[0]!;
    const where = (v.instancePath || '').replace(/^\//, '').replace(/\//g, '.') || String(v.params?.['missingProperty'] ?? 'body');
    return { status: 400, body: errorBody(400, '400', 'Bad Request', `${fe.validationContext ?? 'request'}.${where}: ${v.message ?? 'is invalid'}`) };
  }
  const code = fe?.code;
  // PostgreSQL: an indexed value beyond what a btree entry holds (~2.7 kB) is the caller's oversized input, wherever it is indexed
  if (code === '54000' && /index row/.test(fe.message ?? '')) {
    return { status: 400, body: errorBody(400, '400', 'Bad Request', 'a value is too long to be stored in a searchable attribute (at most about 2,000 characters)') };
  }
  if (code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' || code === 'FST_ERR_CTP_INVALID_CONTENT_LENGTH' && fe.statusCode === 415) {
    return { status: 415, body: errorBody(415, '415', 'Unsupported Media Type', fe.message) };
  }
  if (code === 'FST_ERR_CTP_BODY_TOO_LARGE') return { status: 413, body: errorBody(413, '413', 'Payload Too Large', 'request body is too large') };
  if (code === 'FST_ERR_CTP_EMPTY_JSON_BODY') return { status: 400, body: errorBody(400, '400', 'Bad Request', 'the request body is empty') };
  if (code === 'FST_ERR_CTP_INVALID_JSON_BODY' || (err instanceof SyntaxError && fe.statusCode === 400)) {
    return { status: 400, body: errorBody(400, '400', 'Bad Request', `the request body is not valid JSON: ${fe.message}`) };
  }
  const status = typeof fe?.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500 ? fe.statusCode : 500;
  if (status < 500) return { status, body: errorBody(status, String(status), STATUS_CODES[status] ?? 'Bad Request', fe.message) };
  return { status: 500, body: errorBody(500, '500', 'Internal Server Error', 'the server could not complete the request; it has been logged') };
}

/**
 * Errors Fastify raises before a route runs get the TMF Error body too: a URL
 * that cannot be decoded or a path parameter too long (`frameworkErrors`), and
 * a request that is not readable HTTP, e.g. headers beyond the size limit
 * (`clientErrorHandler`, answered on the socket, which is then closed).
 */
export const tmfServerOptions = {
  frameworkErrors(error: FastifyError, _req: FastifyRequest, reply: FastifyReply): void {
    void sendError(reply, error);
  },
  clientErrorHandler(err: Error & { code?: string }, socket: Socket): void {
    // a reset connection has no one left to answer
    if (err.code === 'ECONNRESET' || socket.destroyed) return;
    const status = err.code === 'HPE_HEADER_OVERFLOW' ? 431 : err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
    const message = status === 431 ? 'the request line and headers are too large' : status === 408 ? 'the request took too long to arrive' : 'the request is not valid HTTP';
    const body = JSON.stringify(errorBody(status, String(status), STATUS_CODES[status]!, message));
    if (socket.writable) {
      socket.write(
        `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
          `X-Content-Type-Options: nosniff\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n${body}`,
      );
    }
    socket.destroy();
  },
};

/** Lone surrogates cannot be written as UTF-8, nor NUL into PostgreSQL text. */
const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/**
 * Text no database column can hold, in a value or a key anywhere in `value`:
 * what it is, or undefined. Iterative, so that a hostile body cannot exhaust the stack.
 */
export function unstorableText(value: unknown): string | undefined {
  const stack: unknown[] = [value];
  while (stack.length) {
    const node = stack.pop();
    const texts = typeof node === 'string' ? [node] : node !== null && typeof node === 'object' && !Array.isArray(node) ? Object.keys(node) : [];
    for (const t of texts) {
      const m = UNSTORABLE.exec(t);
      if (m) return m[0] === '\u0000' ? 'a NUL character' : 'an unpaired UTF-16 surrogate';
    }
    // pushed one by one: spreading a list of a million items would overflow the call stack
    if (node !== null && typeof node === 'object') for (const child of Array.isArray(node) ? node : Object.values(node)) stack.push(child);
  }
  return undefined;
}

/** Iterative, so that a hostile body cannot exhaust the stack while being measured. */
export function depthExceeds(value: unknown, max: number): boolean {
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length) {
    const [node, depth] = stack.pop()!;
    if (node === null || typeof node !== 'object') continue;
    if (depth > max) return true;
    for (const child of Array.isArray(node) ? node : Object.values(node)) stack.push([child, depth + 1]);
  }
  return false;
}

/** Whether a number in the parsed body is Infinity (or NaN), iteratively like depthExceeds. */
export function holdsNonFinite(value: unknown): boolean {
  const stack: unknown[] = [value];
  while (stack.length) {
    const node = stack.pop();
    if (typeof node === 'number' && !Number.isFinite(node)) return true;
    if (node !== null && typeof node === 'object') for (const child of Array.isArray(node) ? node : Object.values(node)) stack.push(child);
  }
  return false;
}

function baseUrlOf(req: FastifyRequest, publicUrl: string | undefined): string {
  if (publicUrl) return publicUrl.replace(/\/+$/, '');
  return `${req.protocol}://${req.host}`;
}

/**
 * Installs what every TMF route relies on: the request context, the PATCH
 * media types, JSON serialisation without schema stripping, the TMF Error body
 * for every failure including unknown routes.
 */
export function installTmfHttp(app: FastifyInstance, options: TmfHttpOptions = {}): void {
  app.decorateRequest('ctx', null as unknown as RequestContext);
  app.addHook('onRequest', async (req) => {
    const cid = req.headers['x-correlation-id'] ?? req.headers['x-request-id'];
    req.ctx = { baseUrl: baseUrlOf(req, options.publicUrl), correlationId: typeof cid === 'string' && cid.length <= 200 ? cid : req.id };
  });
  // clients (the TM Forum conformance kits among them) send a JSON content type on bodiless GETs
  // and DELETEs; without a body there is nothing to parse, so the header is dropped
  app.addHook('onRequest', async (req) => {
    if (req.method !== 'DELETE' && req.method !== 'GET') return;
    const length = req.headers['content-length'];
    if (req.headers['transfer-encoding'] === undefined && (length === undefined || length === '0')) delete req.headers['content-type'];
  });
  const json = app.getDefaultJsonParser('error', 'error');
  const maxDepth = options.maxJsonDepth ?? 32;
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser(['application/json', MERGE_PATCH, JSON_PATCH], { parseAs: 'string' }, (req, body, done) => {
    json(req, typeof body === 'string' ? body : body.toString('utf8'), (err, value) => {
      if (err) return done(err);
      if (depthExceeds(value, maxDepth)) return done(new OperonError('badRequest', `the JSON body is nested deeper than ${maxDepth} levels`));
      // JSON reads 1e999 as Infinity, which no schema's number refuses and which would be stored as null
      if (holdsNonFinite(value)) return done(new OperonError('badRequest', 'the JSON body holds a number too large to represent'));
      done(null, value);
    });
  });
  // text PostgreSQL cannot hold can be neither an id, a filter value nor an attribute: refused here
  // once for every route (after authentication, so that 401 comes first)
  app.addHook('preValidation', async (req) => {
    for (const [where, value] of [['path', req.params], ['query string', req.query], ['body', req.body]] as const) {
      const bad = unstorableText(value);
      if (bad) throw new OperonError('badRequest', `the ${where} holds ${bad}, which is not accepted`);
    }
  });
  // response schemas document the API; bodies are serialised as they are, never stripped
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));
  app.setErrorHandler((err, req, reply) => {
    const r = toErrorResponse(err);
    if (r.status >= 500) options.log?.('request failed', { method: req.method, url: req.url, error: err instanceof Error ? err.stack ?? err.message : String(err) });
    if (r.headers) reply.headers(r.headers);
    void reply.code(r.status).type('application/json').send(r.body);
  });
  app.setNotFoundHandler((req, reply) => {
    void reply.code(404).type('application/json').send(errorBody(404, '404', 'Not Found', `no route for ${req.method} ${req.url.split('?')[0]}`));
  });
}

export function sendError(reply: FastifyReply, err: unknown) {
  const r = toErrorResponse(err);
  return reply.code(r.status).type('application/json').send(r.body);
}
