import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../store/db.js';
import { authenticate, createUser, deleteUser, hashPassword, issueToken, listTokens, resolveToken, revokeToken, updateUser, verifyPassword } from '../../store/users.js';
import { openTestDb, STORE_KINDS } from '../support/postgres.js';

describe('password hashing', () => {
  it('scrypt with a salt per hash; right password verifies, wrong does not', async () => {
    const a = await hashPassword('correct horse battery');
    const b = await hashPassword('correct horse battery');
    expect(a).toMatch(/^scrypt\$16384\$8\$1\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
    expect(a).not.toBe(b);
    expect(await verifyPassword('correct horse battery', a)).toBe(true);
    expect(await verifyPassword('correct horse batterY', a)).toBe(false);
    expect(await verifyPassword('x', 'md5$abc')).toBe(false);
  });
});

describe.each(STORE_KINDS)('users and tokens on %s', (kind) => {
  let db: Db;
  let close: () => Promise<void>;
  beforeAll(async () => {
    ({ db, close } = await openTestDb(kind));
    await createUser(db, { username: 'ops.li', password: 'a-long-password', role: 'operator' }, 'test');
  });
  afterAll(async () => close?.());

  it('stores only hashes: no password or token secret is in the tables', async () => {
    const { token } = await issueToken(db, { username: 'ops.li', kind: 'api', name: 'erp' }, 'test');
    const dump = JSON.stringify([await db.query('SELECT * FROM users'), await db.query('SELECT * FROM api_tokens'), await db.query('SELECT * FROM audit')]);
    expect(dump).not.toContain('a-long-password');
    expect(dump).not.toContain(token.slice(21));
    expect(await resolveToken(db, token)).toMatchObject({ username: 'ops.li', role: 'operator', tokenKind: 'api' });
  });

  it('refuses bad usernames, short passwords and duplicates, naming the field', async () => {
    await expect(createUser(db, { username: 'Bad Name', password: 'a-long-password', role: 'viewer' }, 't')).rejects.toMatchObject({ field: 'username' });
    await expect(createUser(db, { username: 'shorty', password: 'short', role: 'viewer' }, 't')).rejects.toMatchObject({ field: 'password' });
    await expect(createUser(db, { username: 'ops.li', password: 'a-long-password', role: 'viewer' }, 't')).rejects.toMatchObject({ code: 'conflict' });
  });

  it('authenticates only the right password of an enabled user', async () => {
    expect(await authenticate(db, 'ops.li', 'a-long-password')).toMatchObject({ username: 'ops.li', role: 'operator' });
    expect(await authenticate(db, 'ops.li', 'wrong-password')).toBeUndefined();
    expect(await authenticate(db, 'nobody', 'a-long-password')).toBeUndefined();
  });

  it('sessions expire; a password change or disabling ends sessions; API tokens survive a password change', async () => {
    await createUser(db, { username: 'wang', password: 'first-password', role: 'viewer' }, 't');
    const session = (await issueToken(db, { username: 'wang', kind: 'session', name: 'login', ttlMs: 60_000 }, 't')).token;
    const short = (await issueToken(db, { username: 'wang', kind: 'session', name: 'login', ttlMs: 1 }, 't')).token;
    const api = (await issueToken(db, { username: 'wang', kind: 'api', name: 'script' }, 't')).token;
    await new Promise((r) => setTimeout(r, 10));
    expect(await resolveToken(db, short)).toBeUndefined();
    expect(await resolveToken(db, session)).toBeDefined();
    await updateUser(db, 'wang', { password: 'second-password' }, 't');
    expect(await resolveToken(db, session)).toBeUndefined();
    expect(await resolveToken(db, api)).toBeDefined();
    expect(await authenticate(db, 'wang', 'first-password')).toBeUndefined();
    expect(await authenticate(db, 'wang', 'second-password')).toBeDefined();
    await updateUser(db, 'wang', { disabled: true }, 't');
    expect(await resolveToken(db, api)).toBeUndefined();
    expect(await authenticate(db, 'wang', 'second-password')).toBeUndefined();
    await updateUser(db, 'wang', { disabled: false, role: 'admin' }, 't');
    expect(await resolveToken(db, api)).toMatchObject({ role: 'admin' });
  });

  it('revoking a token or deleting its user ends it; forged tokens resolve to nobody', async () => {
    await createUser(db, { username: 'zhao', password: 'a-long-password', role: 'integrator' }, 't');
    const a = await issueToken(db, { username: 'zhao', kind: 'api', name: 'one' }, 't');
    const b = await issueToken(db, { username: 'zhao', kind: 'api', name: 'two' }, 't');
    await revokeToken(db, a.info.id, 't');
    expect(await resolveToken(db, a.token)).toBeUndefined();
    expect(await resolveToken(db, b.token)).toBeDefined();
    // Right id, wrong secret.
    expect(await resolveToken(db, `${b.token.slice(0, 21)}${'x'.repeat(43)}`)).toBeUndefined();
    expect((await listTokens(db, { username: 'zhao' })).map((t) => t.name)).toEqual(['two']);
    await deleteUser(db, 'zhao', 't');
    expect(await resolveToken(db, b.token)).toBeUndefined();
    await expect(revokeToken(db, a.info.id, 't')).rejects.toMatchObject({ code: 'not_found' });
  });
});
