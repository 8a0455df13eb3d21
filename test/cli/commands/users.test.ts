import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../../queue/redis.js';
import { spawnWeisu, type WeisuProcess } from '../../support/weisu.js';

/**
 * The embedded store has one owner. While `weisu serve` runs on it, a CLI command that would change it
 * never succeeds into the void (the issue: `weisu users token` printed a token the server never knew):
 * it refuses with the exact command that goes through the server, and that command works.
 */
const ENV = { REDIS_URL: undefined, DATABASE_URL: undefined, WEISU_ADMIN_PASSWORD: 'first-hour-admin-pw' };

async function runWeisu(args: string[], env: Record<string, string | undefined> = {}): Promise<{ code: number | null; out: string }> {
  const p = spawnWeisu(args, { ...ENV, ...env });
  const { code } = await p.exited;
  return { code, out: p.output() };
}

describe('weisu users and cameras import while serve owns the embedded store', () => {
  let dir: string;
  let cfg: string;
  let serve: WeisuProcess;
  let base: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'weisu-owner-'));
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    cfg = join(dir, 'weisu.yaml');
    writeFileSync(cfg, `public_url: ${base}\ndata_dir: ${join(dir, 'data')}\n`);
    serve = spawnWeisu(['serve', '--config', cfg, '--port', String(port)], ENV);
    // A bound, not a speed check: serve starts PGlite and its own redis-server, slow on a loaded machine.
    await serve.waitFor(/listening on/, 300_000);
  }, 360_000);

  afterAll(async () => {
    if (serve && serve.child.exitCode === null) serve.kill('SIGTERM');
    await serve?.exited;
    rmSync(dir, { recursive: true, force: true });
  });

  it('writes db.lock with the pid and the API address', () => {
    const lock = JSON.parse(readFileSync(join(dir, 'data', 'db.lock'), 'utf8'));
    expect(lock).toMatchObject({ pid: serve.child.pid, command: 'serve', url: base });
  });

  it('refuses users token with the command that goes through the server, which then works', async () => {
    const refused = await runWeisu(['users', 'token', 'admin', '--name', 'erp', '--config', cfg]);
    expect(refused.code).toBe(1);
    expect(refused.out).toContain(`weisu serve\` (pid ${serve.child.pid}`);
    const command = `weisu users token admin --name erp --config ${cfg} --server ${base}`;
    expect(refused.out).toContain(command);
    // No token was printed: nothing looks like a success.
    expect(refused.out).not.toMatch(/store it now/);

    const login = await fetch(`${base}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: ENV.WEISU_ADMIN_PASSWORD }) });
    const session = ((await login.json()) as { token: string }).token;
    const done = await runWeisu(command.split(' ').slice(1), { WEISU_TOKEN: session });
    expect(done.code, done.out).toBe(0);
    const token = done.out.split('\n').map((l) => l.trim()).find((l) => /^[A-Za-z0-9_-]{20,}$/.test(l))!;
    // The server knows the token it issued.
    const me = await fetch(`${base}/api/v1/auth/me`, { headers: { authorization: `Bearer ${token}` } });
    expect(me.status).toBe(200);
  }, 120_000);

  it('refuses users create before asking anything, naming the --server command', async () => {
    const refused = await runWeisu(['users', 'create', 'zhang', '--role', 'operator', '--config', cfg], { WEISU_PASSWORD: 'zhang-password-1' });
    expect(refused.code).toBe(1);
    expect(refused.out).toContain(`weisu users create zhang --role operator --config ${cfg} --server ${base}`);
  }, 60_000);

  it('cameras import --dry-run says dry run and writes nothing, locally refused the same way', async () => {
    const csv = join(dir, 'cams.csv');
    writeFileSync(csv, 'id,url,lat,lon\ndry-1,rtsp://10.0.0.1/a,40.1,124.3\n');
    const local = await runWeisu(['cameras', 'import', csv, '--dry-run', '--config', cfg]);
    expect(local.code).toBe(1);
    expect(local.out).toContain(`weisu cameras import ${csv} --server ${base} --mode upsert --dry-run`);

    const login = await fetch(`${base}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: ENV.WEISU_ADMIN_PASSWORD }) });
    const session = ((await login.json()) as { token: string }).token;
    const dry = await runWeisu(['cameras', 'import', csv, '--server', base, '--dry-run'], { WEISU_TOKEN: session });
    expect(dry.code, dry.out).toBe(0);
    expect(dry.out).toContain('dry run, nothing written: would create 1, update 0');
    const cams = await fetch(`${base}/api/v1/cameras/dry-1`, { headers: { authorization: `Bearer ${session}` } });
    expect(cams.status).toBe(404);
  }, 120_000);

  it('the lock goes with the server', async () => {
    serve.kill('SIGTERM');
    await serve.exited;
    expect(existsSync(join(dir, 'data', 'db.lock'))).toBe(false);
    const list = await runWeisu(['users', 'list', '--config', cfg]);
    expect(list.code, list.out).toBe(0);
    expect(list.out).toMatch(/^admin\s+admin/m);
  }, 120_000);
});
