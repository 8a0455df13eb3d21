import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MissingDependencyError, WeisuError } from '../../core/errors.js';
import { connectRedis, embeddedUrlFile, freePort, resolveRedisUrl, startEmbeddedRedis, waitForRedis } from '../../queue/redis.js';
import { isRunning, processGroup } from '../support/procs.js';
import { eventually, spawnTs } from '../support/weisu.js';

describe('queue/redis', () => {
  const dirs: string[] = [];
  const tmp = () => {
    const d = mkdtempSync(join(tmpdir(), 'weisu-redis-test-'));
    dirs.push(d);
    return d;
  };
  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('runs a private redis-server, tells this machine\'s workers where it is, and stops it', async () => {
    const dir = tmp();
    const r = await startEmbeddedRedis(dir);
    expect(readFileSync(embeddedUrlFile(dir), 'utf8')).toBe(r.url);
    expect(resolveRedisUrl(dir, {})).toBe(r.url);
    // REDIS_URL wins over the embedded one.
    expect(resolveRedisUrl(dir, { REDIS_URL: 'redis://elsewhere:6379' })).toBe('redis://elsewhere:6379');
    const client = connectRedis(r.url, 'test');
    await waitForRedis(client, r.url);
    await client.set('k', 'v');
    // Persistent by default: the data survives a restart of the embedded server.
    client.disconnect();
    await r.stop();
    expect(existsSync(embeddedUrlFile(dir))).toBe(false);
    const again = await startEmbeddedRedis(dir);
    const c2 = connectRedis(again.url, 'test');
    expect(await c2.get('k')).toBe('v');
    c2.disconnect();
    await again.stop();
  });

  it('stops a redis-server left behind (its pid file names it) before starting its own', async () => {
    const dir = tmp();
    // As if an older weisu left one running: a bare redis-server, named by the pid file.
    const port = await freePort();
    const orphan = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
    const gone = new Promise((r) => orphan.once('exit', r));
    mkdirSync(join(dir, 'redis'), { recursive: true });
    writeFileSync(join(dir, 'redis', 'pid'), String(orphan.pid));
    const r = await startEmbeddedRedis(dir);
    await gone;
    expect(orphan.signalCode).toBe('SIGKILL');
    await r.stop();
  });

  it('runs redis-server in its own process group, and stops it when the process that started it is gone', async () => {
    const dir = tmp();
    // A process that starts the embedded Redis and is then SIGKILLed, as `weisu serve` may be.
    const holder = spawnTs('test/support/embedded_redis_holder.ts', [dir]);
    const pid = Number((await holder.waitFor(/holding redis-server pid (\d+)/))[1]);
    expect(processGroup(pid)).not.toBe(processGroup(holder.child.pid!));
    holder.kill('SIGKILL');
    await holder.exited;
    await eventually(() => !isRunning(pid), 30_000, `redis-server ${pid} stopped after its starter died`);
  });

  it('names the Debian package when redis-server is missing', async () => {
    const err = await startEmbeddedRedis(tmp(), { bin: 'redis-server-not-installed' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MissingDependencyError);
    expect((err as MissingDependencyError).fix).toMatch(/apt-get install -y redis-server/);
  });

  it('says what to do when no Redis is known, or REDIS_URL is not a URL', () => {
    expect(() => resolveRedisUrl(tmp(), {})).toThrow(/no Redis to connect to/);
    try {
      connectRedis('not a url at all', 'test');
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(WeisuError);
      expect((e as WeisuError).field).toBe('REDIS_URL');
    }
  });

  it('gives a clear error, not a hang, when Redis cannot be reached', async () => {
    const url = 'redis://127.0.0.1:1';
    const client = connectRedis(url, 'test');
    const err = await waitForRedis(client, url, 1500).catch((e: unknown) => e);
    client.disconnect();
    expect((err as WeisuError).code).toBe('redis_unreachable');
  });
});
