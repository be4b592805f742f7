import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BackupError, createBackup, readBackupHeader, restoreBackup, verifyBackup } from './backup.ts';
import { Database } from './database.ts';
import { migrate, type MigrationSource } from './migrate.ts';
import { createEmptyDatabase } from './testing.ts';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'operon-backup-'));
const migrations = path.join(dir, 'migrations');
fs.mkdirSync(migrations);
// a resource table, a table with a foreign key and a bigserial, and a row a migration seeds
fs.writeFileSync(path.join(migrations, '0001_widgets.sql'), `
  SELECT operon_create_resource_table('demo_widget', 'state');
  CREATE TABLE demo_part (seq bigserial PRIMARY KEY, widget_id text NOT NULL REFERENCES demo_widget (id), note text, at timestamptz, amount numeric);
  CREATE TABLE demo_setting (key text PRIMARY KEY, value text NOT NULL);
  INSERT INTO demo_setting VALUES ('colour', 'blue');`);
const sources: MigrationSource[] = [{ owner: 'demo', dir: migrations }];

const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  while (cleanups.length) await cleanups.pop()!();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function emptyDb(): Promise<{ db: Database; url: string }> {
  const e = await createEmptyDatabase();
  const db = new Database({ url: e.url, max: 4 });
  cleanups.push(async () => {
    await db.close();
    await e.drop();
  });
  return { db, url: e.url };
}

/** Every row of every table in the current schema (generated columns included), sorted. */
async function contents(db: Database): Promise<Record<string, unknown[]>> {
  const tables = (await db.query<{ t: string }>(`SELECT tablename AS t FROM pg_tables WHERE schemaname = current_schema() ORDER BY 1`)).rows.map((r) => r.t);
  const out: Record<string, unknown[]> = {};
  for (const t of tables) {
    const rows = (await db.query<{ j: unknown }>(`SELECT to_jsonb(x) AS j FROM "${t}" x`)).rows.map((r) => JSON.stringify(r.j)).sort();
    out[t] = rows;
  }
  return out;
}

async function tableCount(db: Database): Promise<number> {
  return (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')`)).rows[0]!.n;
}

let source: Database;
let backupFile: string;
const tricky = 'tab\there, newline\nthere, back\\slash, quote \' " , ünïcødé ✓, \\N not null, end.';

async function addWidget(db: Database, id: string, extra: Record<string, unknown> = {}): Promise<void> {
  await db.tx(async (tx) => {
    const doc = { id, name: `widget ${id}`, state: 'active', note: tricky, ...extra };
    await tx.query(`INSERT INTO demo_widget (id, doc, created_at, updated_at) VALUES ($1, $2, now(), now())`, [id, JSON.stringify(doc)]);
    await tx.query(`INSERT INTO demo_part (widget_id, note, at, amount) VALUES ($1, $2, now(), 12.345678901234567890)`, [id, tricky]);
    tx.emit({ api: 'demo', eventType: 'WidgetCreateEvent', resourceType: 'Widget', resourceId: id, payload: { event: { widget: doc } } });
    tx.audit({ at: new Date(), principalId: 'user:1', principalName: 'tester', roles: ['administrator'], action: 'create', api: 'demo', resourceType: 'Widget', resourceId: id, version: 1, after: doc });
  });
}

beforeAll(async () => {
  source = (await emptyDb()).db;
  await migrate(source, sources);
  for (let i = 0; i < 40; i++) await addWidget(source, `w${i}`, { n: i, nested: { list: [1, 'two', null, { three: 3 }] } });
  await source.query(`UPDATE demo_setting SET value = 'red' WHERE key = 'colour'`);
  await source.query(`INSERT INTO demo_part (widget_id, note, at) VALUES ('w1', NULL, NULL)`);
  // sequence values handed out and lost with a rollback still count: the restore must not reuse them
  await source.tx(async (tx) => {
    await tx.query(`INSERT INTO demo_part (widget_id) SELECT 'w2' FROM generate_series(1, 5)`);
    throw new Error('roll back');
  }).catch(() => {});
  await source.query(`INSERT INTO event_consumer (id, kind, api, callback, position, delivered) VALUES ('hub:1', 'hub', 'demo', 'http://x/cb', 3, 3)`);
  await source.query(`UPDATE outbox_batch SET first_position = seq, last_position = seq WHERE seq <= 10`);
  backupFile = path.join(dir, 'good.backup.gz');
});

describe('backup and restore', () => {
  it('round-trips every table exactly, with sequences past what was handed out and the audit log still append-only', async () => {
    // writes keep coming while the backup runs: it must see each one whole or not at all
    let writing = true;
    let extra = 0;
    const writer = (async () => {
      while (writing) await addWidget(source, `late${extra++}`);
    })();
    const progress: string[] = [];
    let result;
    try {
      result = await createBackup(source, { file: backupFile, operonVersion: '9.9.9', onTable: (p) => progress.push(`${p.index}/${p.count} ${p.table}`) });
    } finally {
      writing = false;
      await writer;
    }
    expect((fs.statSync(backupFile).mode & 0o777).toString(8)).toBe('600');
    expect(fs.readdirSync(dir).filter((f) => f.includes('partial') || f.includes('.data-'))).toEqual([]);
    const header = result.header;
    expect(header.operonVersion).toBe('9.9.9');
    expect(header.formatVersion).toBe(1);
    expect(header.migrations.map((m) => m.id)).toEqual(expect.arrayContaining(['core/0001_core.sql', 'core/0005_audit.sql', 'demo/0001_widgets.sql']));
    const names = header.tables.map((t) => t.name);
    expect(names[0]).toBe('operon_migration');
    // referenced before referencing
    expect(names.indexOf('demo_widget')).toBeLessThan(names.indexOf('demo_part'));
    expect(names).toEqual(expect.arrayContaining(['audit_log', 'outbox_batch', 'event_consumer', 'event_dead_letter', 'operon_meta', 'demo_setting']));
    expect(progress).toHaveLength(names.length);
    expect(progress[0]).toBe(`1/${names.length} operon_migration`);
    // generated columns are not stored in the file
    expect(header.tables.find((t) => t.name === 'demo_widget')!.columns).toEqual(['id', 'version', 'doc', 'created_at', 'updated_at']);
    expect((await readBackupHeader(backupFile)).tables).toEqual(header.tables);
    await verifyBackup(backupFile);

    const rows = (t: string) => header.tables.find((x) => x.name === t)!.rows;
    // one snapshot: every widget's event and audit row are in it, and nothing half-written
    expect(rows('demo_widget')).toBeGreaterThanOrEqual(40);
    // one transaction, one outbox row
    expect(rows('outbox_batch')).toBe(rows('demo_widget'));
    expect(rows('audit_log')).toBe(rows('demo_widget'));

    const target = await emptyDb();
    const tables: string[] = [];
    const restored = await restoreBackup(target.db, backupFile, { sources, onTable: (p) => tables.push(p.table) });
    expect(tables).toEqual(names);
    expect(restored.migrations).toBe(header.migrations.length);

    // what the snapshot held, exactly: compare with the source as of now minus the later writes
    const got = await contents(target.db);
    const want = await contents(source);
    const late = (row: unknown) => /late\d+/.test(String(row));
    for (const t of Object.keys(want)) {
      const snapshotRows = t === 'event_consumer' ? want[t]! : want[t]!.filter((r) => !late(r) || got[t]!.includes(r as string));
      expect(got[t], t).toEqual(snapshotRows);
    }
    expect(got['demo_setting']).toEqual([JSON.stringify({ key: 'colour', value: 'red' })]);
    expect(Object.keys(got).sort()).toEqual(Object.keys(want).sort());

    // sequences continue after the highest value handed out before the backup
    const seqBefore = header.sequences.find((s) => s.table === 'demo_part' && s.column === 'seq')!.next;
    const maxPart = (await target.db.query<{ m: number }>('SELECT max(seq) AS m FROM demo_part')).rows[0]!.m;
    expect(seqBefore).toBeGreaterThan(maxPart + 1); // the rolled-back inserts used values
    const next = (await target.db.query<{ seq: number }>(`INSERT INTO demo_part (widget_id) VALUES ('w3') RETURNING seq`)).rows[0]!.seq;
    expect(next).toBe(seqBefore);
    await target.db.tx(async (tx) => {
      tx.emit({ api: 'demo', eventType: 'X', resourceType: 'Widget', resourceId: 'w3', payload: {} });
      tx.audit({ at: new Date(), principalId: 'p', roles: [], action: 'update', api: 'demo', resourceType: 'Widget', resourceId: 'w3' });
      await tx.query('SELECT 1');
    });
    const maxAudit = (await target.db.query<{ m: number }>('SELECT max(seq) AS m FROM audit_log')).rows[0]!.m;
    // sequences are read after the snapshot, so writes that went on meanwhile only push them further
    const auditNext = header.sequences.find((s) => s.table === 'audit_log')!.next;
    expect(auditNext).toBeGreaterThan(rows('audit_log'));
    expect(maxAudit).toBe(auditNext);
    await expect(target.db.query(`UPDATE audit_log SET principal_id = 'forged'`)).rejects.toThrow(/append-only/);
    await expect(target.db.query(`DELETE FROM audit_log`)).rejects.toThrow(/append-only/);
    // the ledger came across: migrate() finds nothing to do
    expect((await migrate(target.db, sources)).applied).toEqual([]);
  });

  it('refuses a database that is not empty, and leaves it alone', async () => {
    const before = await contents(source);
    const err = await restoreBackup(source, backupFile, { sources }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BackupError);
    expect((err as Error).message).toMatch(/^database operon_t_\w+ is not empty \(it has \d+ relations, e\.g\. public\.\w+\); a backup is restored only into an empty database$/);
    expect(await contents(source)).toEqual(before);
  });

  it('refuses a backup with migrations this Operon does not know, or that differ', async () => {
    const target = await emptyDb();
    await expect(restoreBackup(target.db, backupFile, { sources: [] })).rejects.toThrow(/migrations this one does not know: demo\/0001_widgets\.sql/);
    const other = path.join(dir, 'other');
    fs.mkdirSync(other, { recursive: true });
    fs.writeFileSync(path.join(other, '0001_widgets.sql'), `SELECT operon_create_resource_table('demo_widget', 'colour');`);
    await expect(restoreBackup(target.db, backupFile, { sources: [{ owner: 'demo', dir: other }] })).rejects.toThrow(/demo\/0001_widgets\.sql differ/);
    expect(await tableCount(target.db)).toBe(0);
  });

  it('refuses truncated, corrupt and foreign files with a clear error, writing nothing', async () => {
    const good = fs.readFileSync(backupFile);
    const raw = zlib.gunzipSync(good);
    const header = await readBackupHeader(backupFile);
    const dataStart = raw.indexOf(10, raw.indexOf(10) + 1) + 1;
    const widgets = header.tables.slice(0, header.tables.findIndex((t) => t.name === 'demo_widget')).reduce((n, t) => n + t.bytes, dataStart);

    const cases: [string, Buffer, RegExp][] = [
      ['truncated', good.subarray(0, Math.floor(good.length * 0.7)), /is truncated/],
      ['cut inside a table, as valid gzip', zlib.gzipSync(raw.subarray(0, widgets + 100)), /is truncated: it ends inside table demo_widget/],
      // one changed byte inside a table's data, recompressed: only the checksum can tell
      ['tampered', zlib.gzipSync(Buffer.concat([raw.subarray(0, widgets + 50), Buffer.from(raw[widgets + 50] === 0x41 ? 'B' : 'A'), raw.subarray(widgets + 51)])), /is corrupt: the data of table demo_widget does not match its checksum/],
      ['bit rot in the compressed stream', Buffer.concat([good.subarray(0, 4000), Buffer.from([good[4000]! ^ 0xff]), good.subarray(4001)]), /is (corrupt|truncated)/],
      ['trailing data', zlib.gzipSync(Buffer.concat([raw, Buffer.from('extra\n')])), /there is data after the last table/],
      ['not gzip', Buffer.from('id,name\n1,foo\n'), /is corrupt or not an Operon backup \(gzip: /],
      ['gzip but not a backup', zlib.gzipSync('hello world\n'), /is not an Operon backup/],
      ['newer format', zlib.gzipSync('OPERON-BACKUP 7\n{}\n'), /format 7, made by a newer Operon/],
      ['garbled header', zlib.gzipSync('OPERON-BACKUP 1\n{"formatVersion":1,\n'), /header is not readable/],
    ];
    expect(good.length).toBeGreaterThan(4001);
    const target = await emptyDb();
    for (const [name, bytes, message] of cases) {
      const f = path.join(dir, `${name.replace(/\W+/g, '-')}.gz`);
      fs.writeFileSync(f, bytes);
      const err = await restoreBackup(target.db, f, { sources }).catch((e: unknown) => e);
      expect(err, name).toBeInstanceOf(BackupError);
      expect((err as Error).message, name).toMatch(message);
      expect(await tableCount(target.db), name).toBe(0);
      if (name !== 'newer format' && name !== 'garbled header') await expect(verifyBackup(f), name).rejects.toThrow(message);
    }
    await expect(restoreBackup(target.db, path.join(dir, 'missing.gz'), { sources })).rejects.toThrow(/no such file/);
    // and the database takes the good file afterwards
    await restoreBackup(target.db, backupFile, { sources });
  });

  it('never overwrites a file, and refuses a database without an Operon schema', async () => {
    await expect(createBackup(source, { file: backupFile, operonVersion: 'x' })).rejects.toThrow(/already exists/);
    const bare = await emptyDb();
    const f = path.join(dir, 'bare.gz');
    await expect(createBackup(bare.db, { file: f, operonVersion: 'x' })).rejects.toThrow(/no Operon schema/);
    expect(fs.existsSync(f)).toBe(false);
    expect(fs.readdirSync(dir).filter((x) => x.includes('partial') || x.includes('.data-'))).toEqual([]);
  });
});
