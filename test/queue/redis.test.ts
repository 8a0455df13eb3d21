import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MissingDependencyError, WeisuError } from '../../core/errors.js';
import { connectRedis, embeddedUrlFile, resolveRedisUrl, startEmbeddedRedis, waitForRedis } from '../../queue/redis.js';

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

  it('stops a redis-server left behind by a serve that was killed outright', async () => {
    const dir = tmp();
    const first = await startEmbeddedRedis(dir);
    // As if `weisu serve` died by SIGKILL: its child lives on, its pid file stays.
    const orphan = first.child.pid!;
    const second = await startEmbeddedRedis(dir);
    await new Promise((r) => setTimeout(r, 200));
    expect(() => process.kill(orphan, 0)).toThrow();
    await second.stop();
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
