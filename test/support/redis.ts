import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectRedis, startEmbeddedRedis, type EmbeddedRedis, type RedisClient } from '../../queue/redis.js';

/**
 * A private, throw-away redis-server on a random port for one test file, so tests never share keys with
 * each other or with a Redis the machine runs. `restart()` stops it and starts it again on the same port:
 * empty without `persist`, with its data (append-only file) with it — as a production Redis would.
 */
export interface TestRedis {
  url: string;
  port: number;
  /** A client for assertions; closed by stop(). */
  client: RedisClient;
  restart(opts?: { downMs?: number }): Promise<void>;
  stop(): Promise<void>;
}

export async function startTestRedis(opts: { persist?: boolean } = {}): Promise<TestRedis> {
  const persist = opts.persist ?? false;
  const dir = mkdtempSync(join(tmpdir(), 'weisu-redis-'));
  let server: EmbeddedRedis = await startEmbeddedRedis(dir, { persist });
  const client = connectRedis(server.url, 'test');
  return {
    url: server.url,
    port: server.port,
    client,
    async restart({ downMs = 0 } = {}) {
      const port = server.port;
      await server.stop();
      if (downMs) await new Promise((r) => setTimeout(r, downMs));
      server = await startEmbeddedRedis(dir, { persist, port });
    },
    async stop() {
      client.disconnect();
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
