import type { FastifyInstance } from 'fastify';

/**
 * The web console's policy: its own scripts only (no inline script, no eval), inline styles
 * (chart libraries set them), calls to this origin only, images from itself or generated.
 */
export const CONSOLE_CSP = [
  "default-src 'self'", "script-src 'self'", "style-src 'self' 'unsafe-inline'", "connect-src 'self'", "img-src 'self' data: blob:",
  "font-src 'self' data:", "worker-src 'self' blob:", "object-src 'none'", "frame-ancestors 'none'", "base-uri 'self'", "form-action 'self'",
].join('; ');

/**
 * Response headers every answer carries (no sniffing, no framing, no referrer,
 * no caching of API data), and CORS for the origins the operator allows.
 */
export function installHeaders(app: FastifyInstance, corsOrigins: readonly string[]): void {
  const anyOrigin = corsOrigins.includes('*');
  app.addHook('onRequest', async (req, reply) => {
    const origin = req.headers.origin;
    if (origin && (anyOrigin || corsOrigins.includes(origin))) {
      reply.header('Access-Control-Allow-Origin', anyOrigin ? '*' : origin);
      reply.header('Vary', 'Origin');
      reply.header('Access-Control-Expose-Headers', 'ETag, Location, X-Total-Count, X-Result-Count, Retry-After, Idempotent-Replayed');
      if (req.method === 'OPTIONS' && req.headers['access-control-request-method']) {
        reply.header('Access-Control-Allow-Methods', 'GET, POST, PATCH, PUT, DELETE, OPTIONS');
        reply.header('Access-Control-Allow-Headers', 'Authorization, Content-Type, If-Match, Idempotency-Key, X-API-Key, X-Correlation-Id');
        reply.header('Access-Control-Max-Age', '600');
        return reply.code(204).send();
      }
    }
  });
  app.addHook('onSend', async (req, reply, payload) => {
    reply.header('X-Content-Type-Options', 'nosniff');
    reply.header('X-Frame-Options', 'DENY');
    reply.header('Referrer-Policy', 'no-referrer');
    reply.header('Cross-Origin-Opener-Policy', 'same-origin');
    if (!reply.hasHeader('Cache-Control')) reply.header('Cache-Control', req.url.startsWith('/tmf-api/') || req.url.startsWith('/ops/') || req.url.startsWith('/auth/') ? 'no-store' : 'no-cache');
    if (!reply.hasHeader('Content-Security-Policy')) {
      // the API docs page needs inline styles and scripts of its own bundle; the API itself serves no HTML
      reply.header('Content-Security-Policy', "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self' 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'");
    }
    return payload;
  });
}
