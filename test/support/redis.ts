import { execFileSync } from 'node:child_process';
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

/** A three-node Redis Cluster (no replicas) on random ports, for checking weisu's keys stay in one slot per queue. */
export async function startTestRedisCluster(): Promise<{ url: string; stop(): Promise<void> }> {
  const nodes: { dir: string; server: EmbeddedRedis }[] = [];
  for (let i = 0; i < 3; i++) {
    const dir = mkdtempSync(join(tmpdir(), 'weisu-redis-cluster-'));
    const server = await startEmbeddedRedis(dir, { persist: false, args: ['--cluster-enabled', 'yes', '--cluster-config-file', join(dir, 'nodes.conf'), '--cluster-node-timeout', '2000'] });
    nodes.push({ dir, server });
  }
  const hosts = nodes.map((n) => `127.0.0.1:${n.server.port}`);
  execFileSync('redis-cli', ['--cluster', 'create', ...hosts, '--cluster-replicas', '0', '--cluster-yes'], { stdio: 'ignore' });
  // The cluster is usable once every node agrees all slots are served.
  for (let i = 0; i < 100; i++) {
    const states = nodes.map((n) => execFileSync('redis-cli', ['-p', String(n.server.port), 'cluster', 'info']).toString());
    if (states.every((s) => s.includes('cluster_state:ok'))) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url: `redis-cluster://${hosts.join(',')}`,
    async stop() {
      for (const n of nodes) {
        await n.server.stop();
        rmSync(n.dir, { recursive: true, force: true });
      }
    },
  };
}
