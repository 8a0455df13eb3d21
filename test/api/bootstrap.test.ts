import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bootstrapAdmin } from '../../api/bootstrap.js';
import { buildApi } from '../../api/server.js';
import { parseConfig } from '../../config/load.js';
import { openDb } from '../../store/db.js';
import { authenticate, listUsers } from '../../store/users.js';

describe('first start', () => {
  it('creates "admin" with a random password in a private file, once; the password logs in', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'weisu-boot-'));
    const config = parseConfig(`public_url: http://127.0.0.1:8080\ndata_dir: ${dir}\n`, 'test', {});
    const db = await openDb({});
    try {
      const app = await buildApi({ db, config });
      const file = join(dir, 'admin-password.txt');
      const password = readFileSync(file, 'utf8').trim();
      expect(password.length).toBeGreaterThanOrEqual(20);
      expect(statSync(file).mode & 0o777).toBe(0o600);
      const login = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 'admin', password } });
      expect(login.json()).toMatchObject({ role: 'admin' });
      await app.close();
      await (await buildApi({ db, config })).close();
      expect((await listUsers(db)).map((u) => u.username)).toEqual(['admin']);
      expect(await authenticate(db, 'admin', password)).toBeDefined();
    } finally {
      await db.close();
    }
  });

  it('takes the password from WEISU_ADMIN_PASSWORD when set', async () => {
    const config = parseConfig('public_url: http://127.0.0.1:8080\n', 'test', {});
    const db = await openDb({});
    try {
      await bootstrapAdmin(db, config, { WEISU_ADMIN_PASSWORD: 'from-the-environment' });
      expect(await authenticate(db, 'admin', 'from-the-environment')).toMatchObject({ role: 'admin' });
    } finally {
      await db.close();
    }
  });
});
