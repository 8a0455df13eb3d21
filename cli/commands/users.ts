import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { parseDuration } from '../../core/duration.js';
import { WeisuError } from '../../core/errors.js';
import type { Db } from '../../store/db.js';
import { createUser, deleteUser, issueToken, listTokens, listUsers, revokeToken, ROLES, updateUser, type Role } from '../../store/users.js';
import { callServer, type ServerTarget } from '../server_api.js';
import { checkCliStore, openCliStore } from '../store.js';

export const summary = 'users create | list | set | delete | token | tokens | revoke: console users (admin, operator, integrator, viewer) and API tokens';

const USAGE = `usage:
  weisu users create NAME --role admin|operator|integrator|viewer [--password-stdin]
  weisu users list
  weisu users set NAME [--role R] [--password-stdin] [--disable | --enable]
  weisu users delete NAME
  weisu users token NAME --name LABEL [--expires 90d]     prints a new API token once (only its hash is kept)
  weisu users tokens NAME                                 lists a user's tokens (no secrets)
  weisu users revoke TOKEN_ID
  Every command takes --config FILE (for data_dir) unless DATABASE_URL is set. The password is read from
  stdin with --password-stdin, else from WEISU_PASSWORD, else asked for on the terminal.
  While \`weisu serve\` runs on the embedded store, add --server URL [--token T] (an admin token, also from
  WEISU_TOKEN): the command goes through the server's API, which owns the store.`;

const OPTIONS = {
  config: { type: 'string' },
  role: { type: 'string' },
  'password-stdin': { type: 'boolean' },
  disable: { type: 'boolean' },
  enable: { type: 'boolean' },
  name: { type: 'string' },
  expires: { type: 'string' },
  server: { type: 'string' },
  token: { type: 'string' },
} as const;

function roleFlag(value: string | undefined): Role {
  if (!value || !(ROLES as readonly string[]).includes(value)) {
    throw new WeisuError('bad_flag', `--role must be one of ${ROLES.join(', ')}${value ? `, got "${value}"` : ''}`, {
      field: '--role',
      fix: 'admin: everything; operator: zones, review, calibration; integrator: cameras only; viewer: read only',
    });
  }
  return value as Role;
}

async function readPassword(fromStdin: boolean | undefined): Promise<string> {
  if (!fromStdin && process.env.WEISU_PASSWORD) return process.env.WEISU_PASSWORD;
  if (!fromStdin && !process.stdin.isTTY) throw new WeisuError('bad_flag', 'no password given', { field: '--password-stdin', fix: 'pipe it with --password-stdin or set WEISU_PASSWORD' });
  const rl = createInterface({ input: process.stdin, output: process.stdin.isTTY ? process.stdout : undefined, terminal: Boolean(process.stdin.isTTY) });
  if (process.stdin.isTTY) {
    // Keep the typed password off the screen.
    (rl as unknown as { _writeToOutput: (s: string) => void })._writeToOutput = (s: string) => {
      if (s.includes('password')) process.stdout.write(s);
    };
  }
  try {
    return await new Promise<string>((resolve) => rl.question('password: ', (answer) => resolve(answer.replace(/\r?\n$/, ''))));
  } finally {
    rl.close();
    if (process.stdin.isTTY) process.stdout.write('\n');
  }
}

function needName(name: string | undefined): string {
  if (!name) throw new WeisuError('bad_flag', 'a username is needed', { field: 'NAME', fix: USAGE.split('\n')[1]!.trim() });
  return name;
}

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: OPTIONS });
  const [sub, name] = positionals;
  const known = ['create', 'list', 'set', 'delete', 'token', 'tokens', 'revoke'];
  if (!sub || !known.includes(sub)) {
    console.error(USAGE);
    return 2;
  }
  const target: ServerTarget | undefined = values.server ? { server: values.server, token: values.token ?? process.env.WEISU_TOKEN } : undefined;
  // The same command through the server that owns the store, exactly as typed (no secrets are arguments here).
  const viaServer = (url: string) => `weisu users ${argv.join(' ')} --server ${url}`;
  if (!target) checkCliStore(values.config, { viaServer });
  // Ask for the password before opening the store, so a slow typist holds no database connection.
  const password = sub === 'create' || (sub === 'set' && values['password-stdin']) ? await readPassword(values['password-stdin']) : undefined;
  if (target) return viaApi(target, sub, name, values, password);
  const db = await openCliStore(values.config, { viaServer });
  try {
    return await dispatch(db, sub, name, values, password);
  } finally {
    await db.close();
  }
}

type Flags = { role?: string; disable?: boolean; enable?: boolean; name?: string; expires?: string };

interface UserAnswer {
  username: string;
  role: Role;
  disabled: boolean;
  created_at: string;
}
interface TokenAnswer {
  id: string;
  username: string;
  kind: string;
  name: string;
  created_at: string;
  expires_at: string | null;
  last_used_at: string | null;
  token?: string;
}

const printUser = (u: { username: string; role: string; disabled: boolean; createdAt: string }) =>
  console.log(`${u.username.padEnd(24)} ${u.role.padEnd(10)} ${u.disabled ? 'disabled' : 'enabled '} since ${u.createdAt}`);
const printToken = (t: { id: string; kind: string; name: string; createdAt: string; expiresAt: string | null; lastUsedAt: string | null }) =>
  console.log(`${t.id}  ${t.kind.padEnd(7)} ${t.name.padEnd(24)} created ${t.createdAt}  expires ${t.expiresAt ?? 'never'}  last used ${t.lastUsedAt ?? 'never'}`);
const tokenOnce = (t: { id: string; username: string; name: string; expiresAt: string | null }, secret: string) => {
  console.error(`token ${t.id} for ${t.username} (${t.name}), ${t.expiresAt ? `expires ${t.expiresAt}` : 'no expiry'}; store it now, it is not shown again:`);
  console.log(secret);
};

function tokenLabel(values: Flags): string {
  if (!values.name) throw new WeisuError('bad_flag', 'a token needs a label', { field: '--name', fix: 'e.g. --name "city ERP import"' });
  return values.name;
}

function expiresMs(values: Flags): number | undefined {
  try {
    return values.expires === undefined ? undefined : parseDuration(values.expires);
  } catch (e) {
    throw new WeisuError('bad_flag', (e as Error).message, { field: '--expires', fix: 'e.g. --expires 90d' });
  }
}

/** The commands through the API of the server that owns the store (api/routes/users.ts). */
async function viaApi(target: ServerTarget, sub: string, name: string | undefined, values: Flags, password?: string): Promise<number> {
  const user = (path = '') => `users/${encodeURIComponent(needName(name))}${path}`;
  const asUser = (u: UserAnswer) => ({ username: u.username, role: u.role, disabled: u.disabled, createdAt: u.created_at });
  const asToken = (t: TokenAnswer) => ({ ...t, createdAt: t.created_at, expiresAt: t.expires_at, lastUsedAt: t.last_used_at });
  switch (sub) {
    case 'create': {
      const u = await callServer<UserAnswer>(target, 'POST', 'users', { username: needName(name), password, role: roleFlag(values.role) });
      console.log(`user ${u.username} created with role ${u.role} (via ${target.server})`);
      return 0;
    }
    case 'list':
      for (const u of (await callServer<{ items: UserAnswer[] }>(target, 'GET', 'users')).items) printUser(asUser(u));
      return 0;
    case 'set': {
      const disabled = values.disable ? true : values.enable ? false : undefined;
      const u = await callServer<UserAnswer>(target, 'PATCH', user(), { role: values.role === undefined ? undefined : roleFlag(values.role), password, disabled });
      console.log(`user ${u.username}: role ${u.role}, ${u.disabled ? 'disabled' : 'enabled'}${password ? ', password changed (sessions ended)' : ''} (via ${target.server})`);
      return 0;
    }
    case 'delete':
      await callServer(target, 'DELETE', user());
      console.log(`user ${name} deleted with their tokens (via ${target.server})`);
      return 0;
    case 'token': {
      const ttl = expiresMs(values);
      const t = await callServer<TokenAnswer>(target, 'POST', user('/tokens'), { name: tokenLabel(values), ...(ttl === undefined ? {} : { expires_in: values.expires }) });
      tokenOnce(asToken(t), t.token!);
      return 0;
    }
    case 'tokens':
      for (const t of (await callServer<{ items: TokenAnswer[] }>(target, 'GET', user('/tokens'))).items) printToken(asToken(t));
      return 0;
    case 'revoke':
      await callServer(target, 'DELETE', `tokens/${encodeURIComponent(needName(name))}`);
      console.log(`token ${name} revoked (via ${target.server})`);
      return 0;
  }
  return 2;
}

async function dispatch(db: Db, sub: string, name: string | undefined, values: Flags, password?: string): Promise<number> {
  const actor = 'cli';
  switch (sub) {
    case 'create': {
      const user = await createUser(db, { username: needName(name), password: password!, role: roleFlag(values.role) }, actor);
      console.log(`user ${user.username} created with role ${user.role}`);
      return 0;
    }
    case 'list':
      for (const u of await listUsers(db)) printUser(u);
      return 0;
    case 'set': {
      const disabled = values.disable ? true : values.enable ? false : undefined;
      const user = await updateUser(db, needName(name), { role: values.role === undefined ? undefined : roleFlag(values.role), password, disabled }, actor);
      console.log(`user ${user.username}: role ${user.role}, ${user.disabled ? 'disabled' : 'enabled'}${password ? ', password changed (sessions ended)' : ''}`);
      return 0;
    }
    case 'delete':
      await deleteUser(db, needName(name), actor);
      console.log(`user ${name} deleted with their tokens`);
      return 0;
    case 'token': {
      const { token, info } = await issueToken(db, { username: needName(name), kind: 'api', name: tokenLabel(values), ttlMs: expiresMs(values) }, actor);
      tokenOnce(info, token);
      return 0;
    }
    case 'tokens':
      for (const t of await listTokens(db, { username: needName(name) })) printToken(t);
      return 0;
    case 'revoke':
      await revokeToken(db, needName(name), actor);
      console.log(`token ${name} revoked`);
      return 0;
  }
  return 2;
}
