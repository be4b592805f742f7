import pg from 'pg';

/** Where tests look for a PostgreSQL server beside the embedded one. */
export const SERVER_ADMIN_URL = process.env['OPERON_TEST_SERVER_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';

export async function serverAvailable(url = SERVER_ADMIN_URL): Promise<boolean> {
  const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  try {
    await c.connect();
    await c.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await c.end().catch(() => {});
  }
}
