import { createHash, randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { WeisuError } from '../core/errors.js';
import { audit } from './audit.js';
import type { Db } from './db.js';
import { notFound } from './cameras.js';
import { HashSlots } from './hash_slots.js';

/**
 * Console users and API tokens. Passwords: scrypt (node:crypto) with a random salt per user, parameters
 * kept in the hash string so they can be raised later. Tokens: `wsu_<id>_<secret>`; only SHA-256 of the
 * 256-bit secret is stored (a fast hash is right for random secrets; scrypt is for guessable passwords).
 */
export const ROLES = ['admin', 'operator', 'integrator', 'viewer'] as const;
export type Role = (typeof ROLES)[number];

export interface User {
  username: string;
  role: Role;
  disabled: boolean;
  createdAt: string;
}

export interface Principal {
  username: string;
  role: Role;
  tokenId: string;
  tokenKind: 'session' | 'api';
}

export interface TokenInfo {
  id: string;
  username: string;
  kind: 'session' | 'api';
  name: string;
  createdAt: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
}

export const USERNAME = /^[a-z0-9][a-z0-9._-]{0,63}$/;
export const MIN_PASSWORD = 10;

const SCRYPT = { N: 16384, r: 8, p: 1, keylen: 32 };

function scryptAsync(password: string, salt: Buffer, keylen: number, opts: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => scrypt(password, salt, keylen, opts, (err, key) => (err ? reject(err) : resolve(key))));
}

/**
 * Every scrypt of this process goes through these slots: two at a time leave libuv's other threads to
 * file reads and DNS; a short queue behind them, and `busy` beyond it.
 */
const hashing = new HashSlots({ running: 2, waiting: 32, what: 'password checks' });

async function hashNow(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scryptAsync(password, salt, SCRYPT.keylen, { N: SCRYPT.N, r: SCRYPT.r, p: SCRYPT.p });
  return ['scrypt', SCRYPT.N, SCRYPT.r, SCRYPT.p, salt.toString('base64'), key.toString('base64')].join('$');
}

async function verifyNow(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, key] = stored.split('$');
  if (scheme !== 'scrypt' || !salt || !key) return false;
  const expected = Buffer.from(key, 'base64');
  const actual = await scryptAsync(password, Buffer.from(salt, 'base64'), expected.length, { N: Number(n), r: Number(r), p: Number(p), maxmem: 256 * 1024 * 1024 });
  return timingSafeEqual(actual, expected);
}

export function hashPassword(password: string): Promise<string> {
  return hashing.run(() => hashNow(password));
}

export function verifyPassword(password: string, stored: string): Promise<boolean> {
  return hashing.run(() => verifyNow(password, stored));
}

/** Spent on unknown usernames so a login's timing does not tell which usernames exist. */
let decoyHash: Promise<string> | undefined;

function checkPassword(password: string): void {
  if (password.length < MIN_PASSWORD) {
    throw new WeisuError('validation_failed', `password is too short: use at least ${MIN_PASSWORD} characters`, { field: 'password', fix: 'choose a longer password (a passphrase works well)' });
  }
}

function checkUsername(username: string): void {
  if (!USERNAME.test(username)) {
    throw new WeisuError('validation_failed', `username "${username}" is not allowed`, { field: 'username', fix: 'use 1-64 characters: a-z, 0-9, . _ - (starting with a letter or digit)' });
  }
}

interface UserRow {
  username: string;
  role: Role;
  password_hash: string;
  disabled: boolean;
  created_at: Date | string;
}

const iso = (d: Date | string | null) => (d === null ? null : (d instanceof Date ? d : new Date(d)).toISOString());

function toUser(r: UserRow): User {
  return { username: r.username, role: r.role, disabled: r.disabled, createdAt: iso(r.created_at)! };
}

export async function createUser(db: Db, u: { username: string; password: string; role: Role }, actor: string): Promise<User> {
  checkUsername(u.username);
  checkPassword(u.password);
  const hash = await hashPassword(u.password);
  return db.tx(async (t) => {
    const rows = await t.query<UserRow>(
      'INSERT INTO users (username, role, password_hash) VALUES ($1, $2, $3) ON CONFLICT (username) DO NOTHING RETURNING *',
      [u.username, u.role, hash],
    );
    if (!rows[0]) throw new WeisuError('conflict', `user "${u.username}" already exists`, { field: 'username', fix: 'choose another username' });
    await audit(t, { actor, entity: 'user', entityId: u.username, action: 'created', data: { role: u.role } });
    return toUser(rows[0]);
  });
}

export async function listUsers(db: Db): Promise<User[]> {
  return (await db.query<UserRow>('SELECT * FROM users ORDER BY username')).map(toUser);
}

export async function getUser(db: Db, username: string): Promise<User | undefined> {
  const rows = await db.query<UserRow>('SELECT * FROM users WHERE username = $1', [username]);
  return rows[0] && toUser(rows[0]);
}

/** Changes role, password or disabled state; a password change or disabling ends the user's sessions. */
export async function updateUser(db: Db, username: string, change: { role?: Role; password?: string; disabled?: boolean }, actor: string): Promise<User> {
  if (change.password !== undefined) checkPassword(change.password);
  const hash = change.password === undefined ? null : await hashPassword(change.password);
  return db.tx(async (t) => {
    const rows = await t.query<UserRow>(
      `UPDATE users SET role = COALESCE($2, role), password_hash = COALESCE($3, password_hash), disabled = COALESCE($4, disabled), updated_at = now()
       WHERE username = $1 RETURNING *`,
      [username, change.role ?? null, hash, change.disabled ?? null],
    );
    if (!rows[0]) throw notFound('user', username, 'username');
    if (hash || change.disabled) await t.query("DELETE FROM api_tokens WHERE username = $1 AND kind = 'session'", [username]);
    await audit(t, { actor, entity: 'user', entityId: username, action: 'updated', data: { role: change.role, disabled: change.disabled, password_changed: hash !== null } });
    return toUser(rows[0]);
  });
}

export async function deleteUser(db: Db, username: string, actor: string): Promise<void> {
  await db.tx(async (t) => {
    const rows = await t.query('DELETE FROM users WHERE username = $1 RETURNING username', [username]);
    if (!rows.length) throw notFound('user', username, 'username');
    await audit(t, { actor, entity: 'user', entityId: username, action: 'deleted' });
  });
}

/**
 * The user when the password is right and the account enabled; undefined otherwise (same cost either
 * way). Takes a hashing slot before anything else, so a flood is refused (`busy`) before it costs a query.
 */
export function authenticate(db: Db, username: string, password: string): Promise<User | undefined> {
  return hashing.run(async () => {
    const rows = await db.query<UserRow>('SELECT * FROM users WHERE username = $1', [username]);
    const row = rows[0];
    if (!row) {
      decoyHash ??= hashNow(randomBytes(16).toString('hex'));
      await verifyNow(password, await decoyHash);
      return undefined;
    }
    const ok = await verifyNow(password, row.password_hash);
    return ok && !row.disabled ? toUser(row) : undefined;
  });
}

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

/** A new token; the secret is in the returned string only, never stored. */
export async function issueToken(
  db: Db,
  opts: { username: string; kind: 'session' | 'api'; name: string; ttlMs?: number },
  actor: string,
): Promise<{ token: string; info: TokenInfo }> {
  const id = randomBytes(8).toString('hex');
  const secret = randomBytes(32).toString('base64url');
  const expires = opts.ttlMs === undefined ? null : new Date(Date.now() + opts.ttlMs);
  return db.tx(async (t) => {
    if (!(await getUser(t, opts.username))) throw notFound('user', opts.username, 'username');
    await t.query('INSERT INTO api_tokens (id, username, kind, name, secret_hash, expires_at) VALUES ($1, $2, $3, $4, $5, $6)', [
      id,
      opts.username,
      opts.kind,
      opts.name,
      sha256(secret),
      expires,
    ]);
    if (opts.kind === 'api') await audit(t, { actor, entity: 'token', entityId: id, action: 'created', data: { username: opts.username, name: opts.name } });
    const info = (await listTokens(t, { id }))[0]!;
    return { token: `wsu_${id}_${secret}`, info };
  });
}

interface TokenRow {
  id: string;
  username: string;
  kind: 'session' | 'api';
  name: string;
  created_at: Date | string;
  expires_at: Date | string | null;
  last_used_at: Date | string | null;
}

export async function listTokens(db: Db, filter: { username?: string; id?: string } = {}): Promise<TokenInfo[]> {
  const rows = await db.query<TokenRow>(
    `SELECT id, username, kind, name, created_at, expires_at, last_used_at FROM api_tokens
     WHERE ($1::text IS NULL OR username = $1) AND ($2::text IS NULL OR id = $2) ORDER BY created_at, id`,
    [filter.username ?? null, filter.id ?? null],
  );
  return rows.map((r) => ({
    id: r.id,
    username: r.username,
    kind: r.kind,
    name: r.name,
    createdAt: iso(r.created_at)!,
    expiresAt: iso(r.expires_at),
    lastUsedAt: iso(r.last_used_at),
  }));
}

export async function revokeToken(db: Db, id: string, actor: string): Promise<void> {
  await db.tx(async (t) => {
    const rows = await t.query('DELETE FROM api_tokens WHERE id = $1 RETURNING id', [id]);
    if (!rows.length) throw notFound('token', id);
    await audit(t, { actor, entity: 'token', entityId: id, action: 'revoked' });
  });
}

const TOKEN = /^wsu_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$/;

/** Who a bearer token belongs to, if it is valid, unexpired and its user enabled. */
export async function resolveToken(db: Db, token: string): Promise<Principal | undefined> {
  const m = TOKEN.exec(token);
  if (!m) return undefined;
  const rows = await db.query<{ id: string; kind: 'session' | 'api'; secret_hash: string; username: string; role: Role; last_used_at: Date | string | null }>(
    `SELECT t.id, t.kind, t.secret_hash, t.last_used_at, u.username, u.role FROM api_tokens t JOIN users u ON u.username = t.username
     WHERE t.id = $1 AND NOT u.disabled AND (t.expires_at IS NULL OR t.expires_at > now())`,
    [m[1]],
  );
  const row = rows[0];
  if (!row || !timingSafeEqual(Buffer.from(sha256(m[2]!)), Buffer.from(row.secret_hash))) return undefined;
  // Last use is for the admin's token list; a minute's precision spares a write per request.
  const last = row.last_used_at === null ? 0 : new Date(row.last_used_at).getTime();
  if (Date.now() - last > 60_000) await db.query('UPDATE api_tokens SET last_used_at = now() WHERE id = $1', [row.id]);
  return { username: row.username, role: row.role, tokenId: row.id, tokenKind: row.kind };
}

/** Removes expired sessions (called at login, so the table never grows without bound). */
export async function pruneExpiredTokens(db: Db): Promise<void> {
  await db.query('DELETE FROM api_tokens WHERE expires_at IS NOT NULL AND expires_at < now()');
}

/** How many users exist (0 on a fresh install: see api/bootstrap.ts). */
export async function countUsers(db: Db): Promise<number> {
  const [row] = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM users');
  return Number(row?.n ?? 0);
}
