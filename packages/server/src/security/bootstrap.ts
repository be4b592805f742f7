import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Database } from '@operon/store';
import type { Credentials } from './credentials.ts';

export interface FirstAdmin {
  username: string;
  /** Where the password and key were written (readable by the owner only); undefined when writing failed. */
  file?: string;
  /** Only when the file could not be written: shown once by the caller. */
  password?: string;
  apiKey?: string;
}

/**
 * On a database with no users and no keys, creates an administrator with a
 * random password and an API key and writes them to a file only its owner can
 * read; never a fixed default password. Runs once: afterwards there are users.
 */
export async function ensureFirstAdmin(db: Database, credentials: Credentials, dataDir: string): Promise<FirstAdmin | undefined> {
  return db.tx(async (tx) => {
    // two nodes starting together on an empty database: one creates, the other finds it done
    await tx.query('SELECT pg_advisory_xact_lock(4242003)');
    if (!(await credentials.isEmpty(tx))) return undefined;
    const password = randomBytes(18).toString('base64url');
    const user = await credentials.createUser({ username: 'admin', displayName: 'Administrator', password, roles: ['administrator'] }, tx);
    const key = await credentials.createKey({ name: 'first administrator key', roles: ['administrator'], userId: user.id }, tx);
    const file = path.join(dataDir, 'admin-credentials');
    const text = [
      '# Operon: the first administrator, created on first start.',
      '# Sign in to the console or POST /auth/token with the username and password;',
      '# machine clients send the API key as  Authorization: Bearer <key>  or  X-API-Key: <key>.',
      '# Store them somewhere safe, then delete this file. Create more with `operon user` and `operon key`.',
      `username=admin`,
      `password=${password}`,
      `apiKey=${key.secret}`,
      '',
    ].join('\n');
    try {
      fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
      fs.writeFileSync(file, text, { mode: 0o600, flag: 'w' });
      fs.chmodSync(file, 0o600);
      return { username: 'admin', file };
    } catch {
      return { username: 'admin', password, apiKey: key.secret };
    }
  });
}
