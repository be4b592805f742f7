import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { OperonError, badRequest } from '@operon/kernel';
import type { Database } from '@operon/store';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set when this request holds an Idempotency-Key and its answer must be kept. */
    idempotency?: { principal: string; key: string };
  }
}

/** A key left "in progress" this long belongs to a request that died with its node. */
const STALE_MS = 5 * 60_000;
const KEPT_HEADERS = ['content-type', 'location', 'etag'];

/**
 * `Idempotency-Key` on POST: the first answer is kept and replayed for a repeat
 * with the same body; the same key with another request is refused (422); a
 * repeat while the first is still running waits its turn (409). Answers of 5xx
 * are not kept, so a failed request can be retried with its key.
 */
export function installIdempotency(app: FastifyInstance, db: Database, ttlSeconds: number): void {
  app.addHook('preHandler', async (req, reply) => {
    if (req.method !== 'POST') return;
    const raw = req.headers['idempotency-key'];
    if (raw === undefined) return;
    const key = Array.isArray(raw) ? raw[0] : raw;
    if (typeof key !== 'string' || key.length === 0 || key.length > 255 || !/^[\x21-\x7e]+$/.test(key)) {
      throw badRequest('Idempotency-Key must be 1 to 255 visible ASCII characters', 'Idempotency-Key');
    }
    const principal = req.ctx.principal?.id ?? `ip:${req.ip}`;
    const path = req.url.split('?')[0]!;
    const hash = createHash('sha256').update(`${req.method} ${path}\n${JSON.stringify(req.body ?? null)}`).digest('hex');
    await db.query(
      `DELETE FROM operon_idempotency WHERE principal_id = $1 AND key = $2
         AND (expires_at < now() OR (status_code IS NULL AND created_at < $3))`,
      [principal, key, new Date(Date.now() - STALE_MS)],
    );
    const mine = await db.query(
      `INSERT INTO operon_idempotency (principal_id, key, method, path, body_hash, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (principal_id, key) DO NOTHING RETURNING 1`,
      [principal, key, req.method, path, hash, new Date(Date.now() + ttlSeconds * 1000)],
    );
    if (mine.rowCount) {
      req.idempotency = { principal, key };
      return;
    }
    const first = (await db.query<{ body_hash: string; status_code: number | null; headers: Record<string, string> | null; body: string | null }>(
      'SELECT body_hash, status_code, headers, body FROM operon_idempotency WHERE principal_id = $1 AND key = $2',
      [principal, key],
    )).rows[0];
    if (!first) throw new OperonError('conflict', 'the request with this Idempotency-Key changed state; retry');
    if (first.body_hash !== hash) {
      throw new OperonError('unprocessable', 'this Idempotency-Key was used for a different request; use a new key for a new request', { field: 'Idempotency-Key' });
    }
    if (first.status_code === null) throw new OperonError('conflict', 'the first request with this Idempotency-Key is still being processed; retry shortly');
    reply.code(first.status_code).headers({ ...(first.headers ?? {}), 'Idempotent-Replayed': 'true' });
    return reply.send(first.body ?? '');
  });

  app.addHook('onSend', async (req: FastifyRequest, reply, payload) => {
    const idem = req.idempotency;
    if (!idem) return payload;
    req.idempotency = undefined;
    if (reply.statusCode >= 500) {
      await db.query('DELETE FROM operon_idempotency WHERE principal_id = $1 AND key = $2', [idem.principal, idem.key]);
      return payload;
    }
    const headers: Record<string, string> = {};
    for (const h of KEPT_HEADERS) {
      const v = reply.getHeader(h);
      if (v !== undefined) headers[h] = String(v);
    }
    await db.query(
      'UPDATE operon_idempotency SET status_code = $3, headers = $4, body = $5 WHERE principal_id = $1 AND key = $2',
      [idem.principal, idem.key, reply.statusCode, JSON.stringify(headers), typeof payload === 'string' ? payload : Buffer.isBuffer(payload) ? payload.toString('utf8') : ''],
    );
    return payload;
  });
}

/** Removes answers past their time; run now and then. */
export async function purgeIdempotency(db: Database): Promise<number> {
  return (await db.query('DELETE FROM operon_idempotency WHERE expires_at < now()')).rowCount ?? 0;
}
