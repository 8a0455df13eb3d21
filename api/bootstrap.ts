import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { WeisuConfig } from '../config/schema.js';
import { log } from '../core/log.js';
import type { Db } from '../store/db.js';
import { countUsers, createUser } from '../store/users.js';

/**
 * A fresh install has no users, so nobody could log in to create one. The first start creates `admin`
 * with WEISU_ADMIN_PASSWORD, or else a random password written to `<data_dir>/admin-password.txt`
 * (readable by the owner only) — never to the log. Later starts change nothing.
 */
export async function bootstrapAdmin(db: Db, config: WeisuConfig, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  if ((await countUsers(db)) > 0) return;
  const given = env.WEISU_ADMIN_PASSWORD;
  const password = given ?? randomBytes(18).toString('base64url');
  await createUser(db, { username: 'admin', password, role: 'admin' }, 'bootstrap');
  if (given) {
    log.warn('first start: created user "admin" with the password in WEISU_ADMIN_PASSWORD');
    return;
  }
  const dir = resolve(config.data_dir);
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'admin-password.txt');
  writeFileSync(file, `${password}\n`, { mode: 0o600 });
  log.warn({ file }, 'first start: created user "admin"; its password is in this file — log in, change it (weisu users set admin --password-stdin) and delete the file');
}
