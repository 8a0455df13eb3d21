import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { cameraSchema } from '../../config/schema.js';
import type { ScheduledCamera } from '../../queue/cameras.js';
import { redisKeys } from '../../queue/keys.js';
import { openQueues, type Queues } from '../../queue/queues.js';
import { connectRedis, type RedisClient } from '../../queue/redis.js';
import { Scheduler } from '../../queue/scheduler.js';
import type { CameraHealth } from '../../streams/health.js';
import { startTestRedis, type TestRedis } from '../support/redis.js';
import { eventually, spawnWeisu, type WeisuProcess } from '../support/weisu.js';

/**
 * The worker judges every camera's URL itself, with the camera's origin, before it contacts anything:
 * a real `weisu worker` process, a "camera" that counts every connection it gets, and two cameras it
 * must refuse — one from the config file outside `streams.allow_networks`, one from the API on loopback
 * (local targets are off for API cameras by default). Neither camera's server sees a single connection,
 * and each camera's health says why.
 */
describe('a worker process enforces the URL policy before contacting a camera', () => {
  let redis: TestRedis;
  let conn: RedisClient;
  let queues: Queues;
  let worker: WeisuProcess | undefined;
  let dir: string;
  const keys = redisKeys('{urlpolicy-test}');
  const servers: Server[] = [];
  const connections: Record<string, number> = { outside: 0, local: 0, allowed: 0 };

  /** A TCP server that only counts who connects (any connection is a failure of the policy). */
  async function counting(name: string, host: string): Promise<number> {
    const s = createServer((sock) => {
      connections[name]!++;
      sock.destroy();
    });
    servers.push(s);
    await new Promise<void>((r) => s.listen(0, host, r));
    return (s.address() as { port: number }).port;
  }

  beforeAll(async () => {
    redis = await startTestRedis();
    conn = connectRedis(redis.url, 'url-policy-test');
    queues = openQueues(conn, keys.prefix);
    dir = mkdtempSync(join(tmpdir(), 'weisu-urlpolicy-'));
  });

  afterAll(async () => {
    worker?.kill('SIGTERM');
    await worker?.exited;
    await queues.close();
    conn.disconnect();
    await redis.stop();
    for (const s of servers) s.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('never connects to a camera outside allow_networks or an API camera on loopback; health says blocked', async () => {
    const outsidePort = await counting('outside', '127.0.0.3');
    const localPort = await counting('local', '127.0.0.1');
    const allowedPort = await counting('allowed', '127.0.0.1');
    const cam = (id: string, url: string, managed_by: 'config' | 'api'): ScheduledCamera => ({
      ...cameraSchema.parse({ id, url, location: { lat: 40, lon: 124 }, sample_every: '1s' }),
      managed_by,
    });
    const cameras = [
      cam('outside', `rtsp://127.0.0.3:${outsidePort}/cam`, 'config'),
      cam('local', `rtsp://127.0.0.1:${localPort}/cam`, 'api'),
      // The control: inside allow_networks and from the config file, so it is contacted (and gives no frame).
      cam('allowed', `rtsp://127.0.0.1:${allowedPort}/cam`, 'config'),
    ];
    const cfgPath = join(dir, 'weisu.yaml');
    writeFileSync(cfgPath, stringify({ public_url: 'http://127.0.0.1:1/', streams: { allow_networks: ['127.0.0.1/32'] }, workers: { concurrency: 3, prefix: keys.prefix } }));
    const scheduler = new Scheduler({ redis: conn, keys, queues, listCameras: async () => cameras, everyMs: 60_000 });
    await scheduler.reconcile();
    worker = spawnWeisu(['worker', '--config', cfgPath], { REDIS_URL: redis.url });

    const health = async (id: string) => {
      const raw = await conn.hget(keys.health, id);
      return raw ? (JSON.parse(raw) as CameraHealth) : undefined;
    };
    const failed = async (id: string) =>
      eventually(async () => {
        const got = await health(id);
        return got?.reason ? got : undefined;
      }, 240_000, () => `no health for ${id}:\n${worker!.output().slice(-2000)}`);
    expect(await failed('outside')).toMatchObject({ reason: 'blocked', lastError: expect.stringContaining('outside the allowed camera networks') });
    expect(await failed('local')).toMatchObject({ reason: 'blocked', lastError: expect.stringContaining('loopback, link-local or metadata') });
    expect((await failed('allowed')).reason).not.toBe('blocked');
    expect(connections.allowed).toBeGreaterThan(0);
    expect(connections).toMatchObject({ outside: 0, local: 0 });
  }, 300_000);
});
