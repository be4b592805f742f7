import { badRequest, newId, notFound } from '@operon/kernel';
import { OUTBOX_HEAD_SQL, parseHubQuery, type Database } from '@operon/store';

export interface EventSubscriptionDoc {
  id: string;
  callback: string;
  query?: string;
}

/**
 * TMF hub registrations, kept as consumers of the event relay: a listener
 * receives the events of its API from the moment it subscribed.
 */
export class HubService {
  constructor(private readonly db: Database) {}

  async subscribe(api: string, input: unknown): Promise<EventSubscriptionDoc> {
    if (typeof input !== 'object' || input === null || Array.isArray(input)) throw badRequest('the body must be a JSON object');
    const { callback, query, ...rest } = input as Record<string, unknown>;
    const extra = Object.keys(rest);
    if (extra.length) throw badRequest(`'${extra[0]}' is not an attribute of EventSubscriptionInput`, extra[0]);
    if (typeof callback !== 'string') throw badRequest('callback is required and must be a string', 'callback');
    let url: URL;
    try {
      url = new URL(callback);
    } catch {
      throw badRequest(`callback '${callback}' is not an absolute URL`, 'callback');
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw badRequest('callback must be an http or https URL', 'callback');
    if (query !== undefined && query !== null && typeof query !== 'string') throw badRequest('query must be a string', 'query');
    const q = typeof query === 'string' && query.trim() ? query.trim() : undefined;
    parseHubQuery(q);
    const id = newId();
    await this.db.tx(async (tx) => {
      await tx.query(
        `INSERT INTO event_consumer (id, kind, api, callback, query, position)
         VALUES ($1, 'hub', $2, $3, $4, ${OUTBOX_HEAD_SQL})`,
        [id, api, callback, q ?? null],
      );
      await tx.query(`SELECT pg_notify('operon_consumers', $1)`, [id]);
    });
    return { id, callback, ...(q ? { query: q } : {}) };
  }

  async unsubscribe(api: string, id: string): Promise<void> {
    const r = await this.db.tx(async (tx) => {
      const res = await tx.query(`DELETE FROM event_consumer WHERE id = $1 AND kind = 'hub' AND api = $2`, [id, api]);
      await tx.query(`SELECT pg_notify('operon_consumers', $1)`, [id]);
      return res.rowCount ?? 0;
    });
    if (r === 0) throw notFound('EventSubscription', id);
  }

  async get(api: string, id: string): Promise<EventSubscriptionDoc> {
    const r = await this.db.query<{ id: string; callback: string; query: string | null }>(
      `SELECT id, callback, query FROM event_consumer WHERE id = $1 AND kind = 'hub' AND api = $2`,
      [id, api],
    );
    const row = r.rows[0];
    if (!row) throw notFound('EventSubscription', id);
    return { id: row.id, callback: row.callback, ...(row.query ? { query: row.query } : {}) };
  }

  async list(api?: string): Promise<(EventSubscriptionDoc & { api: string })[]> {
    const r = await this.db.query<{ id: string; api: string; callback: string; query: string | null }>(
      `SELECT id, api, callback, query FROM event_consumer WHERE kind = 'hub'${api ? ' AND api = $1' : ''} ORDER BY created_at, id`,
      api ? [api] : [],
    );
    return r.rows.map((row) => ({ id: row.id, api: row.api, callback: row.callback, ...(row.query ? { query: row.query } : {}) }));
  }
}
