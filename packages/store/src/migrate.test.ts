import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Database } from './database.ts';
import { migrate } from './migrate.ts';
import { createEmptyDatabase } from './testing.ts';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'operon-migrations-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('migrations', () => {
  it('apply once in order, are idempotent, serialise concurrent starts, and refuse edited history', async () => {
    const empty = await createEmptyDatabase();
    const db = new Database({ url: empty.url, max: 4 });
    try {
      fs.writeFileSync(path.join(dir, '0001_widgets.sql'), `SELECT operon_create_resource_table('demo_widget', 'state');`);
      fs.writeFileSync(path.join(dir, '0002_index.sql'), `CREATE INDEX demo_widget_colour ON demo_widget ((doc->>'colour'));`);
      fs.writeFileSync(path.join(dir, 'notes.txt'), 'not a migration');
      const source = { owner: 'demo', dir };
      const [a, b] = await Promise.all([migrate(db, [source]), migrate(db, [source])]);
      const applied = [...a.applied, ...b.applied];
      expect(applied.filter((m) => m.startsWith('demo/'))).toEqual(['demo/0001_widgets.sql', 'demo/0002_index.sql']);
      expect(applied.filter((m) => m === 'core/0001_core.sql')).toHaveLength(1);
      const again = await migrate(db, [source]);
      expect(again.applied).toEqual([]);
      const cols = await db.query(`SELECT column_name FROM information_schema.columns WHERE table_name = 'demo_widget' ORDER BY ordinal_position`);
      expect(cols.rows.map((r) => r['column_name'])).toEqual(['id', 'version', 'doc', 'created_at', 'updated_at', 'name', 'status']);

      fs.writeFileSync(path.join(dir, '0002_index.sql'), `CREATE INDEX demo_widget_size ON demo_widget ((doc->>'size'));`);
      await expect(migrate(db, [source])).rejects.toThrow(/was changed after it was applied/);

      fs.writeFileSync(path.join(dir, '0002_index.sql'), `CREATE INDEX demo_widget_colour ON demo_widget ((doc->>'colour'));`);
      fs.writeFileSync(path.join(dir, '0003_broken.sql'), `CREATE TABLE ok_one (x int); SELECT no_such_function();`);
      await expect(migrate(db, [source])).rejects.toThrow(/0003_broken.sql failed/);
      // a failed migration leaves nothing behind
      expect((await db.query(`SELECT to_regclass('ok_one') AS t`)).rows[0]?.['t']).toBeNull();
    } finally {
      await db.close();
      await empty.drop();
    }
  });
});
